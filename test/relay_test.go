package e2e

import (
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
)

// tcpRelay forwards client connections to one bridge instance, so the test can cut client
// connections at will, as a flaky network or a restarted load balancer would.
type tcpRelay struct {
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	pairs  map[net.Conn]net.Conn // client side -> bridge side
	closed bool
	wg     sync.WaitGroup
}

func startRelay(t testing.TB, upstream string) *tcpRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &tcpRelay{ln: ln, upstream: upstream, pairs: map[net.Conn]net.Conn{}}
	r.wg.Add(1)
	go r.accept()
	t.Cleanup(r.close)
	return r
}

func (r *tcpRelay) url() string { return "ws://" + r.ln.Addr().String() + "/ws" }

func (r *tcpRelay) accept() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		up, err := net.Dial("tcp", r.upstream)
		if err != nil {
			c.Close()
			continue
		}
		r.mu.Lock()
		if r.closed {
			r.mu.Unlock()
			c.Close()
			up.Close()
			return
		}
		r.pairs[c] = up
		r.wg.Add(2)
		r.mu.Unlock()
		go r.pipe(c, up)
		go r.pipe(up, c)
	}
}

func (r *tcpRelay) pipe(dst, src net.Conn) {
	defer r.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	r.mu.Lock()
	delete(r.pairs, src)
	delete(r.pairs, dst)
	r.mu.Unlock()
}

// cut closes up to n client connections chosen at random and returns how many it closed.
func (r *tcpRelay) cut(n int, rng *rand.Rand) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var cs []net.Conn
	for c := range r.pairs {
		cs = append(cs, c)
	}
	rng.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	done := 0
	for _, c := range cs[:min(n, len(cs))] {
		c.Close()
		r.pairs[c].Close()
		done++
	}
	return done
}

func (r *tcpRelay) close() {
	r.mu.Lock()
	r.closed = true
	r.ln.Close()
	for c, up := range r.pairs {
		c.Close()
		up.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
