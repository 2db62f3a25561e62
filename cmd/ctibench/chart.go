package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
)

// Chart geometry.
const (
	chartW, chartH = 1000, 520
	padL, padR     = 80, 20
	padT, padB     = 60, 50
)

var (
	colBG     = color.RGBA{255, 255, 255, 255}
	colAxis   = color.RGBA{60, 60, 60, 255}
	colGrid   = color.RGBA{225, 225, 225, 255}
	colP50    = color.RGBA{31, 119, 180, 255}
	colP99    = color.RGBA{255, 127, 14, 255}
	colP999   = color.RGBA{148, 103, 189, 255}
	colSim    = color.RGBA{44, 160, 44, 255}
	colE2E    = color.RGBA{23, 190, 207, 255}
	colFault  = color.RGBA{214, 39, 40, 255}
	colRecov  = color.RGBA{120, 120, 120, 255}
	colLegend = color.RGBA{30, 30, 30, 255}
)

type series struct {
	name string
	col  color.RGBA
	val  func(Sample) float64
}

// drawChart renders latency over time (log scale, per-second quantiles) with the failover
// moment and its recovery marked, as a PNG.
func drawChart(w io.Writer, r *Result) error {
	img := image.NewRGBA(image.Rect(0, 0, chartW, chartH))
	draw.Draw(img, img.Bounds(), &image.Uniform{colBG}, image.Point{}, draw.Src)
	ss := []series{
		{"bridge->client p50", colP50, func(s Sample) float64 { return s.P50 }},
		{"bridge->client p99", colP99, func(s Sample) float64 { return s.P99 }},
		{"bridge->client p99.9", colP999, func(s Sample) float64 { return s.P999 }},
		{"sim->bridge p99", colSim, func(s Sample) float64 { return s.SimP99 }},
		{"end to end p99", colE2E, func(s Sample) float64 { return s.E2EP99 }},
	}
	lo, hi := 0.1, 10.0 // ms; widened to the data, in decades
	for _, s := range r.Samples {
		for _, se := range ss {
			if v := se.val(s); v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	dLo, dHi := math.Floor(math.Log10(math.Max(lo, 0.001))), math.Ceil(math.Log10(hi))
	if dHi <= dLo {
		dHi = dLo + 1
	}
	tMax := r.Config.DurationS
	for _, s := range r.Samples {
		tMax = math.Max(tMax, s.T)
	}
	pw, ph := chartW-padL-padR, chartH-padT-padB
	xOf := func(t float64) int { return padL + int(t/tMax*float64(pw)) }
	yOf := func(v float64) int {
		f := (math.Log10(v) - dLo) / (dHi - dLo)
		return padT + ph - int(f*float64(ph))
	}

	for d := dLo; d <= dHi; d++ {
		y := yOf(math.Pow(10, d))
		hline(img, padL, padL+pw, y, colGrid)
		lbl := msLabel(math.Pow(10, d))
		drawText(img, padL-8-textWidth(lbl), y-5, lbl, colAxis)
	}
	step := niceStep(tMax)
	for t := 0.0; t <= tMax+1e-9; t += step {
		x := xOf(t)
		vline(img, x, padT, padT+ph, colGrid)
		lbl := fmt.Sprintf("%gs", t)
		drawText(img, x-textWidth(lbl)/2, padT+ph+10, lbl, colAxis)
	}
	rect(img, padL, padT, padL+pw, padT+ph, colAxis)

	if f := r.Failover; f.Kind != failNone && f.AtS > 0 {
		x := xOf(f.AtS)
		dashed(img, x, padT, padT+ph, colFault)
		drawText(img, x+4, padT+4, f.Kind, colFault)
		rec := f.ResyncCompleteMs
		if f.Kind == failInstanceKill {
			rec = f.TakeoverMs
		}
		if rec > 0 {
			xr := xOf(f.AtS + rec/1000)
			dashed(img, xr, padT, padT+ph, colRecov)
			drawText(img, xr+4, padT+18, fmt.Sprintf("recovered %.0fms", rec), colRecov)
		}
	}
	for _, se := range ss {
		havePrev := false
		var px, py int
		for _, s := range r.Samples {
			v := se.val(s)
			if v <= 0 {
				havePrev = false
				continue
			}
			x, y := xOf(s.T), yOf(v)
			if havePrev {
				line(img, px, py, x, y, se.col)
				line(img, px, py+1, x, y+1, se.col)
			}
			px, py, havePrev = x, y, true
		}
	}

	c := r.Config
	title := fmt.Sprintf("latency per second: %s store, %d instance(s), %d clients, %d devices, %.0f calls/s",
		c.Store, c.Instances, c.Clients, c.Devices, c.RateCPS)
	drawText(img, padL, 12, title, colLegend)
	x := padL
	for _, se := range ss {
		fill(img, x, 36, x+14, 44, se.col)
		drawText(img, x+20, 35, se.name, colLegend)
		x += 20 + textWidth(se.name) + 24
	}
	return png.Encode(w, img)
}

func msLabel(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%gs", v/1000)
	case v >= 1:
		return fmt.Sprintf("%gms", v)
	default:
		return fmt.Sprintf("%gus", v*1000)
	}
}

// niceStep picks an x tick step giving at most about 12 ticks.
func niceStep(span float64) float64 {
	for _, s := range []float64{1, 2, 5, 10, 15, 30, 60, 120, 300, 600} {
		if span/s <= 12 {
			return s
		}
	}
	return 1200
}

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := x0; x <= x1; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		img.Set(x, y, c)
	}
}

func dashed(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		if (y/6)%2 == 0 {
			img.Set(x, y, c)
			img.Set(x+1, y, c)
		}
	}
}

func rect(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	hline(img, x0, x1, y0, c)
	hline(img, x0, x1, y1, c)
	vline(img, x0, y0, y1, c)
	vline(img, x1, y0, y1, c)
}

func fill(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	draw.Draw(img, image.Rect(x0, y0, x1, y1), &image.Uniform{c}, image.Point{}, draw.Src)
}

// line draws with Bresenham's algorithm.
func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		img.Set(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
