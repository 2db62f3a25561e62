package reducer

import (
	"strconv"
	"strings"

	"github.com/ctibridge/ctibridge/tapi"
)

// newCallValue is a new call with room for its parties: a call from or to one or two numbers
// (nearly all: a reducer step names one device) is one allocation, not two. The call keeps
// its own parties' array (the reducer changes it in place), so the room is the call's alone.
type newCallValue struct {
	tapi.Call
	parties [2]string
}

// allocCall returns a new call whose Parties are a copy of parties (nil when there are none,
// as the slice given; its capacity is its length, so an append copies).
func allocCall(parties []string) *tapi.Call {
	v := &newCallValue{}
	switch n := len(parties); {
	case parties == nil:
	case n <= len(v.parties):
		copy(v.parties[:], parties)
		v.Parties = v.parties[:n:n]
	default:
		v.Parties = append([]string(nil), parties...)
	}
	return &v.Call
}

// handleRunLen is how many handles a handleRun makes at once.
const handleRunLen = 32

// handleRun is the text of the next call handles of a PBX, made together: one string for
// handleRunLen calls, where tapi.MakeHandle made one each. The handles are substrings of it
// (the text stays as long as any of them is kept: a few hundred bytes).
type handleRun struct {
	pbx     string
	first   uint64 // the counter value of handles[0]
	handles [handleRunLen]tapi.CallHandle
}

// handle returns tapi.MakeHandle(pbx, n), from the run when n is in it, else from a new run
// that starts at n (the counter counts up one by one: a Restore that moves it starts anew).
func (r *handleRun) handle(pbx string, n uint64) tapi.CallHandle {
	if i := n - r.first; r.pbx == pbx && n >= r.first && i < handleRunLen && r.handles[i] != "" {
		return r.handles[i]
	}
	r.fill(pbx, n)
	return r.handles[0]
}

// fill makes the run of the handles from n on.
func (r *handleRun) fill(pbx string, n uint64) {
	var b strings.Builder
	b.Grow(handleRunLen * (len(pbx) + 1 + len(strconv.FormatUint(n+handleRunLen, 10))))
	var ends [handleRunLen]int
	var one [64]byte
	for i := range uint64(handleRunLen) {
		b.Write(tapi.AppendHandle(one[:0], pbx, n+i))
		ends[i] = b.Len()
	}
	text, start := b.String(), 0
	for i, end := range ends {
		r.handles[i] = tapi.CallHandle(text[start:end])
		start = end
	}
	r.pbx, r.first = pbx, n
}
