package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
)

// refusingStore refuses every Apply while fail is set, as Redis at maxmemory does; leases
// still renew.
type refusingStore struct {
	store.Store
	fail atomic.Bool
}

func (r *refusingStore) Apply(ctx context.Context, pbx string, fence store.Fence, b store.Batch) (store.Appended, error) {
	if r.fail.Load() {
		return store.Appended{}, errors.New("OOM command not allowed when used memory > 'maxmemory'")
	}
	return r.Store.Apply(ctx, pbx, fence, b)
}

// An owner whose store refuses writes degrades the link and cannot log it: the alert comes
// from the link watcher, once when the link becomes degraded and once when it recovers.
func TestAlertLinkDegradedAndRecovered(t *testing.T) {
	var mu sync.Mutex
	var alerts []Alert
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a Alert
		if err := json.NewDecoder(r.Body).Decode(&a); err != nil {
			t.Errorf("alert body: %v", err)
		}
		mu.Lock()
		alerts = append(alerts, a)
		mu.Unlock()
	}))
	defer hook.Close()
	var rs *refusingStore
	e := newEnv(t, envOpts{
		storeWrap: func(s store.Store) store.Store { rs = &refusingStore{Store: s}; return rs },
		engine:    func(c *cti.Config) { c.DegradeAfter = 500 * time.Millisecond },
		web:       func(c *Config) { c.AlertWebhooks = []string{hook.URL}; c.AlertBackoff = 10 * time.Millisecond },
	})
	find := func(kind string) *Alert {
		mu.Lock()
		defer mu.Unlock()
		for i := range alerts {
			if alerts[i].Kind == kind {
				a := alerts[i]
				return &a
			}
		}
		return nil
	}
	rs.fail.Store(true)
	fault := time.Now()
	if _, err := e.sim.IncomingCall("+4930555000", "205"); err != nil { // events to write
		t.Fatal(err)
	}
	e.eventually(15*time.Second, "link_degraded alert", func() bool { return find(AlertLinkDegraded) != nil })
	a := find(AlertLinkDegraded)
	t.Logf("link_degraded %v after the store refused writes: %s", time.Since(fault).Round(10*time.Millisecond), a.Summary)
	if a.PBX != "hq" || a.Instance != "test-1" || a.Reason == "" || a.Since == nil || a.Epoch == "" ||
		!strings.Contains(a.Summary, "store writes") || a.Event != nil {
		t.Fatalf("link_degraded alert %+v", a)
	}
	if find(AlertLinkRecovered) != nil {
		t.Fatal("recovered while the store still refuses writes")
	}

	rs.fail.Store(false)
	healed := time.Now()
	e.eventually(20*time.Second, "link_recovered alert", func() bool { return find(AlertLinkRecovered) != nil })
	r := find(AlertLinkRecovered)
	t.Logf("link_recovered %v after the store healed: %s", time.Since(healed).Round(10*time.Millisecond), r.Summary)
	if r.PBX != "hq" || r.Reason != a.Reason || r.Since == nil || !r.Since.Equal(*a.Since) {
		t.Fatalf("link_recovered alert %+v, degraded was %+v", r, a)
	}
	mu.Lock()
	n := 0
	for _, al := range alerts {
		if al.Kind == AlertLinkDegraded {
			n++
		}
	}
	mu.Unlock()
	if n != 1 {
		t.Fatalf("%d link_degraded alerts for one degradation", n)
	}
}
