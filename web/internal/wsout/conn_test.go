//go:build unix

package wsout

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// outPair is a WebSocket connection over real TCP whose server side writes through a Conn.
type outPair struct {
	out    *Conn
	server *websocket.Conn
	client *websocket.Conn
}

// newOutPair connects a client; rcvBuf > 0 shrinks the client's receive buffer, so that the
// server's writes fill the socket quickly while the client does not read.
func newOutPair(t *testing.T, rcvBuf int) *outPair {
	t.Helper()
	type upgraded struct {
		out *Conn
		ws  *websocket.Conn
	}
	got := make(chan upgraded, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj := &Hijacker{ResponseWriter: w}
		ws, err := (&websocket.Upgrader{ReadBufferSize: 4096}).Upgrade(hj, r, nil)
		if err != nil {
			t.Errorf("upgrade: %v", err)
			return
		}
		got <- upgraded{hj.Out, ws}
	}))
	t.Cleanup(hs.Close)
	d := websocket.Dialer{NetDialContext: (&net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		if rcvBuf == 0 {
			return nil
		}
		var serr error
		if err := rc.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvBuf)
		}); err != nil {
			return err
		}
		return serr
	}}).DialContext}
	c, _, err := d.Dial("ws"+hs.URL[len("http"):], nil)
	if err != nil {
		t.Fatal(err)
	}
	u := <-got
	t.Cleanup(func() { c.Close(); u.ws.Close() })
	if u.out.raw == nil {
		t.Fatal("a TCP connection should offer non-blocking writes")
	}
	return &outPair{out: u.out, server: u.ws, client: c}
}

// readAll reads n messages and checks them against want.
func (p *outPair) expect(t *testing.T, want [][]byte) {
	t.Helper()
	_ = p.client.SetReadDeadline(time.Now().Add(30 * time.Second))
	for i, w := range want {
		typ, got, err := p.client.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(got, w) {
			t.Fatalf("message %d: type %d, %d bytes %.40q..., want text, %d bytes %.40q...", i, typ, len(got), got, len(w), w)
		}
	}
}

// closeSlowConsumer is the close code web sends a slow consumer (wire.CloseSlowConsumer).
const closeSlowConsumer = 4008

func take(msgs [][]byte) func() [][]byte { return func() [][]byte { return msgs } }

// payload is a recognisable message of n bytes.
func payload(i, n int) []byte {
	b := bytes.Repeat([]byte{'a' + byte(i%26)}, n)
	copy(b, fmt.Sprintf("%d:", i))
	return b
}

// Every length encoding of RFC 6455 (7-bit, 16-bit, 64-bit) reaches a standard client intact,
// both from a blocking batch and from a non-blocking one.
func TestWSOutFramesEveryLength(t *testing.T) {
	p := newOutPair(t, 0)
	var msgs [][]byte
	for i, n := range []int{0, 1, 125, 126, 127, 65535, 65536, 70000} {
		msgs = append(msgs, payload(i, n))
	}
	n, err := p.out.WriteFrames(take(msgs), time.Now().Add(10*time.Second))
	if err != nil || n != len(msgs) {
		t.Fatalf("writeFrames: %d, %v", n, err)
	}
	p.expect(t, msgs)
	var scratch []byte
	small := msgs[:5]
	n, done, err := p.out.TryWriteFrames(take(small), &scratch)
	if err != nil || n != len(small) || !done {
		t.Fatalf("tryWriteFrames to an empty socket: %d, done %v, %v", n, done, err)
	}
	p.expect(t, small)
}

// What a full socket does not take stays pending and goes out, in order, before anything
// written later: by the blocking writer and by the library's control frames alike.
func TestWSOutPendingKeepsOrder(t *testing.T) {
	p := newOutPair(t, 4096)
	var first [][]byte
	for i := range 200 {
		first = append(first, payload(i, 20000))
	}
	var scratch []byte
	n, done, err := p.out.TryWriteFrames(take(first), &scratch)
	if err != nil || n != len(first) {
		t.Fatalf("tryWriteFrames: %d, %v", n, err)
	}
	if done {
		t.Fatal("4 MB went into a socket nobody reads without blocking")
	}
	if len(p.out.pending) == 0 {
		t.Fatal("no remainder kept")
	}
	// More non-blocking writes queue behind the remainder.
	second := [][]byte{payload(200, 10), payload(201, 300)}
	if _, done, err := p.out.TryWriteFrames(take(second), &scratch); err != nil || done {
		t.Fatalf("tryWriteFrames behind a remainder: done %v, %v", done, err)
	}
	pinged := make(chan string, 1)
	p.client.SetPingHandler(func(data string) error { pinged <- data; return nil })
	got := make(chan error, 1)
	go func() {
		// The blocking writer sends the remainder and a last message; the library's ping
		// follows them.
		_, err := p.out.WriteFrames(take([][]byte{payload(202, 5)}), time.Now().Add(30*time.Second))
		if err == nil {
			err = p.server.WriteControl(websocket.PingMessage, []byte("after"), time.Now().Add(30*time.Second))
		}
		got <- err
	}()
	p.expect(t, append(append(first, second...), payload(202, 5)))
	if err := <-got; err != nil {
		t.Fatalf("writer: %v", err)
	}
	// The ping is handled while reading the next message.
	_ = p.client.SetReadDeadline(time.Now().Add(time.Second))
	_, _, _ = p.client.ReadMessage()
	select {
	case data := <-pinged:
		if data != "after" {
			t.Fatalf("ping %q", data)
		}
	default:
		t.Fatal("ping frame did not arrive after the data")
	}
}

