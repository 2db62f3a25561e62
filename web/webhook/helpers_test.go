package webhook

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
)

const testSecret = "s3cret-for-tests"

// receiver is a real HTTP listener that verifies each delivery's signature and records it.
type receiver struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	got    []Payload // verified deliveries, in arrival order
	tries  map[string][]int
	status int // answered to every request; 0: 204
	badSig int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, tries: map[string][]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := io.ReadAll(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := Verify(testSecret, req.Header, body, time.Now(), 5*time.Minute); err != nil {
			r.badSig++
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p Payload
		if err := json.Unmarshal(body, &p); err != nil || p.ID != req.Header.Get(HeaderID) {
			r.badSig++
			http.Error(w, "body does not match Webhook-Id", http.StatusBadRequest)
			return
		}
		n, _ := strconv.Atoi(req.Header.Get(HeaderAttempt))
		r.tries[p.ID] = append(r.tries[p.ID], n)
		if r.status != 0 {
			http.Error(w, "receiver says no", r.status)
			return
		}
		r.got = append(r.got, p)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) setStatus(s int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status = s
}

func (r *receiver) payloads() []Payload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Payload(nil), r.got...)
}

// engine writes a PBX's events to the store as the cti engine does, under its lease.
type engine struct {
	t     *testing.T
	st    store.Store
	pbx   string
	fence store.Fence
}

func newEngine(t *testing.T, st store.Store, pbx string) *engine {
	l, err := st.AcquireLease(t.Context(), pbx, "engine", time.Hour)
	require.NoError(t, err)
	return &engine{t: t, st: st, pbx: pbx, fence: l.Fence()}
}

func (e *engine) apply(b store.Batch) {
	_, err := e.st.Apply(context.Background(), e.pbx, e.fence, b)
	require.NoError(e.t, err)
}

func callEvent(pbx, ext string, n int, typ tapi.EventType) tapi.Event {
	line := tapi.LineName(pbx, ext)
	return tapi.Event{V: tapi.WireVersion, Type: typ, Time: time.Now().UTC(), PBX: pbx, Line: line,
		Device: tapi.LineDeviceID(line), Handle: tapi.CallHandle(pbx + ":" + strconv.Itoa(n))}
}

func newCall(pbx, ext string, n int, caller string) tapi.Event {
	e := callEvent(pbx, ext, n, tapi.LineNewCall)
	e.Call = &tapi.Call{Handle: e.Handle, Line: e.Line, CallID: "C" + strconv.Itoa(n),
		CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE},
		Info: tapi.CallInfo{Origin: tapi.LINECALLORIGIN_EXTERNAL, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: tapi.PartyID{Number: caller, Flags: tapi.LINECALLPARTYID_ADDRESS}},
		Created: e.Time, StateSince: e.Time}
	return e
}

func stateEvent(pbx, ext string, n int, s tapi.CallStatus) tapi.Event {
	e := callEvent(pbx, ext, n, tapi.LineCallState)
	e.CallState = &s
	return e
}

var (
	offering  = tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE}
	connected = tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE}
	onHold    = tapi.CallStatus{State: tapi.LINECALLSTATE_ONHOLD}
	idle      = tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}
)

// ringAndEnd is one whole call n at pbx/ext: offered, answered, ended, with its journal entry.
func ringAndEnd(e *engine, ext string, n int) {
	nc := newCall(e.pbx, ext, n, "+4930555"+strconv.Itoa(1000+n))
	e.apply(store.Batch{Events: []tapi.Event{nc, stateEvent(e.pbx, ext, n, offering)}})
	e.apply(store.Batch{Events: []tapi.Event{stateEvent(e.pbx, ext, n, connected)}})
	end := stateEvent(e.pbx, ext, n, idle)
	e.apply(store.Batch{Events: []tapi.Event{end}, Journal: []store.JournalEntry{{
		ID: store.NewRecordID(end.Time), PBX: e.pbx, Line: end.Line, Handle: end.Handle, CallID: nc.Call.CallID, Caller: nc.Call.Info.Caller,
		Started: nc.Time, Answered: nc.Time, Ended: end.Time, Outcome: "answered"}}})
}

// startDispatcher runs a Dispatcher on st until the test ends (or stop is called).
func startDispatcher(t *testing.T, st store.Store, cfg Config) (*Dispatcher, context.CancelFunc) {
	t.Helper()
	if cfg.Owner == "" {
		cfg.Owner = "a"
	}
	if cfg.PBXs == nil {
		cfg.PBXs = []string{"hq"}
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = 50 * time.Millisecond
	}
	if cfg.LeaseTTL == 0 {
		cfg.LeaseTTL = 300 * time.Millisecond
	}
	cfg.Logger = quietLog()
	d, err := New(st, cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = d.Run(ctx) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return d, stop
}

func sub(id, url string, lines ...string) store.WebhookSubscription {
	return store.WebhookSubscription{ID: id, URL: url, Lines: lines, Secret: testSecret}
}

func newStore(t *testing.T) *memory.Store { return newStoreFor(t) }

func newStoreFor(tb testing.TB) *memory.Store {
	st := memory.New(memory.Options{})
	tb.Cleanup(func() { _ = st.Close() })
	return st
}

func quietLog() *logrus.Entry {
	log := logrus.New()
	log.SetOutput(io.Discard)
	return logrus.NewEntry(log)
}

// waitCursor waits until the dispatcher made its cursor of id at pbx (it delivers what
// follows it).
func waitCursor(t *testing.T, st store.WebhookStore, id, pbx string) {
	t.Helper()
	require.Eventually(t, func() bool {
		_, ok, err := st.WebhookCursor(context.Background(), id, pbx)
		return err == nil && ok
	}, 10*time.Second, 5*time.Millisecond)
}
