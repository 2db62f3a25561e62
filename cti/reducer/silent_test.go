package reducer

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/tapi"
)

// silentSeeds is how many seeds TestMinimalTrafficNeverSilentlyWrong plays; more for a soak:
// go test ./cti/reducer -run TestMinimalTrafficNeverSilentlyWrong -silent-seeds 300
var silentSeeds = flag.Uint64("silent-seeds", 12, "seeds of TestMinimalTrafficNeverSilentlyWrong")

// A switch without callIDs (pbxsim's minimal profile) leaves the reducer to place events by
// device and state. It may not always manage, but it must know when it did not: at every
// quiet point of random traffic each line shows the switch's calls (states, and the other
// parties of each call), unless an event since the line was last right asked for a repair.
// The test plays the repair the engine would (SnapshotDevice, Reconcile) for a line that asked;
// a line wrong without having asked is a silent misplacement, reported with its events.
// Two mixes: the calls of TestProfileTraffic (dial, answer, hold, consult, transfer,
// conference, hang up), and the features (featureAction: forwarding, do not disturb,
// deflection, single-step transfer, ClearConnection). Seeded, so a failure names its seed.
func TestMinimalTrafficNeverSilentlyWrong(t *testing.T) {
	for _, mix := range []string{"calls", "features"} {
		for seed := uint64(1); seed <= *silentSeeds; seed++ {
			t.Run(fmt.Sprintf("%s/seed%d", mix, seed), func(t *testing.T) {
				h := newTruthHarness(t)
				rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
				for i := range 150 {
					var action string
					if mix == "features" {
						action = h.featureAction(rng)
					} else {
						action = h.randomAction(rng)
					}
					h.step(fmt.Sprintf("%d:%s", i, action))
				}
				h.actions += *silentRepairDelay // the repairs still due, as at the end of TestProfileTraffic
				for _, ext := range h.exts {
					h.check(ext)
				}
				t.Logf("%d events, %d repairs, %d of them could not name the parties of the calls told apart by state",
					h.events, h.repairs, h.unnamed)
			})
		}
	}
}

// truthHarness plays traffic on a minimal-profile simulator and reduces what its monitors
// receive, action by action.
type truthHarness struct {
	t     *testing.T
	p     *pbxsim.PBX
	cc    *csta.Conn
	st    *State
	exts  []string
	now   time.Time
	mu    sync.Mutex
	refs  map[csta.MonitorCrossRefID]string
	queue []recordedEvent // received, not yet reduced
	count uint64
	// arrived is signalled (without waiting) after each event received, for settle.
	arrived chan struct{}
	// per line: the events since it last matched the switch, and whether one asked for a
	// repair
	since    map[string][]string
	flagged  map[string]bool
	reported map[string]bool
	history  map[string][]string // every event of the line, for -silent-history
	// unknownParties are the calls a repair could not name the parties of; unnamed counts
	// such repairs.
	unknownParties map[tapi.CallHandle]bool
	unnamed        int
	events         int
	repairs        int
	actions        int            // actions played
	due            map[string]int // when a line that asked for a repair gets it, in actions
}

// silentRepairDelay is how many actions later the test repairs a line that asked for it.
var silentRepairDelay = flag.Int("silent-repair-delay", 0, "actions between a repair's request and its snapshot")

// silentHistory makes TestMinimalTrafficNeverSilentlyWrong print a wrong line's every event.
var silentHistory = flag.Bool("silent-history", false, "print a wrong line's every event")

// report fails the test for a wrong line.
func (h *truthHarness) report(ext, what, bad string) {
	h.reported[ext] = true
	evs := h.since[ext]
	if *silentHistory {
		evs = h.history[ext]
	}
	h.t.Errorf("line %s %s: %s\n  calls: %s\n  events since it was right:\n    %s", ext, what, bad,
		h.describe(ext), strings.Join(evs, "\n    "))
}

type recordedEvent struct {
	ext string
	ev  csta.Event
}

