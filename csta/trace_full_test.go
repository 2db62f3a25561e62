package csta

import (
	"context"
	"sync"
	"testing"
)

// TestSetTraceFullBodies switches the full-body trace on, off and on again on a live session
// and checks that it sees every message with its whole body, and nothing while off.
func TestSetTraceFullBodies(t *testing.T) {
	var mu sync.Mutex
	var got []TraceRecord
	fn := func(r TraceRecord) {
		mu.Lock()
		r.Body = append([]byte(nil), r.Body...)
		got = append(got, r)
		mu.Unlock()
	}
	count := func() int { mu.Lock(); defer mu.Unlock(); return len(got) }
	c, s := startPair(t, Config{TraceTo: fn}, ServerConfig{Handler: func(ctx context.Context, req Message) (Message, error) {
		return &HoldCallResponse{}, nil
	}})
	ctx := testCtx(t)
	hold := &HoldCall{CallToBeHeld: ConnectionID{CallID: "1", DeviceID: Device("201")}}
	if _, err := c.Request(ctx, hold); err != nil {
		t.Fatal(err)
	}
	if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: "m"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three trace records", func() bool { return count() >= 3 })
	mu.Lock()
	want := []struct {
		dir  string
		id   int
		name string
	}{{"send", 1, "HoldCall"}, {"recv", 1, "HoldCallResponse"}, {"recv", EventInvokeID, "HeldEvent"}}
	for i, w := range want {
		r := got[i]
		if r.Dir != w.dir || r.InvokeID != w.id || r.Name != w.name || r.Time.IsZero() {
			t.Errorf("record %d = %s %d %s, want %s %d %s", i, r.Dir, r.InvokeID, r.Name, w.dir, w.id, w.name)
		}
		m, err := Decode(r.Body)
		if err != nil || m.MessageName() != w.name {
			t.Errorf("record %d: body does not decode to %s (%v): %q", i, w.name, err, r.Body)
		}
	}
	mu.Unlock()

	c.SetTrace(nil)
	if _, err := c.Request(ctx, hold); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 3 {
		t.Fatalf("%d records after the trace was switched off, want 3", n)
	}
	c.SetTrace(fn)
	if _, err := c.Request(ctx, hold); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the trace resumed", func() bool { return count() == 5 })
}
