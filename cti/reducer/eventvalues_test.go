package reducer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// offHook is the ServiceInitiated of call i at line 201.
func offHook(i int) csta.Event {
	return &csta.ServiceInitiatedEvent{InitiatedConnection: cn(fmt.Sprint("C", i), "201"), InitiatingDevice: dev("201")}
}

// The values handed out are copies (a Call a deep one, as Clone makes it), and a caller that
// does not recycle never sees one written again.
func TestEventValuesAreCopiesWrittenOnce(t *testing.T) {
	var s eventValues
	c := &tapi.Call{Handle: "hq:1", Line: "hq/201", Parties: []string{"202"}, OtherCallIDs: []string{"a", "b"},
		Conference: &tapi.Conference{Handle: "hq:1.conf", Parties: []tapi.PartyID{{Number: "203"}}}}
	var calls []*tapi.Call
	var states []*tapi.CallStatus
	for i := range 5 * valueBlockLen {
		d := s.Call(c)
		require.Equal(t, c.Clone(), d)
		require.Equal(t, len(d.Parties), cap(d.Parties), "an append to the parties copies")
		calls = append(calls, d)
		states = append(states, s.CallStatus(tapi.CallStatus{State: tapi.CallState(i)}))
	}
	d := s.Call(&tapi.Call{Handle: "hq:2"})
	require.Nil(t, d.Parties)
	require.Nil(t, d.OtherCallIDs)
	c.Parties[0], c.OtherCallIDs[0], c.Conference.Parties[0].Number = "x", "x", "x"
	for i := range calls {
		require.Equal(t, []string{"202"}, calls[i].Parties)
		require.Equal(t, []string{"a", "b"}, calls[i].OtherCallIDs)
		require.Equal(t, "203", calls[i].Conference.Parties[0].Number)
		require.Equal(t, tapi.CallState(i), states[i].State)
	}
	long := make([]string, valueBlockLen)
	require.Len(t, s.strings(long), valueBlockLen)
}

// Recycled blocks are handed out again, emptied; values taken since are not written over
// by the ones taken after the next recycle.
func TestEventValuesRecycle(t *testing.T) {
	var s eventValues
	first := s.CallInfo(tapi.CallInfoEvent{CallID: "one"})
	for range 3 * valueBlockLen {
		s.CallInfo(tapi.CallInfoEvent{CallID: "more"})
	}
	s.recycle()
	require.Empty(t, first.CallID, "a recycled value is emptied")
	again := s.CallInfo(tapi.CallInfoEvent{CallID: "again"})
	reused := again == first
	for range 3 * valueBlockLen {
		p := s.CallInfo(tapi.CallInfoEvent{CallID: "next"})
		reused = reused || p == first
	}
	require.True(t, reused, "the blocks are handed out again")
	require.Equal(t, "again", again.CallID)
}

// A state's events keep their values until the caller recycles them.
func TestStateRecycleKeepsValuesUntilCalled(t *testing.T) {
	s := NewState("hq")
	s.AddLine("201", "")
	var held []tapi.Event
	for i := range 2 * valueBlockLen {
		r := s.Apply("201", offHook(i), time.Unix(0, 0))
		held = append(held, r.Events...)
	}
	for _, ev := range held {
		if ev.Type == tapi.LineNewCall {
			require.Equal(t, ev.Handle, ev.Call.Handle)
		}
	}
	s.Recycle()
	r := s.Apply("201", offHook(2*valueBlockLen), time.Unix(0, 0))
	require.NotEmpty(t, r.Events)
	require.Equal(t, r.Events[0].Handle, r.Events[0].Call.Handle)
}
