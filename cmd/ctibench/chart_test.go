package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// The failover mark must be drawn where the fault happened.
func TestChartMarksFailover(t *testing.T) {
	r := &Result{Config: RunConfig{DurationS: 10, Store: "memory"},
		Failover: Failover{Kind: failNodeKill, AtS: 5, ResyncCompleteMs: 1000}}
	for i := 1; i <= 10; i++ {
		r.Samples = append(r.Samples, Sample{T: float64(i), P50: 0.5, P99: 2, P999: 4, SimP99: 1})
	}
	var buf bytes.Buffer
	if err := drawChart(&buf, r); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	pw := chartW - padL - padR
	x := padL + int(5.0/10*float64(pw))
	if !columnHas(img, x, colFault) {
		t.Errorf("no failover mark in column %d", x)
	}
	if columnHas(img, x-40, colFault) {
		t.Errorf("failover colour in column %d, away from the mark", x-40)
	}
	xr := padL + int(6.0/10*float64(pw))
	if !columnHas(img, xr, colRecov) {
		t.Errorf("no recovery mark in column %d", xr)
	}
}

func columnHas(img image.Image, x int, c color.RGBA) bool {
	for y := padT; y < chartH-padB; y++ {
		if color.RGBAModel.Convert(img.At(x, y)) == c {
			return true
		}
	}
	return false
}
