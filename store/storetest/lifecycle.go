package storetest

import (
	"context"
	"testing"

	"github.com/ctibridge/ctibridge/store"
)

var lifecycleTests = []contractTest{
	{"Lifecycle/Ping", testPing},
	{"Lifecycle/Close", testClose},
}

func testPing(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	noErr(t, "Ping", s.Ping(testCtx(t)))
}

func testClose(t *testing.T, nb NewBackend) {
	s, _ := open(t, nb)
	l := acquire(t, s, "hq", "a", longTTL)
	epoch := position(t, s, "hq").Epoch
	sub := subscribe(t, s, testCtx(t), "hq")
	stop := serve(t, s, "hq", "a", echo)
	sendWhenServed(t, s, "hq", []byte("up"))

	noErr(t, "Close", s.Close())
	_, err := drain(t, sub)
	wantErr(t, "subscription Err after Close", err, store.ErrClosed)
	wantErr(t, "ServeCommands after Close", stop(), store.ErrClosed)

	ctx := testCtx(t)
	calls := map[string]func() error{
		"Ping": func() error { return s.Ping(ctx) },
		"Load": func() error { _, err := s.Load(ctx, "hq"); return err },
		"Apply": func() error {
			_, err := s.Apply(ctx, "hq", l.Fence(), store.Batch{Events: Events("hq", "x", 1)})
			return err
		},
		"Position": func() error { _, err := s.Position(ctx, "hq"); return err },
		"Replay":   func() error { _, err := s.Replay(ctx, "hq", epoch, 0, 0); return err },
		"Subscribe": func() error {
			sub, err := s.Subscribe(ctx, "hq")
			if err == nil {
				sub.Close()
			}
			return err
		},
		"AcquireLease": func() error { _, err := s.AcquireLease(ctx, "hq", "b", longTTL); return err },
		"RenewLease":   func() error { _, err := s.RenewLease(ctx, l, longTTL); return err },
		"ReleaseLease": func() error { return s.ReleaseLease(ctx, l) },
		"LeaseOwner":   func() error { _, _, err := s.LeaseOwner(ctx, "hq"); return err },
		"Journal":      func() error { _, err := s.Journal(ctx, "hq/201", 0, 0); return err },
		"SendCommand":  func() error { _, err := s.SendCommand(ctx, "hq", []byte("x")); return err },
		"ServeCommands": func() error {
			c, cancel := context.WithCancel(ctx)
			defer cancel()
			return s.ServeCommands(c, "hq", "a", echo)
		},
	}
	for name, call := range calls {
		wantErr(t, name+" after Close", call(), store.ErrClosed)
	}
	if err := s.Close(); err != nil {
		wantErr(t, "second Close", err, store.ErrClosed)
	}
}
