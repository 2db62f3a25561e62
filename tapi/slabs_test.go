package tapi

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"unsafe"

	"github.com/ctibridge/ctibridge/test/testkit"
	"github.com/stretchr/testify/require"
)

// TestSlabsCopiesShareNothing: what the Slabs hand out stays as it was copied when the source
// changes afterwards, slices and the conference included.
func TestSlabsCopiesShareNothing(t *testing.T) {
	var s Slabs
	call := &Call{Handle: "hq:1", Line: "hq/201", CallID: "C1", OtherCallIDs: []string{"X1", "X2"},
		CallStatus: CallStatus{State: LINECALLSTATE_CONNECTED, ConnectedMode: LINECONNECTEDMODE_ACTIVE},
		Info:       CallInfo{Caller: PartyID{Number: "201"}, Trunk: "T1"},
		Parties:    []string{"300", "301"},
		Conference: &Conference{Handle: "hq:1#c", Parties: []PartyID{{Number: "300"}, {Number: "301"}}}}
	status := CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE}
	info := CallInfoEvent{Changed: LINECALLINFOSTATE_CALLID, CallID: "C1", Info: call.Info}
	wantCall, wantStatus, wantInfo := call.Clone(), status, info

	gotCall, gotStatus, gotInfo := s.Call(call), s.CallStatus(status), s.CallInfo(info)

	call.CallID, call.State, call.Info.Trunk = "mutated", LINECALLSTATE_IDLE, "mutated"
	call.OtherCallIDs[0], call.Parties[1] = "mutated", "mutated"
	call.Conference.Handle, call.Conference.Parties[0].Number = "mutated", "mutated"
	call.Parties = append(call.Parties[:0], "appended")
	status.State, info.CallID, info.Info.Caller.Number = LINECALLSTATE_IDLE, "mutated", "mutated"
	require.Equal(t, wantCall, gotCall)
	require.Equal(t, wantStatus, *gotStatus)
	require.Equal(t, wantInfo, *gotInfo)
}

// TestSlabsCallsOverBlocks: calls from the slabs are what Clone makes (nil for empty slices),
// their string slices have capacity == length, and appending to one call's parties leaves
// the neighbours' alone, over block boundaries and for slices longer than a block takes.
func TestSlabsCallsOverBlocks(t *testing.T) {
	var s Slabs
	var got []*Call
	var want []Call
	for i := range 3 * slabBlock {
		c := &Call{Handle: MakeHandle("hq", uint64(i)), CallID: fmt.Sprint("C", i), Info: CallInfo{Trunk: "T1"}}
		for j := range i % 5 {
			c.Parties = append(c.Parties, fmt.Sprint(2000+j))
		}
		switch {
		case i%7 == 0:
			c.OtherCallIDs = []string{"X", "Y"}
		case i%7 == 1:
			c.OtherCallIDs = []string{} // empty, not nil: copied as nil
		}
		if i%11 == 0 {
			c.Parties = make([]string, slabBlock+1) // longer than a block holds
		}
		if i%13 == 0 {
			c.Conference = &Conference{Handle: "conf", Parties: []PartyID{{Number: "1"}}}
		}
		d := s.Call(c)
		require.Equal(t, c.Clone(), d)
		for _, v := range [][]string{d.OtherCallIDs, d.Parties} {
			require.Equal(t, len(v), cap(v))
			if len(v) == 0 {
				require.Nil(t, v)
			}
		}
		want = append(want, *c.Clone())
		c.Parties = append(c.Parties[:0], "mutated") // the source changes later
		got = append(got, d)
	}
	for i, d := range got {
		d.Parties = append(d.Parties, "appended") // a consumer's own change
		d.OtherCallIDs = append(d.OtherCallIDs, "appended")
		require.Equal(t, append(want[i].Parties, "appended"), d.Parties)
		if i > 0 { // the previous call as it was, its own appends too
			require.Equal(t, append(want[i-1].Parties, "appended"), got[i-1].Parties)
			require.Equal(t, append(want[i-1].OtherCallIDs, "appended"), got[i-1].OtherCallIDs)
		}
	}
}