// blockedInWrite reports whether a goroutine waits for a full socket inside Conn.
func blockedInWrite() bool {
	buf := make([]byte, 1<<20)
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		if strings.Contains(g, "waitWrite") && strings.Contains(g, "(*Conn).writeLocked") {
			return true
		}
	}
	return false
}

// abort ends a write blocked on a full socket, refuses the frames after it and, once the
// writer is done, lets nothing follow a frame cut in half.
func TestWSOutAbort(t *testing.T) {
	p := newOutPair(t, 4096)
	var big [][]byte
	for i := range 800 {
		big = append(big, payload(i, 20000)) // 16 MB: more than any socket buffers
	}
	var scratch []byte
	if _, done, err := p.out.TryWriteFrames(take(big), &scratch); done || err != nil {
		t.Fatalf("16 MB into a socket nobody reads: done %v, %v", done, err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := p.out.WriteFrames(take(nil), time.Now().Add(time.Hour))
		errc <- err
	}()
	for !blockedInWrite() {
		select {
		case err := <-errc:
			t.Fatalf("the remainder went into a socket nobody reads: %v", err)
		case <-time.After(time.Millisecond):
		}
	}
	p.out.Abort()
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("aborted write reported success")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("abort did not end the blocked write")
	}
	if _, done, err := p.out.TryWriteFrames(take([][]byte{payload(1, 10)}), &scratch); done || err == nil {
		t.Fatalf("non-blocking write after a broken write: done %v, err %v", done, err)
	}
	p.out.Resume()
	if _, err := p.out.Write([]byte{0x88, 0}); err == nil {
		t.Fatal("a frame was written after one cut in half")
	}
}

// An abort while nothing is being written stops writes until resume, after which the close
// frame gets through.
func TestWSOutAbortIdleThenResume(t *testing.T) {
	p := newOutPair(t, 0)
	p.out.Abort()
	if _, err := p.out.WriteFrames(take([][]byte{payload(0, 10)}), time.Now().Add(10*time.Second)); err == nil {
		t.Fatal("write after abort succeeded")
	}
	p.out.Resume()
	if err := p.server.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(closeSlowConsumer, "slow"), time.Now().Add(10*time.Second)); err != nil {
		t.Fatalf("close frame after resume: %v", err)
	}
	_ = p.client.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, _, err := p.client.ReadMessage()
	if ce, ok := err.(*websocket.CloseError); !ok || ce.Code != closeSlowConsumer {
		t.Fatalf("client read %v, want close %d", err, closeSlowConsumer)
	}
}

// A non-blocking write of a framed batch makes no allocations of its own: the hub makes one
// per client and burst, and the closure RawConn.Write takes once cost three (its state now
// comes from a pool, which the race detector empties now and then: hence below one on
// average, not zero).
func TestWSOutNonBlockingWriteAllocatesNothing(t *testing.T) {
	p := newOutPair(t, 0)
	msg := [][]byte{[]byte(`{"type":"event"}`)}
	var scratch []byte
	sent := 0
	allocs := testing.AllocsPerRun(100, func() {
		n, done, err := p.out.TryWriteFrames(take(msg), &scratch)
		if err != nil || n != 1 || !done {
			t.Fatalf("tryWriteFrames: %d, done %v, %v", n, done, err)
		}
		sent++
	})
	if allocs >= 1 {
		t.Errorf("a non-blocking write allocated %.2f objects on average, want none", allocs)
	}
	want := make([][]byte, sent)
	for i := range want {
		want[i] = msg[0]
	}
	p.expect(t, want)
}
