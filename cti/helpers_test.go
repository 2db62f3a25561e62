package cti

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// sim is a duplex simulated PBX on 127.0.0.1.
type sim struct {
	p                *pbxsim.PBX
	primary, standby *pbxsim.Node
}

func newSim(t testing.TB, exts ...string) *sim {
	t.Helper()
	return newSimWith(t, nil, exts...)
}

// newSimWith is newSim with the simulator's configuration changed by mod first.
func newSimWith(t testing.TB, mod func(*pbxsim.Config), exts ...string) *sim {
	t.Helper()
	cfg := pbxsim.Config{Extensions: exts, Dialect: "osv", User: "cti", Password: "secret",
		NoAnswerTime: time.Hour}
	if mod != nil {
		mod(&cfg)
	}
	p, err := pbxsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	pr, err := p.StartNode(ctx, "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := p.StartNode(ctx, "standby", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return &sim{p: p, primary: pr, standby: sb}
}

// pbxConfig is a fast-failing PBX link to s.
func (s *sim) pbxConfig(devices ...string) PBXConfig {
	return PBXConfig{
		Name: "hq", Dialect: "osv", Primary: s.primary.Addr(), Standby: s.standby.Addr(),
		User: "cti", Password: "secret", Heartbeat: 200 * time.Millisecond, Misses: 3,
		ConnectTimeout: 1500 * time.Millisecond, BackoffMin: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		OutOfServiceGrace: 1500 * time.Millisecond, ProbeInterval: 50 * time.Millisecond,
		FailbackAfter: 200 * time.Millisecond, Devices: devices,
	}
}

// bridge is a running engine with a recorder of its PBX log.
type bridge struct {
	t    testing.TB
	e    *Engine
	st   store.Store
	rec  *recorder
	stop context.CancelFunc
	done chan struct{}
}

func newStore() *memory.Store {
	return memory.New(memory.Options{SubscriberBuffer: 1 << 14, MaxLogLen: 1 << 20})
}

// startBridge runs an engine on st (a fresh memory store when nil) for one PBX config.
func startBridge(t testing.TB, st store.Store, instance string, pc PBXConfig, mod func(*Config)) *bridge {
	t.Helper()
	// Bridges that share a store compete for the lease and need a short one to take over
	// quickly; a lone bridge gets a long one, so that a test process starved of CPU (the race
	// detector, other packages testing alongside) does not lose it and restart its term.
	ttl := 5 * time.Second
	if st == nil {
		st = newStore()
	} else {
		ttl = time.Second
	}
	cfg := Config{InstanceID: instance, Store: st, PBXs: []PBXConfig{pc}, LeaseTTL: ttl,
		Log: testLog(t, instance)}
	if mod != nil {
		mod(&cfg)
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b := &bridge{t: t, e: e, st: st, done: make(chan struct{})}
	b.rec = record(t, st, pc.Name)
	ctx, cancel := context.WithCancel(context.Background())
	b.stop = cancel
	go func() {
		defer close(b.done)
		e.Run(ctx)
	}()
	t.Cleanup(b.close)
	return b
}

// testLog collects an engine's log and prints it when the test fails, so that a failure
// that depends on timing can be read afterwards.
func testLog(t testing.TB, instance string) *logrus.Entry {
	l, _ := testkit.Logger(t, "engine "+instance)
	return logrus.NewEntry(l).WithField("instance", instance)
}

func (b *bridge) close() {
	b.stop()
	<-b.done
}

// recorder keeps every entry of a PBX log (subscribed before the engine starts).
type recorder struct {
	mu      sync.Mutex
	entries []store.Entry
}

func record(t testing.TB, st store.Store, pbxName string) *recorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sub, err := st.Subscribe(ctx, pbxName)
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for en := range sub.C() {
			r.mu.Lock()
			r.entries = append(r.entries, en)
			r.mu.Unlock()
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *recorder) all() []store.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]store.Entry(nil), r.entries...)
}

