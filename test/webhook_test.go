package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/web/webhook"
)

const webhookSecret = "e2e-webhook-secret"

// hookReceiver is the CRM: a real HTTP listener that verifies every delivery's signature and
// counts deliveries per id.
type hookReceiver struct {
	srv *httptest.Server

	mu      sync.Mutex
	byID    map[string]webhook.Payload
	count   map[string]int
	badSigs []string
}

func startHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{byID: map[string]webhook.Payload{}, count: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := webhook.Verify(webhookSecret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.badSigs = append(r.badSigs, err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p webhook.Payload
		if err := json.Unmarshal(body, &p); err != nil || p.ID != req.Header.Get(webhook.HeaderID) {
			r.badSigs = append(r.badSigs, fmt.Sprintf("body %s does not match Webhook-Id %s", body, req.Header.Get(webhook.HeaderID)))
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		r.byID[p.ID] = p
		r.count[p.ID]++
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) received() (ids map[string]webhook.Payload, deliveries int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids = make(map[string]webhook.Payload, len(r.byID))
	for k, v := range r.byID {
		ids[k] = v
	}
	for _, n := range r.count {
		deliveries += n
	}
	return ids, deliveries
}

// TestWebhooksAcrossSIGKILL: two instances on Redis deliver call webhooks of generated
// traffic; the delivering instance is killed mid-run. The receiver must get every call event
// the log holds of the subscribed kinds (after deduplication by id: each exactly once, none
// missing, none made up), all correctly signed.
func TestWebhooksAcrossSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end webhook scenario; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	exts := []string{}
	for i := range 12 {
		exts = append(exts, fmt.Sprint(200+i))
	}
	devices := "200-211"
	rds := redistest.Start(t)
	sim := startSim(t, ctx, "generic", "", devices)
	rcv := startHookReceiver(t)

	cfg := bridgeConfig(t, sim.primary, sim.standby, []string{rds.Addr}, "", devices, "", "generic", clusterOpts{})
	secretFile := filepath.Join(t.TempDir(), "crm.secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(webhookSecret+"\n"), 0o600))
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = fmt.Fprintf(f, "webhooks:\n  lease_ttl: 1s\n  refresh: 200ms\n  backoff_min: 50ms\n  backoff_max: 500ms\n"+
		"  subscriptions:\n    - {id: crm, url: %q, secret_file: %q}\n", rcv.srv.URL, secretFile)
	require.NoError(t, err)
	require.NoError(t, f.Close())

	bridges := map[string]*bridgeProc{}
	for _, id := range []string{"bridge-a", "bridge-b"} {
		b := startBridge(t, ctx, cfg, id, func(int) {})
		require.NoError(t, b.ready(ctx))
		bridges[id] = b
	}
	st, err := redisstore.New(ctx, redisstore.Options{Addrs: []string{rds.Addr}})
	require.NoError(t, err)
	defer st.Close()
	lease := store.WebhookLeaseName("crm", pbxName)
	deliverer := func() string {
		owner, _, err := st.LeaseOwner(ctx, lease)
		if err != nil {
			return ""
		}
		return owner
	}
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		if _, ok, err := st.WebhookCursor(ctx, "crm", pbxName); !ok || err != nil || deliverer() == "" {
			return fmt.Errorf("no instance delivers subscription crm yet (cursor %v, err %v)", ok, err)
		}
		return nil
	}))

	gen := newCallGen(sim, exts, 30*time.Millisecond)
	gen.start(ctx, 14)
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		if _, n := rcv.received(); n < 50 {
			return fmt.Errorf("only %d deliveries so far", n)
		}
		return nil
	}))
	victim := deliverer()
	require.NotEmpty(t, victim)
	t0 := time.Now()
	bridges[victim].signal(syscall.SIGKILL)
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		if o := deliverer(); o == "" || o == victim {
			return fmt.Errorf("subscription crm still delivered by %q", o)
		}
		return nil
	}))
	t.Logf("webhook delivery moved from %s to %s in %v", victim, deliverer(), time.Since(t0).Round(time.Millisecond))
	_, before := rcv.received()
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		if _, n := rcv.received(); n < before+50 {
			return fmt.Errorf("only %d deliveries since the takeover", n-before)
		}
		return nil
	}))
	gen.stopGen()
	hangUpAll(t, ctx, sim)

	// What the receiver must have: every entry of the log that a kind covers.
	want := map[string]string{}
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		pos, err := st.Position(ctx, pbxName)
		if err != nil {
			return err
		}
		es, err := st.Replay(ctx, pbxName, pos.Epoch, 0, 0)
		if err != nil {
			return err
		}
		for _, e := range es {
			if k := webhook.KindOf(&e.Event); k != "" {
				want[webhook.DeliveryID(pbxName, e.Epoch, e.Offset)] = k
			}
		}
		got, _ := rcv.received()
		missing := 0
		for id := range want {
			if _, ok := got[id]; !ok {
				missing++
			}
		}
		if missing > 0 {
			return fmt.Errorf("%d of %d deliveries missing", missing, len(want))
		}
		return nil
	}))
	got, deliveries := rcv.received()
	ended, withSummary := 0, 0
	for id, p := range got {
		assert.Equal(t, want[id], p.Kind, "delivery %s is no event of the log of that kind", id)
		if p.Kind == webhook.KindEnded {
			ended++
			if p.Summary != nil {
				withSummary++
			}
		}
	}
	rcv.mu.Lock()
	assert.Empty(t, rcv.badSigs, "every delivery is signed correctly")
	rcv.mu.Unlock()
	calls, _, _ := gen.summary()
	assert.Greater(t, ended, 20, "calls ended")
	assert.Greater(t, withSummary, ended/2, "ended deliveries carry the call summary")
	t.Logf("%d calls generated; %d distinct deliveries (%d ended, %d with summary), %d POSTs: %d repeated after the SIGKILL and deduplicated by id",
		calls, len(got), ended, withSummary, deliveries, deliveries-len(got))
	failed, err := st.FailedDeliveries(ctx, "crm", 0)
	require.NoError(t, err)
	assert.Empty(t, failed)
}

// hangUpAll ends every call at the PBX, so that each call's ended event comes.
func hangUpAll(t *testing.T, ctx context.Context, sim *simProc) {
	t.Helper()
	require.NoError(t, poll(ctx, 30*time.Second, func() error {
		tr, err := sim.truth(ctx)
		if err != nil {
			return err
		}
		if len(tr.Calls) == 0 {
			return nil
		}
		// Every party hangs up, the far ends of calls from outside too (a ringing
		// extension has nothing to hang up).
		for _, c := range tr.Calls {
			for _, p := range c.Parties {
				_, _ = sim.action(ctx, p.Device, "hangup", nil)
			}
		}
		return fmt.Errorf("%d calls still up", len(tr.Calls))
	}))
}