func newTruthHarness(t *testing.T) *truthHarness {
	p, err := pbxsim.New(pbxsim.Config{Extensions: []string{"200-209"}, Profile: "minimal",
		NoAnswerTime: time.Hour, HuntGroups: []pbxsim.HuntGroup{{Number: huntPilot, Members: []string{"207", "208", "209"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	node, err := p.StartNode(ctx, "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &truthHarness{t: t, p: p, st: NewState("hq"), refs: map[csta.MonitorCrossRefID]string{},
		since: map[string][]string{}, flagged: map[string]bool{}, reported: map[string]bool{},
		history: map[string][]string{}, unknownParties: map[tapi.CallHandle]bool{}, due: map[string]int{}, now: time.Unix(1e9, 0),
		arrived: make(chan struct{}, 1)}
	cc, err := csta.Dial(ctx, node.Addr(), csta.Config{Dialect: node.Dialect(), OnEvent: func(ev csta.Event) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.queue = append(h.queue, recordedEvent{ext: h.refs[ev.Common().MonitorCrossRefID], ev: ev})
		h.count++
		select {
		case h.arrived <- struct{}{}:
		default: // settle has a signal waiting already
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	h.cc = cc
	for i := 200; i <= 209; i++ {
		ext := fmt.Sprint(i)
		h.exts = append(h.exts, ext)
		h.st.AddLine(ext, "")
		m, err := cc.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device(ext)})
		if err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		h.refs[m.(*csta.MonitorStartResponse).MonitorCrossRefID] = ext
		h.mu.Unlock()
	}
	return h
}

// settle waits until every event the simulator queued has arrived, and takes them.
func (h *truthHarness) settle() []recordedEvent {
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		h.mu.Lock()
		if h.count >= h.p.Stats().EventsQueued {
			q := h.queue
			h.queue = nil
			h.mu.Unlock()
			return q
		}
		h.mu.Unlock()
		select {
		case <-h.arrived:
		case <-timeout.C:
			h.t.Fatal("events queued by the simulator never arrived")
		}
	}
}

// step reduces the events of one action and holds every line to the switch's truth.
func (h *truthHarness) step(action string) {
	h.actions++
	for _, r := range h.settle() {
		h.now = h.now.Add(time.Millisecond)
		res := h.st.Apply(r.ext, r.ev, h.now)
		h.events++
		note := action + " | " + summarize(r.ev)
		if res.Repair != "" {
			if !h.flagged[r.ext] {
				h.due[r.ext] = h.actions + *silentRepairDelay
			}
			h.flagged[r.ext] = true
			note += " => repair:" + res.Repair
		}
		for _, e := range res.Events {
			if e.Type == tapi.LineCallState && e.CallState != nil {
				note += fmt.Sprintf(" [%s %s]", e.Handle, e.CallState.State)
			}
		}
		h.since[r.ext] = append(h.since[r.ext], note)
		h.history[r.ext] = append(h.history[r.ext], note)
	}
	for _, ext := range h.exts {
		h.check(ext)
	}
}

// check compares a line with the switch; a line that asked for a repair gets one. A line
// silently wrong is reported once, with the events since it was last right, and then
// repaired to go on from the switch's view. A repair makes the states right; it cannot name
// the parties of calls it told apart by state alone (SnapshotDevice lists no parties, and
// the minimal switch refuses SnapshotCall): those are counted, and their calls' parties are
// not held to the switch from then on.
func (h *truthHarness) check(ext string) {
	if h.flagged[ext] && h.actions < h.due[ext] {
		return // the engine repairs a line an interval after it asked; events go on meanwhile
	}
	bad := h.mismatch(ext)
	switch {
	case bad == "":
		h.since[ext], h.reported[ext] = nil, false
		return
	case h.reported[ext], h.flagged[ext]:
	default:
		h.report(ext, "silently wrong", bad)
	}
	h.repair(ext)
	switch again := h.mismatch(ext); {
	case again == "":
		h.since[ext], h.reported[ext] = nil, false
	case strings.HasPrefix(again, "parties") && h.flagged[ext]:
		h.unnamed++
		for _, c := range h.st.Calls(ext) {
			h.unknownParties[c.Handle] = true
		}
		h.since[ext] = nil
	case !h.reported[ext]:
		h.report(ext, "wrong after its repair", again)
	}
	h.flagged[ext] = false
}

// repair snapshots the device and reconciles the line, as the engine's repair does.
func (h *truthHarness) repair(ext string) {
	h.repairs++
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := h.cc.Request(ctx, &csta.SnapshotDevice{SnapshotObject: csta.Device(ext)})
	if err != nil {
		h.t.Fatalf("snapshot of %s: %v", ext, err)
	}
	h.now = h.now.Add(time.Millisecond)
	h.st.Reconcile(map[string][]csta.SnapshotDeviceItem{ext: m.(*csta.SnapshotDeviceResponse).Items}, nil, h.now)
}

// mismatch says how the line differs from the switch's connections of its device: the
// states (as TestProfileTraffic compares them), then the other parties of each call.
func (h *truthHarness) mismatch(ext string) string {
	truth := h.p.Truth()
	var conns []switchConn
	for _, c := range truth.Calls {
		var me *pbxsim.PartyTruth
		var others []string
		for i, pt := range c.Parties {
			if pt.Device == ext {
				me = &c.Parties[i]
			} else {
				others = append(others, pt.Device)
			}
		}
		if me != nil {
			slices.Sort(others)
			conns = append(conns, switchConn{state: me.State, others: others})
		}
	}
	calls := h.st.Calls(ext)
	if !sameStates(conns, calls) {
		return fmt.Sprintf("states: switch %v", conns)
	}
	for i := range calls {
		if h.unknownParties[calls[i].Handle] {
			calls[i].Parties = nil // matches any (sameOthers)
		}
	}
	if !sameParties(conns, calls) {
		return fmt.Sprintf("parties: switch %v", conns)
	}
	return ""
}

type switchConn struct {
	state  csta.LocalConnectionState
	others []string
}

func (c switchConn) String() string { return fmt.Sprintf("%s%v", c.state, c.others) }

func sameStates(conns []switchConn, calls []tapi.Call) bool {
	var want, got []string
	for _, cn := range conns {
		want = append(want, string(cn.state))
	}
	for _, c := range calls {
		s := c.State.String()
		for _, w := range want {
			if Natural(c.State, csta.LocalConnectionState(w)) {
				s = w
			}
		}
		got = append(got, s)
	}
	slices.Sort(want)
	slices.Sort(got)
	return slices.Equal(want, got)
}

// sameParties pairs each connection with a call in its state whose parties are the
// connection's call's other devices (any pairing will do: a few calls per line).
func sameParties(conns []switchConn, calls []tapi.Call) bool {
	used := make([]bool, len(calls))
	var match func(i int) bool
	match = func(i int) bool {
		if i == len(conns) {
			return true
		}
		for j, c := range calls {
			if used[j] || !Natural(c.State, conns[i].state) || !sameOthers(c, conns[i]) {
				continue
			}
			used[j] = true
			if match(i + 1) {
				return true
			}
			used[j] = false
		}
		return false
	}
	return match(0)
}

// sameOthers: a call the line knows no parties of (adopted from a snapshot), and a call whose
// other party left (the switch lists the line alone) match any.
func sameOthers(c tapi.Call, cn switchConn) bool {
	if len(c.Parties) == 0 || cn.state == csta.StateFail {
		return true
	}
	ps := slices.Clone(c.Parties)
	slices.Sort(ps)
	return slices.Equal(ps, cn.others)
}

func (h *truthHarness) describe(ext string) string {
	var out []string
	for _, c := range h.st.Calls(ext) {
		out = append(out, fmt.Sprintf("%s %s%v", c.Handle, c.State, c.Parties))
	}
	return strings.Join(out, ", ")
}

// summarize writes an event's members briefly: its name, cause, local state and the numbers
// of its devices and connections.
func summarize(ev csta.Event) string {
	v := reflect.ValueOf(ev).Elem()
	var b strings.Builder
	b.WriteString(strings.TrimSuffix(v.Type().Name(), "Event"))
	c := ev.Common()
	fmt.Fprintf(&b, "(%s,%s)", c.Cause, c.LocalConnectionInfo)
	for i := range v.NumField() {
		f, ft := v.Field(i), v.Type().Field(i)
		if ft.Anonymous {
			continue
		}
		if s := memberText(f); s != "" {
			fmt.Fprintf(&b, " %s=%s", ft.Name, s)
		}
	}
	return b.String()
}

func memberText(f reflect.Value) string {
	switch x := f.Interface().(type) {
	case csta.DeviceID:
		return x.Number
	case csta.ConnectionID:
		if x.IsZero() {
			return ""
		}
		return x.CallID + "@" + x.DeviceID.Number
	case []csta.ConnectionListItem:
		var out []string
		for _, it := range x {
			out = append(out, fmt.Sprintf("{%s@%s<-%s@%s ep=%s}", it.NewConnection.CallID, it.NewConnection.DeviceID.Number,
				it.OldConnection.CallID, it.OldConnection.DeviceID.Number, it.Endpoint.Number))
		}
		return strings.Join(out, ",")
	}
	return ""
}
