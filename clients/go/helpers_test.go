package client_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

func TestMain(m *testing.M) { clienttest.Main(m) }

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, cfg client.Config) *client.Client {
	t.Helper()
	if cfg.MaxBackoff == 0 {
		cfg.MinBackoff, cfg.MaxBackoff = 20*time.Millisecond, 500*time.Millisecond
	}
	c, err := client.Dial(testCtx(t), cfg)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// next returns the next event the predicate accepts, failing after 30s.
func next(t *testing.T, c *client.Client, what string, want func(client.Event) bool) client.Event {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-c.Events():
			if !ok {
				t.Fatalf("events closed while waiting for %s (client error: %v)", what, c.Err())
			}
			if want(ev) {
				return ev
			}
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// callState matches a LINE_CALLSTATE of line with state.
func callState(line string, state tapi.CallState) func(client.Event) bool {
	return func(ev client.Event) bool {
		e, ok := ev.(*client.TAPIEvent)
		return ok && e.Type == tapi.LineCallState && e.Line == line && e.CallState.State == state
	}
}

// waitGoroutines polls until the goroutine count is back at most at base.
func waitGoroutines(t *testing.T, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			n := runtime.Stack(buf, true)
			t.Fatalf("goroutines: %d, want at most %d:\n%s", runtime.NumGoroutine(), base, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func configYAML(primary, standby, extra string) string {
	return clienttest.DemoConfig(primary, standby, extra)
}
