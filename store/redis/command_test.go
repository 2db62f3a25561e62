package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// serveEcho runs ServeCommands with an echoing handler; stop ends it and returns its error.
func serveEcho(t *testing.T, s *Store, pbx, owner string) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.ServeCommands(ctx, pbx, owner, func(_ context.Context, cmd []byte) []byte {
			return append([]byte(owner+":"), cmd...)
		})
	}()
	var once sync.Once
	var err error
	return func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
}

func sendUntilServed(t *testing.T, s *Store, pbx, cmd string) (string, error) {
	t.Helper()
	var reply []byte
	var err error
	eventually(t, "serving "+pbx, func() error {
		reply, err = s.SendCommand(tctx(t), pbx, []byte(cmd))
		if errors.Is(err, store.ErrNoOwner) {
			return err
		}
		return nil
	})
	return string(reply), err
}

// With a lease, commands go to the lease owner even when another instance serves too.
func TestCommandGoesToLeaseOwner(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, Options{Addrs: []string{srv.Addr}})
	b := open(t, Options{Addrs: []string{srv.Addr}})
	if _, err := a.AcquireLease(tctx(t), "hq", "a", time.Hour); err != nil {
		t.Fatal(err)
	}
	defer serveEcho(t, b, "hq", "b")()
	defer serveEcho(t, a, "hq", "a")()
	for range 10 {
		got, err := sendUntilServed(t, b, "hq", "x")
		if err != nil || got != "a:x" {
			t.Fatalf("reply %q, %v; want a:x from the lease owner", got, err)
		}
	}
}

// Requests still queued when the server stops are answered with ErrNoOwner at once instead
// of waiting for their deadline.
func TestStoppedServerAnswersQueuedRequests(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	k := newKeys(s.opts.KeyPrefix, "hq")
	block := make(chan struct{})
	var blocked atomic.Int64
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.ServeCommands(ctx, "hq", "a", func(hctx context.Context, cmd []byte) []byte {
			if string(cmd) == "block" {
				blocked.Add(1)
				<-block
			}
			return cmd
		})
	}()
	if got, err := sendUntilServed(t, s, "hq", "warm"); err != nil || got != "warm" {
		t.Fatalf("warm-up reply %q, %v", got, err)
	}
	// Fill the handler slots so that further requests stay queued.
	for range maxInFlight {
		go s.SendCommand(tctx(t), "hq", []byte("block"))
	}
	eventually(t, "all handler slots busy", func() error {
		if n := blocked.Load(); n < maxInFlight {
			return fmt.Errorf("%d handlers blocked", n)
		}
		return nil
	})
	queued := make(chan error, 1)
	go func() {
		_, err := s.SendCommand(tctx(t), "hq", []byte("late"))
		queued <- err
	}()
	eventually(t, "late request queued", func() error {
		n, _ := s.client.LLen(tctx(t), k.queue("a")).Result()
		if n == 0 {
			return errors.New("not queued yet")
		}
		return nil
	})
	cancel()
	close(block)
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("ServeCommands returned %v", err)
	}
	err := <-queued
	if !errors.Is(err, store.ErrNoOwner) || !strings.Contains(err.Error(), "stopped serving") {
		t.Fatalf("queued request: %v, want ErrNoOwner (stopped serving)", err)
	}
}

func TestServeCommandsEndsWithErrClosed(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}})
	stop := serveEcho(t, s, "hq", "a")
	if _, err := sendUntilServed(t, s, "hq", "x"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := stop(); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("ServeCommands after Close: %v, want ErrClosed", err)
	}
}

// A request queued for a server that died without stopping (its serving mark not yet
// expired) is withdrawn and reported as not delivered, so the caller may route it again.
func TestRequestToDeadServerIsWithdrawn(t *testing.T) {
	srv := redistest.Start(t)
	a := open(t, Options{Addrs: []string{srv.Addr}})
	b := open(t, Options{Addrs: []string{srv.Addr}})
	if _, err := a.AcquireLease(tctx(t), "hq", "ghost", time.Hour); err != nil {
		t.Fatal(err)
	}
	k := newKeys(a.opts.KeyPrefix, "hq")
	// The ghost looks like a serving owner but never pops its queue, as after SIGKILL.
	if err := markServingScript.Run(tctx(t), a.client, []string{k.servers()}, "ghost", time.Hour.Milliseconds()).Err(); err != nil {
		t.Fatal(err)
	}
	_, err := b.SendCommand(tctx(t), "hq", []byte("hold"))
	if !errors.Is(err, store.ErrNoOwner) || !strings.Contains(err.Error(), "withdrawn") {
		t.Fatalf("got %v; want ErrNoOwner (withdrawn)", err)
	}
	if n, err := a.client.LLen(tctx(t), k.queue("ghost")).Result(); err != nil || n != 0 {
		t.Fatalf("queue still holds %d requests (%v)", n, err)
	}
}
