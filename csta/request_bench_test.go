//go:build unix

package csta

import (
	"context"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// countingConn counts the writes (system calls) made on a connection.
type countingConn struct {
	net.Conn
	writes *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	c.writes.Add(1)
	return c.Conn.Write(b)
}

// windowPair connects a Conn and a ServerConn over real TCP, counting each side's writes.
// The server answers MonitorStart and SnapshotDevice as a switch does for an idle device.
func windowPair(b *testing.B) (c *Conn, clientWrites, serverWrites *atomic.Int64) {
	b.Helper()
	clientWrites, serverWrites = new(atomic.Int64), new(atomic.Int64)
	ln := listen(b)
	accepted := acceptOne(b, ln)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	snc := <-accepted
	if snc == nil {
		b.FailNow()
	}
	var ref atomic.Int64
	handler := func(_ context.Context, req Message) (Message, error) {
		switch req.(type) {
		case *MonitorStart:
			return &MonitorStartResponse{MonitorCrossRefID: MonitorCrossRefID(strconv.FormatInt(ref.Add(1), 10))}, nil
		case *SnapshotDevice:
			return &SnapshotDeviceResponse{}, nil
		}
		return nil, &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}
	}
	s := NewServerConn(countingConn{snc, serverWrites}, ServerConfig{Handler: handler})
	c = NewConn(countingConn{nc, clientWrites}, Config{})
	b.Cleanup(func() {
		c.Close()
		s.Close()
		<-c.Done()
		<-s.Done()
	})
	return c, clientWrites, serverWrites
}

// BenchmarkRequestWindow is the request path of a resync: 256 requests in flight (the
// bounded window), each a MonitorStart or a SnapshotDevice with its own timeout, as the
// engine sends them for 100,000 devices: through a Window ("window", what the engine uses),
// and from 256 goroutines with a Request each (the way before). ns/op and allocs/op are per request (both sides,
// client and switch, in this process; cpu-ns/op is the CPU time of both); client-writes/op and server-writes/op are the write
// system calls per request on each side.
func BenchmarkRequestWindow(b *testing.B) {
	const window = 256
	const timeout = 10 * time.Second
	send := map[string]func(ctx context.Context, c *Conn, req Message) (Message, error){
		"context-timeout": func(ctx context.Context, c *Conn, req Message) (Message, error) {
			rctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			return c.Request(rctx, req)
		},
		"request-timeout": func(ctx context.Context, c *Conn, req Message) (Message, error) {
			return c.RequestTimeout(ctx, req, timeout)
		},
	}
	b.Run("window", func(b *testing.B) {
		c, cw, sw := windowPair(b)
		ctx := testCtx(b)
		var failed atomic.Int64
		w := c.NewWindow(window, timeout, func(_ int, _ Message, err error) bool {
			if err != nil {
				failed.Add(1)
			}
			return false
		})
		defer w.Close()
		b.ReportAllocs()
		b.ResetTimer()
		cpu0 := cputime.Process()
		for i := 1; i <= b.N; i++ {
			ext := Device(strconv.FormatInt(int64(10000+i%100000), 10))
			var req Message = &MonitorStart{MonitorObject: ext}
			if i%2 == 0 {
				req = &SnapshotDevice{SnapshotObject: ext}
			}
			if err := w.Send(ctx, i, req); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Wait(ctx); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n := failed.Load(); n > 0 {
			b.Fatalf("%d requests failed", n)
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(cw.Load())/float64(b.N), "client-writes/op")
		b.ReportMetric(float64(sw.Load())/float64(b.N), "server-writes/op")
	})
	for _, name := range []string{"context-timeout", "request-timeout"} {
		b.Run(name, func(b *testing.B) {
			c, cw, sw := windowPair(b)
			ctx := testCtx(b)
			var next atomic.Int64
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cputime.Process()
			var wg sync.WaitGroup
			for range window {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
						ext := Device(strconv.FormatInt(10000+i%100000, 10))
						var req Message = &MonitorStart{MonitorObject: ext}
						if i%2 == 0 {
							req = &SnapshotDevice{SnapshotObject: ext}
						}
						if _, err := send[name](ctx, c, req); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
			b.ReportMetric(float64(cw.Load())/float64(b.N), "client-writes/op")
			b.ReportMetric(float64(sw.Load())/float64(b.N), "server-writes/op")
		})
	}
}
