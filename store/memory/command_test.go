package memory

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// serveAs runs ServeCommands answering with the owner's name and returns a stop function.
func serveAs(t *testing.T, s *Store, owner string) (stop func() error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- s.ServeCommands(ctx, "hq", owner, func(context.Context, []byte) []byte { return []byte(owner) })
	}()
	// Registration happens in the goroutine; wait until the server answers.
	testkit.Eventually(t, owner+" serving commands", func() bool {
		s.mu.Lock()
		p := s.pbxs["hq"]
		s.mu.Unlock()
		if p == nil {
			return false
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		n := len(p.servers)
		return n > 0 && p.servers[n-1].owner == owner
	})
	stopped := false
	var err error
	stop = func() error {
		if !stopped {
			cancel()
			err, stopped = <-done, true
		}
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func TestSendCommandPrefersLeaseOwner(t *testing.T) {
	ctx := context.Background()
	s := New(Options{})
	defer s.Close()
	if _, err := s.AcquireLease(ctx, "hq", "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	serveAs(t, s, "a")
	stopB := serveAs(t, s, "b") // newer, but not the lease owner
	if r, err := s.SendCommand(ctx, "hq", []byte("x")); err != nil || string(r) != "a" {
		t.Fatalf("reply %q, %v; want the lease owner a", r, err)
	}
	if err := stopB(); !errors.Is(err, context.Canceled) {
		t.Fatalf("ServeCommands returned %v, want context.Canceled", err)
	}
}

func TestServeCommandsWaitsForHandlers(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	entered, finished := make(chan struct{}), make(chan struct{})
	served := make(chan error, 1)
	go func() {
		served <- s.ServeCommands(ctx, "hq", "a", func(hctx context.Context, _ []byte) []byte {
			close(entered)
			<-hctx.Done() // serving stops: the handler's context ends
			close(finished)
			return nil
		})
	}()
	sent := make(chan error, 1)
	go func() {
		for {
			_, err := s.SendCommand(context.Background(), "hq", []byte("x"))
			if !errors.Is(err, store.ErrNoOwner) {
				sent <- err
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	<-entered
	cancel()
	<-served
	select {
	case <-finished:
	default:
		t.Fatal("ServeCommands returned before its handler did")
	}
	if err := <-sent; err != nil {
		t.Fatalf("SendCommand got %v, want the (empty) reply", err)
	}
}
