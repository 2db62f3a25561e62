package pbxsim

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// eventsPerCall is what one monitored internal call A->B, answered and hung up, sends:
// ServiceInitiated, Originated, Delivered x2, Established x2, ConnectionCleared x2, CallCleared.
const eventsPerCall = 9

// driveCalls runs b.N internal calls between monitored extensions, keeping at most window
// events in flight so that the simulator's throughput, not its queue, is measured.
func driveCalls(b *testing.B, p *PBX, exts []string, received *atomic.Int64) {
	const window = 4000
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		for int64(i*eventsPerCall)-received.Load() > window {
			time.Sleep(50 * time.Microsecond)
		}
		from, to := exts[(2*i)%len(exts)], exts[(2*i+1)%len(exts)]
		if _, err := p.Dial(from, to); err != nil {
			b.Fatal(err)
		}
		if err := p.Answer(to); err != nil {
			b.Fatal(err)
		}
		if err := p.HangUp(from); err != nil {
			b.Fatal(err)
		}
	}
	want := int64(b.N * eventsPerCall)
	deadline := time.Now().Add(time.Minute)
	for received.Load() < want {
		if time.Now().After(deadline) {
			b.Fatalf("received %d of %d events", received.Load(), want)
		}
		time.Sleep(50 * time.Microsecond)
	}
	b.ReportMetric(float64(want)/time.Since(start).Seconds(), "events/s")
	b.ReportMetric(0, "ns/op")
}

func benchPBX(b *testing.B) (*PBX, *Node, []string) {
	p, err := New(Config{Extensions: []string{"2000-2099"}, Dialect: "osbiz", DecorateExternal: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { p.Close() })
	n, err := p.StartNode(context.Background(), "a", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	return p, n, p.Extensions()
}

// BenchmarkEventsToOneLinkRaw counts event frames on one link without decoding them: the
// simulator's own throughput (model, fan-out, encoding, framing, TCP).
func BenchmarkEventsToOneLinkRaw(b *testing.B) {
	p, n, exts := benchPBX(b)
	nc, err := net.Dial("tcp", n.Addr())
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	framing := csta.HeaderFraming{}
	var out []byte
	for i, e := range exts {
		body, err := csta.Encode(nil, &csta.MonitorStart{MonitorObject: csta.Device(e)}, csta.Ed4)
		if err != nil {
			b.Fatal(err)
		}
		if out, err = framing.AppendFrame(out, csta.Frame{InvokeID: i + 1, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := nc.Write(out); err != nil {
		b.Fatal(err)
	}
	var received, responses atomic.Int64
	go func() {
		r := framing.NewReader(nc, 0)
		for {
			f, err := r.ReadFrame()
			if err != nil {
				return
			}
			if f.InvokeID == csta.EventInvokeID {
				received.Add(1)
			} else {
				responses.Add(1)
			}
		}
	}()
	for responses.Load() < int64(len(exts)) { // the greeting SystemStatus counts as one more
		time.Sleep(time.Millisecond)
	}
	driveCalls(b, p, exts, &received)
}

// BenchmarkEventsToOneLinkDecoded receives the events with a csta.Conn, decoding each one as
// the bridge does.
func BenchmarkEventsToOneLinkDecoded(b *testing.B) {
	p, n, exts := benchPBX(b)
	var received atomic.Int64
	c, err := csta.Dial(context.Background(), n.Addr(), csta.Config{Dialect: n.Dialect(), EventQueue: 1 << 16,
		OnEvent: func(csta.Event) { received.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for _, e := range exts {
		if _, err := c.Request(context.Background(), &csta.MonitorStart{MonitorObject: csta.Device(e)}); err != nil {
			b.Fatal(fmt.Errorf("monitor %s: %w", e, err))
		}
	}
	driveCalls(b, p, exts, &received)
}
