package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

var commandTests = []contractTest{
	{"Command/NobodyServing", testCommandNoOwner},
	{"Command/RoutedToServer", testCommandRouted},
	{"Command/ContextDeadline", testCommandDeadline},
}

// serve runs ServeCommands in a goroutine owned by the test; stop cancels it and returns
// what ServeCommands returned.
func serve(t *testing.T, s store.Store, pbx, owner string, h store.CommandHandler) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.ServeCommands(ctx, pbx, owner, h) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(waitLimit):
				err = fmt.Errorf("ServeCommands did not return within %v of its context ending", waitLimit)
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// sendWhenServed sends cmd, retrying while the server is not yet registered (ServeCommands
// runs in a goroutine, so the first sends may come before it).
func sendWhenServed(t *testing.T, s store.Store, pbx string, cmd []byte) []byte {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		reply, err := s.SendCommand(testCtx(t), pbx, cmd)
		if !errors.Is(err, store.ErrNoOwner) {
			noErr(t, "SendCommand", err)
			return reply
		}
		if time.Now().After(deadline) {
			t.Fatalf("SendCommand still says %v after %v of serving", err, waitLimit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func echo(_ context.Context, cmd []byte) []byte { return append([]byte("re:"), cmd...) }

func testCommandNoOwner(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	_, err := s.SendCommand(testCtx(t), "hq", []byte("ping"))
	wantErr(t, "SendCommand with no lease and no server", err, store.ErrNoOwner)
	acquire(t, s, "hq", "a", longTTL)
	_, err = s.SendCommand(testCtx(t), "hq", []byte("ping"))
	wantErr(t, "SendCommand with a lease owner that does not serve", err, store.ErrNoOwner)
}

func testCommandRouted(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	server := open2(t)
	acquire(t, server, "hq", "b", longTTL)
	stop := serve(t, server, "hq", "b", echo)
	if got := sendWhenServed(t, s, "hq", []byte("first")); string(got) != "re:first" {
		t.Fatalf("reply %q, want %q", got, "re:first")
	}

	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			cmd := fmt.Sprintf("cmd-%d", i)
			reply, err := s.SendCommand(testCtx(t), "hq", []byte(cmd))
			if err != nil {
				errs <- fmt.Errorf("SendCommand %s: %w", cmd, err)
			} else if string(reply) != "re:"+cmd {
				errs <- fmt.Errorf("SendCommand %s: reply %q belongs to another command", cmd, reply)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if _, err := s.SendCommand(testCtx(t), "branch", []byte("x")); !errors.Is(err, store.ErrNoOwner) {
		t.Fatalf("SendCommand to a PBX nobody serves: got %v, want ErrNoOwner", err)
	}

	if err := stop(); err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("ServeCommands returned %v after its context was cancelled", err)
	}
	_, err := s.SendCommand(testCtx(t), "hq", []byte("late"))
	wantErr(t, "SendCommand after the server stopped", err, store.ErrNoOwner)
}

func testCommandDeadline(t *testing.T, nb NewBackend) {
	s, open2 := open(t, nb)
	server := open2(t)
	release := make(chan struct{})
	defer close(release)
	serve(t, server, "hq", "b", func(ctx context.Context, cmd []byte) []byte {
		if string(cmd) == "block" {
			select {
			case <-release:
			case <-ctx.Done():
			}
		}
		return cmd
	})
	sendWhenServed(t, s, "hq", []byte("warm-up"))
	ctx, cancel := context.WithTimeout(testCtx(t), LeaseTTL)
	defer cancel()
	_, err := s.SendCommand(ctx, "hq", []byte("block"))
	wantErr(t, "SendCommand to a handler that does not answer", err, context.DeadlineExceeded)
	if got := sendWhenServed(t, s, "hq", []byte("after")); string(got) != "after" {
		t.Fatalf("reply after a timed-out command: %q, want %q", got, "after")
	}
}
