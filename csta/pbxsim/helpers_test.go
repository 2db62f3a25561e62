package pbxsim

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// recorder is an in-process subscriber: it records events as a client session would receive
// them, with canonical call IDs and OSV decoration.
type recorder struct {
	mu     sync.Mutex
	events []csta.Event
	refs   map[csta.MonitorCrossRefID]string // cross ref -> device
}

func (r *recorder) push(ev csta.Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
}
func (r *recorder) wireCallID(c *call) string               { return c.id }
func (r *recorder) canonicalCallID(w string) (uint64, bool) { return parseCallID(w) }
func (r *recorder) decorate() bool                          { return true }
func (r *recorder) take() []csta.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events
	r.events = nil
	return e
}
func (r *recorder) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.events) }
func summary(ev csta.Event) string {
	c := ev.Common()
	return fmt.Sprintf("%s %s %s", ev.MessageName(), c.LocalConnectionInfo, c.Cause)
}

// fixture is a PBX with extensions 201-209, an external decoration, and a recorder
// monitoring the given devices.
type fixture struct {
	t   *testing.T
	p   *PBX
	rec *recorder
}

func newFixture(t *testing.T, cfg Config, monitored ...string) *fixture {
	t.Helper()
	if cfg.Extensions == nil {
		cfg.Extensions = []string{"201-209"}
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	f := &fixture{t: t, p: p, rec: &recorder{refs: map[csta.MonitorCrossRefID]string{}}}
	for _, d := range monitored {
		resp := f.exec(&csta.MonitorStart{MonitorObject: csta.Device(d)}).(*csta.MonitorStartResponse)
		f.rec.refs[resp.MonitorCrossRefID] = d
	}
	return f
}

// exec runs a request that must succeed.
func (f *fixture) exec(req csta.Message) csta.Message {
	f.t.Helper()
	resp, err := f.p.execute(f.rec, req)
	if err != nil {
		f.t.Fatalf("%s: %v", req.MessageName(), err)
	}
	return resp
}

// refuse runs a request that must fail with the given CSTA error.
func (f *fixture) refuse(req csta.Message, category, value string) {
	f.t.Helper()
	resp, err := f.p.execute(f.rec, req)
	ce, ok := err.(*csta.Error)
	if !ok || ce.Category != category || ce.Value != value {
		f.t.Fatalf("%s: got %v, %v; want csta error %s/%s", req.MessageName(), resp, err, category, value)
	}
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

// expect compares the events each monitored device received since the last call, in order.
// Devices not named must have received nothing.
func (f *fixture) expect(want map[string][]string) []csta.Event {
	f.t.Helper()
	evs := f.rec.take()
	got := map[string][]string{}
	for _, ev := range evs {
		dev, ok := f.rec.refs[ev.Common().MonitorCrossRefID]
		if !ok {
			f.t.Fatalf("event %s with unknown cross ref %q", ev.MessageName(), ev.Common().MonitorCrossRefID)
		}
		got[dev] = append(got[dev], summary(ev))
	}
	if want == nil {
		want = map[string][]string{}
	}
	for d, w := range want {
		if len(w) == 0 {
			delete(want, d)
		}
	}
	if !reflect.DeepEqual(got, want) {
		f.t.Fatalf("events:\n got  %q\n want %q", got, want)
	}
	return evs
}

// find returns the first recorded event of the device with the given name.
func (f *fixture) find(evs []csta.Event, dev, name string) csta.Event {
	f.t.Helper()
	for _, ev := range evs {
		if ev.MessageName() == name && f.rec.refs[ev.Common().MonitorCrossRefID] == dev {
			return ev
		}
	}
	f.t.Fatalf("no %s at %s", name, dev)
	return nil
}

// waitEvents waits until the recorder holds n events.
func (f *fixture) waitEvents(n int) {
	f.t.Helper()
	testkit.EventuallyNil(f.t, fmt.Sprintf("%d events", n), func() error {
		if have := f.rec.count(); have < n {
			return fmt.Errorf("have %d", have)
		}
		return nil
	})
}

func cid(callID, dev string) csta.ConnectionID {
	return csta.ConnectionID{CallID: callID, DeviceID: csta.Device(dev)}
}

// makeCall runs MakeCall and returns the call ID.
func (f *fixture) makeCall(from, to string) string {
	f.t.Helper()
	resp := f.exec(&csta.MakeCall{CallingDevice: csta.Device(from), CalledDirectoryNumber: csta.Device(to)})
	return resp.(*csta.MakeCallResponse).CallingDevice.CallID
}

// connected sets up an answered call from -> to, discarding its events.
func (f *fixture) connected(from, to string) string {
	f.t.Helper()
	id := f.makeCall(from, to)
	f.exec(&csta.AnswerCall{CallToBeAnswered: cid(id, to)})
	f.rec.take()
	return id
}
