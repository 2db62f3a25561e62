package reducer_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// recorded is one CSTA event as the bridge would receive it: for which monitored line.
type recorded struct {
	line string
	ev   csta.Event
}

// TestReplaySimulatorTraffic records the event stream of generated traffic from the PBX
// simulator over real TCP, replays it through the reducer, and compares the result with the
// simulator's ground truth: every connection the PBX has at a line is a call of that line in a
// compatible state, and the line has no other calls.
func TestReplaySimulatorTraffic(t *testing.T) {
	for _, seed := range []uint64{1, 7, 42} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { replayAndCompare(t, seed) })
	}
}

func replayAndCompare(t *testing.T, seed uint64) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pbx, err := pbxsim.New(pbxsim.Config{Extensions: []string{"200-229"}, Dialect: "generic", DecorateExternal: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pbx.Close()
	node, err := pbx.StartNode(ctx, "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var events []recorded
	lineOf := map[csta.MonitorCrossRefID]string{}
	conn, err := csta.Dial(ctx, node.Addr(), csta.Config{Dialect: csta.DialectGeneric, OnEvent: func(ev csta.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, recorded{line: lineOf[ev.Common().MonitorCrossRefID], ev: ev})
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exts := pbx.Extensions()
	for _, ext := range exts {
		resp, err := conn.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device(ext)})
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		lineOf[resp.(*csta.MonitorStartResponse).MonitorCrossRefID] = ext
		mu.Unlock()
	}
	traffic, err := pbx.StartTraffic(ctx, pbxsim.TrafficConfig{CallsPerSecond: 60, Seed: seed,
		RingTime: 150 * time.Millisecond, TalkTime: 400 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second)
	traffic.Stop() // calls in progress stay: the comparison covers live calls, not just idle lines
	// The stream is complete when the count stops moving and matches what the PBX sent.
	last := -1
	for {
		time.Sleep(300 * time.Millisecond)
		mu.Lock()
		n := len(events)
		mu.Unlock()
		if n == last {
			break
		}
		last = n
	}
	truth := pbx.Truth()
	if last < 100 {
		t.Fatalf("only %d events recorded; traffic did not run", last)
	}

	st := reducer.NewState("sim")
	for _, ext := range exts {
		st.AddLine(ext, "")
	}
	now := time.Unix(0, 0)
	for i, r := range events {
		if r.line == "" {
			t.Fatalf("event %d for an unknown monitor", i)
		}
		res := st.Apply(r.line, r.ev, now.Add(time.Duration(i)*time.Millisecond))
		for _, e := range res.Events {
			if err := e.Validate(); err != nil {
				t.Fatalf("event %d produced an invalid TAPI event: %v", i, err)
			}
		}
	}
	live := 0
	for _, d := range truth.Devices {
		if d.Kind != "extension" {
			continue
		}
		calls := st.Calls(d.Number)
		var got, want []string
		for _, c := range calls {
			got = append(got, c.CallID)
		}
		for _, cn := range d.Connections {
			want = append(want, cn.CallID)
			live++
			c := findCall(calls, cn.CallID)
			if c == nil {
				t.Errorf("line %s: PBX has call %s (%s), reducer has none", d.Number, cn.CallID, cn.State)
				continue
			}
			if !compatibleState(c.State, cn.State) {
				t.Errorf("line %s call %s: reducer %s, PBX %s", d.Number, cn.CallID, c.State, cn.State)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("line %s: reducer calls %v, PBX calls %v", d.Number, got, want)
		}
	}
	t.Logf("seed %d: %d events replayed, %d live connections compared", seed, len(events), live)
}

func findCall(calls []tapi.Call, id string) *tapi.Call {
	for i := range calls {
		if calls[i].CallID == id {
			return &calls[i]
		}
	}
	return nil
}

// compatibleState says whether a TAPI call state can describe a CSTA local connection state.
func compatibleState(s tapi.CallState, l csta.LocalConnectionState) bool {
	switch l {
	case csta.StateAlerting:
		return s == tapi.LINECALLSTATE_OFFERING || s == tapi.LINECALLSTATE_ACCEPTED
	case csta.StateInitiated:
		return s == tapi.LINECALLSTATE_DIALTONE || s == tapi.LINECALLSTATE_DIALING
	case csta.StateConnected, csta.StateQueued:
		switch s {
		case tapi.LINECALLSTATE_CONNECTED, tapi.LINECALLSTATE_CONFERENCED, tapi.LINECALLSTATE_RINGBACK,
			tapi.LINECALLSTATE_PROCEEDING, tapi.LINECALLSTATE_DIALING, tapi.LINECALLSTATE_DISCONNECTED, tapi.LINECALLSTATE_BUSY:
			return true
		}
	case csta.StateHold:
		return s == tapi.LINECALLSTATE_ONHOLD || s == tapi.LINECALLSTATE_ONHOLDPENDTRANSFER || s == tapi.LINECALLSTATE_ONHOLDPENDCONF
	case csta.StateFail:
		return s == tapi.LINECALLSTATE_BUSY || s == tapi.LINECALLSTATE_DISCONNECTED
	}
	return false
}
