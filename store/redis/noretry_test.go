package redisstore

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// replyHolder is a TCP proxy to Redis whose replies can be held back: the commands reach
// Redis, their answers stay in the proxy until the test cuts the connections. It makes a
// write that Redis carried out look, to the client, like a connection lost before the reply.
type replyHolder struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	hold  bool
	conns []net.Conn // client sides, cut by cut
}

func startReplyHolder(t *testing.T, target string) *replyHolder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &replyHolder{ln: ln, target: target}
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	go p.accept()
	return p
}

func (p *replyHolder) addr() string { return p.ln.Addr().String() }

func (p *replyHolder) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		r, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, r)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(r, c); _ = r.Close() }()
		go func() { p.replies(c, r); _ = c.Close() }()
	}
}

// replies copies Redis's replies to the client, dropping them while held.
func (p *replyHolder) replies(c, r net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		p.mu.Lock()
		hold := p.hold
		p.mu.Unlock()
		if n > 0 && !hold {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// holdReplies makes every connection drop Redis's replies from now on (or no longer).
func (p *replyHolder) holdReplies(hold bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = hold
}

// cut closes every connection accepted so far.
func (p *replyHolder) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// TestApplyLostReplyIsNotRetried: a write whose reply is lost after Redis carried it out must
// fail, not be sent again: go-redis retries a command after a lost connection by default,
// and the apply script would append the batch a second time, at new offsets. The caller's
// own retry under the write's name (store.Batch.ID) gets the first write's offsets.
func TestApplyLostReplyIsNotRetried(t *testing.T) {
	srv := redistest.Start(t)
	proxy := startReplyHolder(t, srv.Addr)
	s := open(t, Options{Addrs: []string{proxy.addr()}})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	require.NoError(t, err)
	applyOne(t, s, l.Fence(), events("first", 1)[0])

	// The write goes on a connection the lease and the first write opened; its reply is held.
	lost := store.Batch{ID: "a/1/2", Events: events("lost", 3)}
	loseReply(t, s, srv.Addr, proxy, l.Fence(), lost, 4)
	logOffset := func() (uint64, error) {
		v, err := redistest.Do(srv.Addr, "HGET", newKeys(DefaultKeyPrefix, "hq").meta(), "offset")
		if err != nil {
			return 0, err
		}
		return strconv.ParseUint(v, 10, 64)
	}
	off, err := logOffset()
	require.NoError(t, err)
	require.EqualValues(t, 4, off, "the batch must be in the log once")

	// The writer sends it again under its name: the answer is the first write's offsets.
	a, err := s.Apply(tctx(t), "hq", l.Fence(), lost)
	require.NoError(t, err)
	require.Equal(t, 3, a.Len())
	require.EqualValues(t, 2, a.First, "the write sent again has the first one's offsets")
	off, err = logOffset()
	require.NoError(t, err)
	require.EqualValues(t, 4, off, "the write sent again is not appended")
}

// loseReply applies b through the proxy, holding its reply until Redis's log of hq ends at
// offset end (the batch written), then cuts the connection: the write happened and its
// caller, who gets an error, cannot know.
func loseReply(t *testing.T, s *Store, redisAddr string, proxy *replyHolder, f store.Fence, b store.Batch, end uint64) {
	t.Helper()
	proxy.holdReplies(true)
	done := make(chan error, 1)
	go func() {
		_, err := s.Apply(tctx(t), "hq", f, b)
		done <- err
	}()
	eventually(t, "the batch written", func() error {
		v, err := redistest.Do(redisAddr, "HGET", newKeys(DefaultKeyPrefix, "hq").meta(), "offset")
		if err != nil {
			return err
		}
		if off, err := strconv.ParseUint(v, 10, 64); err != nil || off < end {
			return errors.New("not yet")
		}
		return nil
	})
	proxy.holdReplies(false)
	proxy.cut()
	select {
	case err := <-done:
		require.Error(t, err, "a write whose reply was lost must fail")
	case <-time.After(waitLimit):
		t.Fatal("Apply did not return")
	}
}
