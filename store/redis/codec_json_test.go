package redisstore

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/storetest"
	"github.com/ctibridge/ctibridge/tapi"
)

// storedEvents are events of every shape the store writes: the contract suite's mix and the
// members it lacks (call info, reply, switchover, resync, a conference gone, agent status).
func storedEvents(text string) []tapi.Event {
	at := time.Date(2025, 3, 17, 14, 49, 48, 120000000, time.FixedZone("", 3600))
	evs := storetest.Events("hq", text, 8)
	call := storetest.Call("hq", "201", 7)
	call.Info.Caller.Name, call.Parties = text, append(call.Parties, text)
	evs[0].Call = &call
	head := tapi.Event{V: tapi.WireVersion, Time: at, SwitchTime: at.Add(-time.Millisecond), PBX: "hq",
		Line: "hq/201", Device: tapi.LineDeviceID("hq/201"), Handle: "hq:7", Detail: text}
	more := []func(e *tapi.Event){
		func(e *tapi.Event) {
			e.Type, e.CallInfo = tapi.LineCallInfo, &tapi.CallInfoEvent{Changed: tapi.LINECALLINFOSTATE_CALLID,
				CallID: text, Info: call.Info}
		},
		func(e *tapi.Event) {
			e.Type, e.Reply = tapi.LineReply, &tapi.Reply{RequestID: 9, Result: tapi.LINEERR_INVALCALLHANDLE,
				Error: text, CSTACategory: "operation", CSTAValue: "invalidCallID"}
		},
		func(e *tapi.Event) {
			e.Type, e.Switch = tapi.BridgeSwitchover, &tapi.Switchover{From: "primary", To: "standby", Reason: text, Forced: true}
		},
		func(e *tapi.Event) {
			e.Type, e.Resync = tapi.BridgeResync, &tapi.Resync{Mode: "hot", Phase: "completed", Reason: text,
				Started: at, DurationMs: 12, Lines: 3, Calls: 2, Events: 5}
		},
		func(e *tapi.Event) { e.Type = tapi.LineConference },
		func(e *tapi.Event) {
			e.Type, e.AgentStatus = tapi.LineAgentStatus, &tapi.AgentStatusEvent{Changed: []string{tapi.AgentChangedState},
				Agent: tapi.AgentStatus{Group: "500", AgentID: text, State: tapi.LINEAGENTSTATE_READY, ReasonCode: text, Since: at}}
		},
	}
	for _, set := range more {
		e := head
		set(&e)
		evs = append(evs, e)
	}
	return evs
}

// storedJSON is an event's JSON as Apply writes it: tapi's encoder, json.Marshal where it
// refuses.
func storedJSON(t testing.TB, e *tapi.Event) string {
	b, err := e.AppendJSON(nil)
	if err != nil {
		b, err = json.Marshal(e)
	}
	require.NoError(t, err)
	return string(b)
}

// decodesAsStdlib decodes js with unmarshalStored and with encoding/json into new Ts and
// requires the same outcome.
func decodesAsStdlib[T any](t testing.TB, js string) {
	var got, want T
	errWant := json.Unmarshal([]byte(js), &want)
	errGot := unmarshalStored([]byte(js), &got)
	require.Equal(t, errWant == nil, errGot == nil, "errors %v / %v for %s", errWant, errGot, js)
	require.Equal(t, want, got, "decoded %s", js)
}

// TestStoredJSONDecodesAsStdlib: whatever the store writes, its decoder reads back as
// encoding/json does.
func TestStoredJSONDecodesAsStdlib(t *testing.T) {
	for _, text := range []string{"plain", "<&> \"quoted\" \\ \u00e9\u4e2d \U0001F600", "\xff\x00bad"} {
		for i := range storedEvents(text) {
			e := &storedEvents(text)[i]
			decodesAsStdlib[tapi.Event](t, storedJSON(t, e))
		}
		for _, v := range []any{storetest.Line("hq", text), storetest.Call("hq", text, 3), storetest.JournalEntry("hq/"+text, 4)} {
			js, err := json.Marshal(v)
			require.NoError(t, err)
			switch v.(type) {
			case tapi.Line:
				decodesAsStdlib[tapi.Line](t, string(js))
			case tapi.Call:
				decodesAsStdlib[tapi.Call](t, string(js))
			default:
				decodesAsStdlib[store.JournalEntry](t, string(js))
			}
		}
	}
}

// FuzzStoredEventDecodesAsStdlib puts the fuzzer's text into every shape of stored event.
func FuzzStoredEventDecodesAsStdlib(f *testing.F) {
	f.Add(uint8(0), "hq/201")
	f.Add(uint8(9), "\xff\u2028<script>")
	f.Fuzz(func(t *testing.T, kind uint8, text string) {
		evs := storedEvents(text)
		e := &evs[int(kind)%len(evs)]
		decodesAsStdlib[tapi.Event](t, storedJSON(t, e))
	})
}