// count returns how many events of type typ match f.
// after selects events stamped at or after since, for count. Tests that count switchovers
// exactly count from their fault on: under load, the first connection to the primary may time
// out, and the link then starts on the standby and fails back before the test acts.
func after(since time.Time) func(tapi.Event) bool {
	return func(ev tapi.Event) bool { return !ev.Time.Before(since) }
}

func (r *recorder) count(typ tapi.EventType, f func(tapi.Event) bool) int {
	n := 0
	for _, en := range r.all() {
		if en.Event.Type == typ && (f == nil || f(en.Event)) {
			n++
		}
	}
	return n
}

// checkSequences verifies what every client saw is a sequence TAPI allows: a handle starts
// with LINE_NEWCALL, is announced once, and nothing follows its IDLE.
func (r *recorder) checkSequences(t testing.TB) {
	t.Helper()
	state := map[tapi.CallHandle]string{}
	for _, en := range r.all() {
		ev := en.Event
		if err := ev.Validate(); err != nil {
			t.Errorf("offset %d: invalid event: %v", en.Offset, err)
		}
		if ev.Handle == "" {
			continue
		}
		st := state[ev.Handle]
		switch {
		case ev.Type == tapi.LineNewCall && st != "":
			t.Errorf("offset %d: duplicate LINE_NEWCALL for %s on %s (state %s)", en.Offset, ev.Handle, ev.Line, st)
		case ev.Type != tapi.LineNewCall && st == "":
			t.Errorf("offset %d: %s for %s before its LINE_NEWCALL", en.Offset, ev.Type, ev.Handle)
		case st == "idle":
			t.Errorf("offset %d: %s for %s after IDLE", en.Offset, ev.Type, ev.Handle)
		}
		switch {
		case ev.Type == tapi.LineNewCall:
			state[ev.Handle] = "live"
		case ev.Type == tapi.LineCallState && ev.CallState.State == tapi.LINECALLSTATE_IDLE:
			state[ev.Handle] = "idle"
		}
	}
}

// waitFor waits until cond returns nil (testkit.EventuallyNil: cond runs on another goroutine).
func waitFor(t testing.TB, what string, cond func() error) {
	t.Helper()
	testkit.EventuallyNil(t, what, cond)
}

// activeIs waits until the link runs on role and a resync completed (the first one: the
// lines are monitored; tests of later switchovers wait with resynced).
func (b *bridge) activeIs(role string) func() error {
	return func() error {
		for _, li := range b.e.Links() {
			if li.Active != role {
				return fmt.Errorf("active node %q, want %q", li.Active, role)
			}
		}
		for _, en := range b.rec.all() {
			if en.Event.Type == tapi.BridgeResync && en.Event.Resync.Phase == "completed" {
				return nil
			}
		}
		return fmt.Errorf("no resync completed yet")
	}
}

// resynced reports whether the log has at least switches switchovers and a resync, started
// after since, completed after the last one.
func (b *bridge) resynced(switches int, since time.Time) error {
	var lastSwitch, lastResync uint64
	n := 0
	for _, en := range b.rec.all() {
		switch {
		case en.Event.Type == tapi.BridgeSwitchover:
			lastSwitch = en.Offset
			n++
		case en.Event.Type == tapi.BridgeResync && en.Event.Resync.Phase == "completed" &&
			en.Event.Resync.Started.After(since):
			lastResync = en.Offset
		}
	}
	if n < switches {
		return fmt.Errorf("%d switchovers, want %d", n, switches)
	}
	if lastResync <= lastSwitch {
		return fmt.Errorf("no resync completed after the switchover at offset %d", lastSwitch)
	}
	return nil
}

