//go:build unix

package wsout

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fanOutRig is n WebSocket connections over loopback TCP, each with a client goroutine that
// reads and counts messages, as the hub's fan-out meets them.
type fanOutRig struct {
	outs    []*Conn
	servers []*websocket.Conn
	got     chan int // each client reports every message it read
	wg      sync.WaitGroup
}

func newFanOutRig(b *testing.B, n int) *fanOutRig {
	b.Helper()
	r := &fanOutRig{got: make(chan int, 1<<16)}
	type upgraded struct {
		out *Conn
		ws  *websocket.Conn
	}
	ups := make(chan upgraded, n)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		hj := &Hijacker{ResponseWriter: w}
		ws, err := (&websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}).Upgrade(hj, req, nil)
		if err != nil {
			b.Errorf("upgrade: %v", err)
			return
		}
		ups <- upgraded{hj.Out, ws}
	}))
	b.Cleanup(hs.Close)
	var clients []*websocket.Conn
	for range n {
		c, _, err := websocket.DefaultDialer.Dial("ws"+hs.URL[len("http"):], nil)
		if err != nil {
			b.Fatal(err)
		}
		u := <-ups
		r.outs, r.servers, clients = append(r.outs, u.out), append(r.servers, u.ws), append(clients, c)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
				r.got <- 1
			}
		}()
	}
	b.Cleanup(func() {
		for i, c := range clients {
			_ = c.Close()
			_ = r.servers[i].Close()
		}
		r.wg.Wait()
	})
	return r
}

// await waits until the clients have read want messages in all.
func (r *fanOutRig) await(b *testing.B, want int) {
	deadline := time.After(time.Minute)
	for n := 0; n < want; {
		select {
		case k := <-r.got:
			n += k
		case <-deadline:
			b.Fatalf("clients read %d of %d messages", n, want)
		}
	}
}

// BenchmarkFanOut sends batches of event-sized messages to every connection and waits until
// every client has read them, once through the library (one WriteMessage per message, which
// frames, masks nothing and flushes each) and once through Conn (a batch framed into one buffer
// and written with one call; TryWriteFrames first, as the hub does, the rest by WriteFrames).
// The figure that matters is ns per delivered message, reported as ns/msg.
//
//	go test ./web/internal/wsout -run '^$' -bench FanOut -benchtime 2000x
func BenchmarkFanOut(b *testing.B) {
	msg := []byte(`{"type":"event","pbx":"hq","epoch":"e1","offset":4711,"event":{"v":1,"type":"LINE_CALLSTATE",` +
		`"time":"2026-12-06T13:02:12.123456789Z","pbx":"hq","line":"hq/201","deviceId":1696530100,"handle":"hq:17",` +
		`"callState":{"state":"LINECALLSTATE_CONNECTED","connectedMode":"LINECONNECTEDMODE_ACTIVE"}}}`)
	for _, conns := range []int{100} {
		for _, batch := range []int{1, 8} {
			msgs := make([][]byte, batch)
			for i := range msgs {
				msgs[i] = msg
			}
			b.Run(fmt.Sprintf("gorilla/conns=%d/batch=%d", conns, batch), func(b *testing.B) {
				r := newFanOutRig(b, conns)
				b.ResetTimer()
				for range b.N {
					for _, ws := range r.servers {
						for _, m := range msgs {
							if err := ws.WriteMessage(websocket.TextMessage, m); err != nil {
								b.Fatal(err)
							}
						}
					}
					r.await(b, conns*batch)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*conns*batch), "ns/msg")
			})
			b.Run(fmt.Sprintf("framed/conns=%d/batch=%d", conns, batch), func(b *testing.B) {
				r := newFanOutRig(b, conns)
				take := func() [][]byte { return msgs }
				none := func() [][]byte { return nil }
				var scratch []byte
				b.ResetTimer()
				for range b.N {
					for _, o := range r.outs {
						_, done, err := o.TryWriteFrames(take, &scratch)
						if err != nil {
							b.Fatal(err)
						}
						if !done {
							if _, err := o.WriteFrames(none, time.Now().Add(time.Minute)); err != nil {
								b.Fatal(err)
							}
						}
					}
					r.await(b, conns*batch)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*conns*batch), "ns/msg")
			})
		}
	}
}
