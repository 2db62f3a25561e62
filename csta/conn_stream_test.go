package csta

import (
	"net"
	"sync/atomic"
	"testing"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// rawPair is a client Conn whose peer is the bare socket: the test writes frames as a switch
// would, in writes of its choosing.
func rawPair(t testing.TB, cfg Config) (*Conn, net.Conn) {
	t.Helper()
	ln := listen(t)
	accepted := acceptOne(t, ln)
	c, err := Dial(testCtx(t), ln.Addr().String(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	nc := <-accepted
	if nc == nil {
		t.FailNow()
	}
	t.Cleanup(func() {
		c.Close()
		_ = nc.Close()
		<-c.Done()
	})
	return c, nc
}

// eventFrames frames docs as events.
func eventFrames(t testing.TB, docs [][]byte) [][]byte {
	frames := make([][]byte, len(docs))
	for i, d := range docs {
		f, err := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: EventInvokeID, Body: d})
		if err != nil {
			t.Fatal(err)
		}
		frames[i] = f
	}
	return frames
}

// TestConnDeliversEventsOfAPartialRead: the events whose frames the reader has whole reach
// OnEvent while the next frame is still incomplete, without waiting for its rest.
func TestConnDeliversEventsOfAPartialRead(t *testing.T) {
	got := make(chan Event, 16)
	c, nc := rawPair(t, Config{OnEvent: func(ev Event) { got <- ev }})
	_ = c
	frames := eventFrames(t, simCallDocs(t, 4))
	var first []byte
	for _, f := range frames[:3] {
		first = append(first, f...)
	}
	half := len(frames[3]) / 2
	first = append(first, frames[3][:half]...)
	if _, err := nc.Write(first); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		select {
		case <-got:
		case <-c.Done():
			t.Fatalf("session ended after %d events: %v", i, c.Err())
		}
	}
	if _, err := nc.Write(frames[3][half:]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-c.Done():
		t.Fatalf("session ended: %v", c.Err())
	}
}

// BenchmarkConnEventStream: a client session reading BenchmarkDecodeSimCalls's stream from
// a socket and handing each event to OnEvent (reader, decoder, dispatcher). The peer writes
// 16 KiB at a time and keeps at most 2,048 events ahead of OnEvent.
func BenchmarkConnEventStream(b *testing.B) {
	frames := eventFrames(b, simCallDocs(b, 20000))
	var handled, last atomic.Int64
	last.Store(int64(b.N))
	caught := make(chan struct{}, 1)
	const window = 2048
	c, nc := rawPair(b, Config{EventQueue: 2 * window, OnEvent: func(Event) {
		if n := handled.Add(1); n%256 == 0 || n == last.Load() {
			select {
			case caught <- struct{}{}:
			default:
			}
		}
	}})
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	feedFrames(b, c, nc, frames, window, &handled, caught)
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}

// feedFrames writes b.N of frames (round robin) to the switch's side nc in writes of about
// 16 KiB, keeping at most window events ahead of what the session handled (counted in
// handled, caught signalled now and then and at the last), then waits for all of them.
func feedFrames(b *testing.B, c *Conn, nc net.Conn, frames [][]byte, window int64, handled *atomic.Int64, caught <-chan struct{}) {
	b.Helper()
	var buf []byte
	for i := 0; i < b.N; i++ {
		buf = append(buf, frames[i%len(frames)]...)
		if len(buf) < 16<<10 && i < b.N-1 {
			continue
		}
		for int64(i)-handled.Load() > window {
			select {
			case <-caught:
			case <-c.Done():
				b.Fatalf("session ended: %v", c.Err())
			}
		}
		if _, err := nc.Write(buf); err != nil {
			b.Fatal(err)
		}
		buf = buf[:0]
	}
	for handled.Load() < int64(b.N) {
		select {
		case <-caught:
		case <-c.Done():
			b.Fatalf("session ended: %v", c.Err())
		}
	}
}