// matchesTruth compares the bridge's calls on the monitored lines with the switch's
// connections. node gives the call IDs the active node reports.
func (b *bridge) matchesTruth(s *sim, node *pbxsim.Node, exts []string) func() error {
	return func() error {
		for _, x := range exts {
			dt, ok := s.p.Device(x)
			if !ok {
				return fmt.Errorf("no device %s in the simulator", x)
			}
			var want []string
			for _, cn := range dt.Connections {
				want = append(want, node.WireCallID(cn.CallID)+"/"+string(cn.State))
			}
			var got []string
			for _, c := range b.e.Calls("hq/" + x) {
				got = append(got, c.CallID+"/"+localFor(c.State, want, c.CallID))
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(want, ",") != strings.Join(got, ",") {
				return fmt.Errorf("line %s: bridge has %v, PBX has %v", x, got, want)
			}
		}
		return nil
	}
}

// localFor returns the PBX local state among want that the TAPI state s agrees with for the
// call id, or the TAPI state's name when none does.
func localFor(s tapi.CallState, want []string, id string) string {
	for _, w := range want {
		wid, st, _ := strings.Cut(w, "/")
		if wid == id && reducer.Natural(s, csta.LocalConnectionState(st)) {
			return st
		}
	}
	return s.String()
}

// handles maps line -> sorted handles of its calls.
func (b *bridge) handles() map[string]string {
	out := map[string]string{}
	for _, c := range b.e.Calls("") {
		out[c.Line] += string(c.Handle) + " "
	}
	return out
}

// keptHandles checks that every line has the handles it had before (a hot move).
func keptHandles(t testing.TB, before, after map[string]string, what string) {
	t.Helper()
	for line, hs := range before {
		if after[line] != hs {
			t.Errorf("line %s: handles %q before, %q after %s", line, hs, after[line], what)
		}
	}
}

// exts lists extensions lo..hi.
func exts(lo, hi int) []string {
	var out []string
	for i := lo; i <= hi; i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

// makeTraffic sets up calls in several states on 200-239: connected internal pairs, ringing
// internal calls, held calls, inbound external calls connected and ringing.
func makeTraffic(t testing.TB, s *sim) {
	t.Helper()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	dial := func(a, b int) {
		_, err := s.p.Dial(fmt.Sprint(a), fmt.Sprint(b))
		must(err)
	}
	for i := 200; i < 210; i += 2 { // connected
		dial(i, i+1)
		must(s.p.Answer(fmt.Sprint(i + 1)))
	}
	for i := 210; i < 220; i += 2 { // ringing
		dial(i, i+1)
	}
	for i := 220; i < 226; i += 2 { // held by the caller
		dial(i, i+1)
		must(s.p.Answer(fmt.Sprint(i + 1)))
		must(s.p.Hold(fmt.Sprint(i)))
	}
	for i := 226; i < 230; i++ { // inbound external, connected
		_, err := s.p.IncomingCall(fmt.Sprintf("+49301234%03d", i), fmt.Sprint(i))
		must(err)
		must(s.p.Answer(fmt.Sprint(i)))
	}
	for i := 230; i < 233; i++ { // inbound external, ringing
		_, err := s.p.IncomingCall(fmt.Sprintf("+49301234%03d", i), fmt.Sprint(i))
		must(err)
	}
	_, err := s.p.OffHook("233") // dial tone
	must(err)
}

// moreTraffic changes the calls after a switchover: ringing ones answered, some hung up.
func moreTraffic(t testing.TB, s *sim) {
	t.Helper()
	for i := 211; i < 220; i += 2 {
		if err := s.p.Answer(fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, x := range []string{"200", "202", "226"} {
		if err := s.p.HangUp(x); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.p.Dial("234", "235"); err != nil {
		t.Fatal(err)
	}
}

// dumpBridge logs the bridge events and line hq/200 of the log, for diagnosing a failure.
func dumpBridge(t *testing.T, b *bridge) {
	for _, en := range b.rec.all() {
		ev := en.Event
		switch {
		case ev.Link != nil:
			t.Logf("%d %s %+v", en.Offset, ev.Type, *ev.Link)
		case ev.Switch != nil:
			t.Logf("%d %s %+v", en.Offset, ev.Type, *ev.Switch)
		case ev.Resync != nil:
			t.Logf("%d %s %+v", en.Offset, ev.Type, *ev.Resync)
		case ev.LineState != nil && ev.Line == "hq/200":
			t.Logf("%d %s %s %v %s", en.Offset, ev.Type, ev.Line, ev.LineState.DevState, ev.Detail)
		case ev.Line == "hq/200":
			t.Logf("%d %s %s %s %s", en.Offset, ev.Type, ev.Line, ev.Handle, ev.Detail)
		}
	}
}
