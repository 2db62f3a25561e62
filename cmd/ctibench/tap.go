package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// tap is a transparent TCP proxy between the bridge and one simulator node. The bridge carries
// no simulator stamp to its clients (tapi.Event.Time is the bridge's arrival time), so the tap
// measures the simulator->bridge leg: it reads the stamp of every CSTA event on the way through.
// It forwards whole frames as soon as they are read, so TCP back-pressure from a slow bridge
// still reaches the simulator and shows up in this leg.
type tap struct {
	ln       net.Listener
	upstream string
	rec      *recorder
	events   atomic.Uint64 // CSTA events (invoke ID 9999) forwarded

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func startTap(ctx context.Context, upstream string, rec *recorder) (*tap, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("tap for %s: %w", upstream, err)
	}
	t := &tap{ln: ln, upstream: upstream, rec: rec, conns: map[net.Conn]struct{}{}}
	t.wg.Add(1)
	go t.accept(ctx)
	return t, nil
}

func (t *tap) addr() string { return t.ln.Addr().String() }

// close stops accepting, cuts every proxied connection and waits for the goroutines.
func (t *tap) close() {
	_ = t.ln.Close()
	t.mu.Lock()
	for c := range t.conns {
		_ = c.Close()
	}
	t.conns = nil
	t.mu.Unlock()
	t.wg.Wait()
}

func (t *tap) track(c net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conns == nil {
		return false
	}
	t.conns[c] = struct{}{}
	return true
}

func (t *tap) untrack(c net.Conn) {
	t.mu.Lock()
	delete(t.conns, c) // no-op on the nil map after close
	t.mu.Unlock()
	_ = c.Close()
}

func (t *tap) accept(ctx context.Context) {
	defer t.wg.Done()
	for {
		down, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.wg.Add(1)
		go t.proxy(ctx, down)
	}
}

// proxy joins one bridge connection to the node; a node that is down closes it at once, as
// a refused connection would.
func (t *tap) proxy(ctx context.Context, down net.Conn) {
	defer t.wg.Done()
	if !t.track(down) {
		_ = down.Close()
		return
	}
	defer t.untrack(down)
	d := net.Dialer{Timeout: 2 * time.Second}
	up, err := d.DialContext(ctx, "tcp", t.upstream)
	if err != nil {
		return
	}
	if !t.track(up) {
		_ = up.Close()
		return
	}
	defer t.untrack(up)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = io.Copy(up, down)
		_ = up.Close()
	}()
	_ = t.forwardFrames(down, up)
	_ = down.Close()
	<-done
}

// forwardFrames copies header-framed CSTA frames from the node to the bridge, reading the
// stamp of each event.
func (t *tap) forwardFrames(dst io.Writer, src io.Reader) error {
	r := bufio.NewReaderSize(src, 64<<10)
	w := bufio.NewWriterSize(dst, 64<<10)
	hdr := make([]byte, 8)
	var body []byte
	for {
		if _, err := io.ReadFull(r, hdr); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint16(hdr[2:4]))
		if hdr[0] != 0 || hdr[1] != 0 || n < 8 {
			return fmt.Errorf("tap: bad CSTA frame header % x", hdr)
		}
		if cap(body) < n-8 {
			body = make([]byte, n-8, 64<<10)
		}
		body = body[:n-8]
		if _, err := io.ReadFull(r, body); err != nil {
			return err
		}
		if string(hdr[4:8]) == "9999" { // events only: responses are not timed
			now := time.Now()
			t.events.Add(1)
			if sent, ok := frameStamp(body); ok {
				t.rec.simToBridge(now.Sub(sent))
			}
		}
		if _, err := w.Write(hdr); err != nil {
			return err
		}
		if _, err := w.Write(body); err != nil {
			return err
		}
		if r.Buffered() == 0 {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
}

var (
	stampOpen  = []byte("<security><timestamp>")
	stampClose = []byte("</timestamp>")
)

// frameStamp reads the simulator's send time, the CSTA security timestamp of the frame's
// <extensions> (pbxsim.EventTimestamp without decoding the event).
func frameStamp(body []byte) (time.Time, bool) {
	i := bytes.Index(body, stampOpen)
	if i < 0 {
		return time.Time{}, false
	}
	rest := body[i+len(stampOpen):]
	j := bytes.Index(rest, stampClose)
	if j < 0 {
		return time.Time{}, false
	}
	return csta.ParseTimestamp(string(rest[:j]))
}
