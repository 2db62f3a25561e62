package cti

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti/lookup"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// slowCRM is a CRM lookup endpoint on a real listener. It answers at once, except for the
// numbers held (hold), which it answers once the test releases them.
type slowCRM struct {
	srv      *httptest.Server
	mu       sync.Mutex
	released map[string]chan struct{}
	asked    map[string]int
	contacts map[string]string
}

func newSlowCRM(t *testing.T, contacts map[string]string) *slowCRM {
	c := &slowCRM{released: map[string]chan struct{}{}, asked: map[string]int{}, contacts: contacts}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("n")
		c.mu.Lock()
		gate := c.released[n]
		c.asked[n]++
		c.mu.Unlock()
		if gate != nil {
			select {
			case <-gate:
			case <-r.Context().Done():
				return
			}
		}
		name, ok := c.contacts[n]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"name":%q}`, name)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *slowCRM) hold(numbers ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range numbers {
		c.released[n] = make(chan struct{})
	}
}

func (c *slowCRM) askedFor(n string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.asked[n]
}

func (c *slowCRM) release(n string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.released[n])
}

// names configures an engine to ask the CRM, through a resolver, counting into m.
func (c *slowCRM) names(t *testing.T, m *lookup.Metrics, budget time.Duration) NamesConfig {
	h, err := lookup.NewHTTP(lookup.HTTPConfig{URL: c.srv.URL + "/?n={number}", Timeout: time.Minute})
	require.NoError(t, err)
	return NamesConfig{Source: lookup.NewResolver(lookup.NewChain(m, h), lookup.CacheConfig{}, m),
		Budget: budget, Metrics: m}
}

// newCallOn returns the LINE_NEWCALL events of line, in log order.
func (r *recorder) eventsOf(line string, typ tapi.EventType) []tapi.Event {
	var out []tapi.Event
	for _, en := range r.all() {
		if en.Event.Line == line && en.Event.Type == typ {
			out = append(out, en.Event)
		}
	}
	return out
}

func named(number, name string) tapi.PartyID {
	return tapi.PartyID{Number: number, Name: name, Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME}
}

// An internal call from 202 "Bob" (pbxs[].names) reaches 201 with Bob's name in the
// LINE_NEWCALL itself, in the stored call and on the caller's own line as the called party.
func TestNamesFromConfigAtOnce(t *testing.T) {
	s := newSim(t, "201", "202")
	pc := s.pbxConfig("201", "202")
	pc.DisplayNames = map[string]string{"201": "Alice", "202": "Bob"}
	m := lookup.NewMetrics()
	b := startBridge(t, nil, "a", pc, func(c *Config) { c.Names.Metrics = m })
	waitFor(t, "link up", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })

	_, err := s.p.Dial("202", "201")
	require.NoError(t, err)
	// The engine's view and the log's subscribers are told after the same write, in no
	// particular order: wait for both.
	waitFor(t, "the call on 201", func() error {
		if len(b.e.Calls("hq/201")) != 1 || len(b.rec.eventsOf("hq/201", tapi.LineNewCall)) != 1 {
			return fmt.Errorf("no call on hq/201")
		}
		return nil
	})
	nc := b.rec.eventsOf("hq/201", tapi.LineNewCall)
	assert.Equal(t, named("202", "Bob"), nc[0].Call.Info.Caller)
	assert.Equal(t, "Bob", b.e.Calls("hq/201")[0].Info.Caller.Name)
	waitFor(t, "the called party on 202", func() error {
		if c := b.e.Calls("hq/202"); len(c) != 1 || c[0].Info.Called != named("201", "Alice") &&
			c[0].Info.Connected != named("201", "Alice") {
			return fmt.Errorf("calls on hq/202: %+v", c)
		}
		return nil
	})
	for _, ev := range b.rec.all() {
		if ev.Event.Line != "hq/202" {
			continue
		}
		parties(&ev.Event, func(p *tapi.PartyID, _ bool) {
			if p.Number == "201" {
				assert.Equal(t, "Alice", p.Name, "every event shows 201 with its name: %s", ev.Event.Type)
			}
		})
	}
	for _, ev := range b.rec.eventsOf("hq/201", tapi.LineCallInfo) {
		assert.Zero(t, ev.CallInfo.Changed&tapi.LINECALLINFOSTATE_CALLERID, "the name came with the call, not after it")
	}
	assert.Positive(t, m.NameCount("hq", lookup.OutcomeInTime))
	b.rec.checkSequences(t)
}

// A CRM that answers after the budget: the call is announced without the name at once, and
// the name follows as LINE_CALLINFO CALLERID, into the stored call as well. A name that
// comes after the call ended is dropped.
func TestNamesLateFromSlowCRM(t *testing.T) {
	s := newSim(t, "201", "202")
	crm := newSlowCRM(t, map[string]string{"+49301234567": "Dora Diaz", "+49301111111": "Gone Gary"})
	crm.hold("+49301234567", "+49301111111")
	m := lookup.NewMetrics()
	b := startBridge(t, nil, "a", s.pbxConfig("201", "202"), func(c *Config) { c.Names = crm.names(t, m, 10*time.Millisecond) })
	waitFor(t, "link up", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })

	_, err := s.p.IncomingCall("+49301234567", "201")
	require.NoError(t, err)
	waitFor(t, "the call on 201", func() error {
		if len(b.rec.eventsOf("hq/201", tapi.LineNewCall)) != 1 {
			return fmt.Errorf("no LINE_NEWCALL on hq/201")
		}
		return nil
	})
	nc := b.rec.eventsOf("hq/201", tapi.LineNewCall)[0]
	assert.Equal(t, "+49301234567", nc.Call.Info.Caller.Number)
	assert.Empty(t, nc.Call.Info.Caller.Name, "the event did not wait for the CRM")

	crm.release("+49301234567")
	waitFor(t, "the late name", func() error {
		for _, ev := range b.rec.eventsOf("hq/201", tapi.LineCallInfo) {
			if ev.Handle == nc.Handle && ev.CallInfo.Changed&tapi.LINECALLINFOSTATE_CALLERID != 0 {
				if ev.CallInfo.Info.Caller != named("+49301234567", "Dora Diaz") {
					return fmt.Errorf("caller %+v", ev.CallInfo.Info.Caller)
				}
				return nil
			}
		}
		return fmt.Errorf("no LINE_CALLINFO CALLERID for %s", nc.Handle)
	})
	waitFor(t, "the stored call named", func() error {
		calls := b.e.Calls("hq/201")
		if len(calls) != 1 || calls[0].Info.Caller != named("+49301234567", "Dora Diaz") {
			return fmt.Errorf("calls %+v", calls)
		}
		return nil
	})
	assert.EqualValues(t, 1, m.NameCount("hq", lookup.OutcomeLate))

	// The second caller hangs up before the CRM answers: the name has no call to go to.
	_, err = s.p.IncomingCall("+49301111111", "202")
	require.NoError(t, err)
	waitFor(t, "the call on 202", func() error {
		if len(b.e.Calls("hq/202")) != 1 {
			return fmt.Errorf("no call on hq/202")
		}
		return nil
	})
	require.NoError(t, s.p.HangUp("+49301111111"))
	waitFor(t, "the call on 202 ended", func() error {
		if len(b.e.Calls("hq/202")) != 0 {
			return fmt.Errorf("call still on hq/202")
		}
		return nil
	})
	crm.release("+49301111111")
	waitFor(t, "the late answer", func() error {
		if m.NameCount("hq", lookup.OutcomeLate) != 2 {
			return fmt.Errorf("not yet")
		}
		return nil
	})
	// The late name was posted before the first call's end, so it has been applied by then.
	require.NoError(t, s.p.HangUp("+49301234567"))
	waitFor(t, "the first call ended", func() error {
		if len(b.e.Calls("hq/201")) != 0 {
			return fmt.Errorf("call still on hq/201")
		}
		return nil
	})
	// The journal keeps the name the call had.
	waitFor(t, "the journal entry", func() error {
		j, err := b.e.Journal(context.Background(), "hq/201", 0, 10)
		if err != nil || len(j) != 1 {
			return fmt.Errorf("journal %+v, %v", j, err)
		}
		if j[0].Caller != named("+49301234567", "Dora Diaz") {
			return fmt.Errorf("journal caller %+v", j[0].Caller)
		}
		return nil
	})
	for _, ev := range b.rec.eventsOf("hq/202", tapi.LineCallInfo) {
		assert.NotEqual(t, "Gone Gary", ev.CallInfo.Info.Caller.Name, "a name for a call that ended")
	}
	b.rec.checkSequences(t)
}

// A CRM that answers within the budget: the name is in the LINE_NEWCALL; the answer is
// cached, so the next call from the number is named without asking.
func TestNamesInBudgetFromCRM(t *testing.T) {
	s := newSim(t, "201")
	crm := newSlowCRM(t, map[string]string{"+49301234567": "Dora Diaz"})
	m := lookup.NewMetrics()
	// A budget no loaded machine reaches: the answer is always in time.
	b := startBridge(t, nil, "a", s.pbxConfig("201"), func(c *Config) { c.Names = crm.names(t, m, time.Minute) })
	waitFor(t, "link up", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })
	for i := 1; i <= 2; i++ {
		_, err := s.p.IncomingCall("+49301234567", "201")
		require.NoError(t, err)
		waitFor(t, "the call on 201", func() error {
			if len(b.rec.eventsOf("hq/201", tapi.LineNewCall)) != i {
				return fmt.Errorf("no LINE_NEWCALL on hq/201")
			}
			return nil
		})
		nc := b.rec.eventsOf("hq/201", tapi.LineNewCall)[i-1]
		assert.Equal(t, named("+49301234567", "Dora Diaz"), nc.Call.Info.Caller)
		require.NoError(t, s.p.HangUp("+49301234567"))
		waitFor(t, "the call ended", func() error {
			if len(b.e.Calls("hq/201")) != 0 {
				return fmt.Errorf("call still on hq/201")
			}
			return nil
		})
	}
	assert.EqualValues(t, 1, m.SourceCount("http", lookup.ResultFound), "the second call was named from the cache")
	assert.EqualValues(t, 2, m.NameCount("hq", lookup.OutcomeInTime))
}

// Lookups are bounded: with one worker busy and one waiting, the next number is not looked
// up (counted as dropped) and its call goes on without a name.
func TestNamesDroppedWhenQueueFull(t *testing.T) {
	s := newSim(t, "201", "202", "203")
	crm := newSlowCRM(t, map[string]string{"+4930001": "One", "+4930002": "Two", "+4930003": "Three"})
	crm.hold("+4930001", "+4930002", "+4930003")
	m := lookup.NewMetrics()
	pc := s.pbxConfig("201", "202", "203")
	pc.DisplayNames = map[string]string{"201": "Alice", "202": "Bob", "203": "Carol"} // only the callers are looked up
	b := startBridge(t, nil, "a", pc, func(c *Config) {
		c.Names = crm.names(t, m, time.Millisecond)
		c.Names.Workers, c.Names.Queue = 1, 1
	})
	waitFor(t, "link up", b.activeIs("primary"))
	waitFor(t, "first resync", func() error { return b.resynced(0, time.Time{}) })
	for i, ext := range []string{"201", "202", "203"} {
		_, err := s.p.IncomingCall(fmt.Sprintf("+493000%d", i+1), ext)
		require.NoError(t, err)
		waitFor(t, "the call", func() error {
			if len(b.e.Calls("hq/"+ext)) != 1 {
				return fmt.Errorf("no call on hq/%s", ext)
			}
			return nil
		})
		if i == 0 {
			// The worker is busy with the first number from now on.
			waitFor(t, "the CRM asked", func() error {
				if crm.askedFor("+4930001") == 0 {
					return fmt.Errorf("not yet")
				}
				return nil
			})
		}
	}
	assert.EqualValues(t, 1, m.NameCount("hq", lookup.OutcomeDropped))
	for _, n := range []string{"+4930001", "+4930002", "+4930003"} {
		crm.release(n)
	}
	waitFor(t, "the names of the two calls asked for", func() error {
		for _, ext := range []string{"201", "202"} {
			if c := b.e.Calls("hq/" + ext); len(c) != 1 || c[0].Info.Caller.Name == "" {
				return fmt.Errorf("hq/%s not named yet", ext)
			}
		}
		return nil
	})
	assert.Empty(t, b.e.Calls("hq/203")[0].Info.Caller.Name)
	assert.Zero(t, crm.askedFor("+4930003"), "the dropped lookup was not made")
}

// BenchmarkNamesFill: the pipeline's cost of naming a batch of 1,000 new calls from the
// configured line names (no source to wait for).
func BenchmarkNamesFill(b *testing.B) {
	names := map[string]string{}
	for i := 200; i < 300; i++ {
		names[fmt.Sprint(i)] = fmt.Sprintf("Person %d", i)
	}
	p := &pbx{e: &Engine{cfg: Config{}.WithDefaults()}, cfg: PBXConfig{Name: "hq", DisplayNames: names}}
	o := &pipeline{term: &term{p: p, ctx: b.Context()}, state: reducer.NewState("hq")}
	n := newNamer(o)
	events := make([]tapi.Event, 1000)
	for i := range events {
		events[i] = tapi.Event{Type: tapi.LineNewCall, Handle: tapi.MakeHandle("hq", uint64(i+1)),
			Call: &tapi.Call{Info: tapi.CallInfo{
				Caller: tapi.PartyID{Number: fmt.Sprint(200 + i%100), Flags: tapi.LINECALLPARTYID_ADDRESS},
				Called: tapi.PartyID{Number: fmt.Sprint(200 + (i+1)%100), Flags: tapi.LINECALLPARTYID_ADDRESS}}}}
	}
	batch := make([]tapi.Event, len(events))
	calls := make([]tapi.Call, len(events))
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		for i := range events {
			calls[i] = *events[i].Call
			batch[i] = events[i]
			batch[i].Call = &calls[i]
		}
		a := accum{events: batch, changed: map[tapi.CallHandle]bool{}, lines: map[string]bool{}}
		b.StartTimer()
		n.fill(&a)
	}
	require.Equal(b, "Person 200", batch[0].Call.Info.Caller.Name)
}

// TestNamesFillNothingToFind: without configured line names and without a source a batch's
// parties stay as they are (fill returns at once), and with configured names they are named.
func TestNamesFillNothingToFind(t *testing.T) {
	events := func() []tapi.Event {
		return []tapi.Event{{Type: tapi.LineNewCall, Handle: "hq:1", Call: &tapi.Call{Info: tapi.CallInfo{
			Caller: tapi.PartyID{Number: "200", Flags: tapi.LINECALLPARTYID_ADDRESS}}}}}
	}
	for _, names := range []map[string]string{nil, {"200": "Ann"}} {
		p := &pbx{e: &Engine{cfg: Config{}.WithDefaults()}, cfg: PBXConfig{Name: "hq", DisplayNames: names}}
		o := &pipeline{term: &term{p: p, ctx: t.Context()}, state: reducer.NewState("hq")}
		a := accum{events: events(), changed: map[tapi.CallHandle]bool{}, lines: map[string]bool{}}
		newNamer(o).fill(&a)
		want := events()
		if names != nil {
			want[0].Call.Info.Caller = tapi.PartyID{Number: "200", Name: "Ann",
				Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME}
		}
		require.Equal(t, want, a.events, "names %v", names)
	}
}