// TestSlabsCloneEventMatchesClone: on random events CloneEvent gives what Event.Clone gives
// (reflect.DeepEqual: nil and empty slices differ) and shares nothing with the source, from
// blocks and from reserved arrays.
func TestSlabsCloneEventMatchesClone(t *testing.T) {
	f := &filler{r: rand.New(rand.NewPCG(5, 6)), times: jsonTimes(), good: jsonTimesGood}
	var grown Slabs
	for range 100 {
		batch := make([]Event, 1+f.r.IntN(40))
		var n SlabSizes
		for i := range batch {
			f.fill(reflect.ValueOf(&batch[i]).Elem())
			n.Count(&batch[i])
		}
		var reserved Slabs
		reserved.Reserve(n)
		for i := range batch {
			e := &batch[i]
			want := e.Clone()
			for _, s := range []*Slabs{&grown, &reserved} {
				c := s.CloneEvent(e)
				if !reflect.DeepEqual(c, want) {
					t.Fatalf("CloneEvent differs from Clone:\n got %+v\nwant %+v", c, want)
				}
				if p := testkit.SharedMemory(c, *e, "Event"); p != "" {
					t.Fatalf("CloneEvent shares %s with the original", p)
				}
				if c.Call != nil {
					require.Equal(t, len(c.Call.Parties), cap(c.Call.Parties))
					require.Equal(t, len(c.Call.OtherCallIDs), cap(c.Call.OtherCallIDs))
				}
			}
		}
		// Reserve made the batch's room in one array per kind, at least a block.
		room := func(n int) int {
			if n == 0 {
				return 0
			}
			return max(n, slabBlock)
		}
		require.Equal(t, n, SlabSizes{len(reserved.states.cur), len(reserved.infos.cur), len(reserved.calls.cur), len(reserved.strs.cur)})
		require.Equal(t, SlabSizes{room(n.States), room(n.Infos), room(n.Calls), room(n.Strings)},
			SlabSizes{cap(reserved.states.cur), cap(reserved.infos.cur), cap(reserved.calls.cur), cap(reserved.strs.cur)})
	}
}

// TestSlabsReserve: Reserve keeps a block that has the room, else makes one array for the
// values reserved; the values handed out before stay as they were.
func TestSlabsReserve(t *testing.T) {
	var s Slabs
	var ps []*CallStatus
	next := func() *CallStatus {
		p := s.CallStatus(CallStatus{State: CallState(len(ps) + 1)})
		ps = append(ps, p)
		return p
	}
	adjacent := func(a, b *CallStatus) bool {
		return uintptr(unsafe.Pointer(a))+unsafe.Sizeof(CallStatus{}) == uintptr(unsafe.Pointer(b))
	}
	first := next()
	s.Reserve(SlabSizes{States: 2}) // the block has room
	require.True(t, adjacent(first, next()))
	s.Reserve(SlabSizes{States: slabBlock + 5}) // it has not
	start := next()
	require.False(t, adjacent(ps[1], start))
	for range slabBlock + 4 {
		prev := ps[len(ps)-1]
		require.True(t, adjacent(prev, next()))
	}
	require.Equal(t, slabBlock+5, cap(s.states.cur))
	next() // beyond the reservation: a new block
	require.Equal(t, slabBlock, cap(s.states.cur))
	for i, p := range ps {
		require.Equal(t, CallState(i+1), p.State)
	}
}

// The values handed out are copies (a Call a deep one, as Clone makes it), and a caller that
// does not recycle never sees one written again.
func TestSlabsValuesAreCopiesWrittenOnce(t *testing.T) {
	var s Slabs
	c := &Call{Handle: "hq:1", Line: "hq/201", Parties: []string{"202"}, OtherCallIDs: []string{"a", "b"},
		Conference: &Conference{Handle: "hq:1.conf", Parties: []PartyID{{Number: "203"}}}}
	var calls []*Call
	var states []*CallStatus
	for i := range 5 * slabBlock {
		d := s.Call(c)
		require.Equal(t, c.Clone(), d)
		require.Equal(t, len(d.Parties), cap(d.Parties), "an append to the parties copies")
		calls = append(calls, d)
		states = append(states, s.CallStatus(CallStatus{State: CallState(i)}))
	}
	d := s.Call(&Call{Handle: "hq:2"})
	require.Nil(t, d.Parties)
	require.Nil(t, d.OtherCallIDs)
	c.Parties[0], c.OtherCallIDs[0], c.Conference.Parties[0].Number = "x", "x", "x"
	for i := range calls {
		require.Equal(t, []string{"202"}, calls[i].Parties)
		require.Equal(t, []string{"a", "b"}, calls[i].OtherCallIDs)
		require.Equal(t, "203", calls[i].Conference.Parties[0].Number)
		require.Equal(t, CallState(i), states[i].State)
	}
	long := make([]string, slabBlock)
	require.Len(t, s.strings(long), slabBlock)
}

// Recycled blocks are handed out again, emptied; values taken since are not written over
// by the ones taken after the next recycle.
func TestSlabsRecycle(t *testing.T) {
	var s Slabs
	s.Reuse()
	first := s.CallInfo(CallInfoEvent{CallID: "one"})
	for range 3 * slabBlock {
		s.CallInfo(CallInfoEvent{CallID: "more"})
	}
	s.Recycle()
	require.Empty(t, first.CallID, "a recycled value is emptied")
	again := s.CallInfo(CallInfoEvent{CallID: "again"})
	reused := again == first
	for range 3 * slabBlock {
		p := s.CallInfo(CallInfoEvent{CallID: "next"})
		reused = reused || p == first
	}
	require.True(t, reused, "the blocks are handed out again")
	require.Equal(t, "again", again.CallID)
}
