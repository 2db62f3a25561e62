package cti

import (
	"sort"
	"sync"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// view is the read side of one PBX: its lines and calls as clients see them. The owner
// updates it with exactly what it persisted; a follower by applying the events of the store's
// log. Reads never wait for the pipeline or the store.
type view struct {
	mu     sync.RWMutex
	lines  map[string]tapi.Line // by name
	calls  map[tapi.CallHandle]tapi.Call
	byLine map[string]map[tapi.CallHandle]struct{}
	pos    store.Position
}

func newView() *view {
	v := &view{}
	v.reset(nil, nil, store.Position{})
	return v
}

// reset replaces everything.
func (v *view) reset(lines []tapi.Line, calls []tapi.Call, pos store.Position) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.lines = make(map[string]tapi.Line, len(lines))
	v.calls = make(map[tapi.CallHandle]tapi.Call, len(calls))
	v.byLine = map[string]map[tapi.CallHandle]struct{}{}
	for _, l := range lines {
		v.lines[l.Name] = l
	}
	for _, c := range calls {
		v.putCall(c)
	}
	v.pos = pos
}

func (v *view) putCall(c tapi.Call) {
	v.calls[c.Handle] = c
	m := v.byLine[c.Line]
	if m == nil {
		m = map[tapi.CallHandle]struct{}{}
		v.byLine[c.Line] = m
	}
	m[c.Handle] = struct{}{}
}

func (v *view) removeCall(h tapi.CallHandle) (tapi.Call, bool) {
	c, ok := v.calls[h]
	if !ok {
		return c, false
	}
	delete(v.calls, h)
	if m := v.byLine[c.Line]; m != nil {
		delete(m, h)
		if len(m) == 0 {
			delete(v.byLine, c.Line)
		}
	}
	return c, true
}

// applyBatch records what the owner wrote, returning the last version of removed calls.
func (v *view) applyBatch(b *store.Batch, pos store.Position) []tapi.Call {
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, l := range b.Lines {
		v.lines[l.Name] = l
	}
	var gone []tapi.Call
	for _, h := range b.RemovedCalls {
		if c, ok := v.removeCall(h); ok {
			gone = append(gone, c)
		}
	}
	for _, c := range b.Calls {
		v.putCall(c)
	}
	if pos.Offset > 0 {
		v.pos = pos
	}
	return gone
}

// applyEntry follows one log entry (follower).
func (v *view) applyEntry(en store.Entry) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pos = store.Position{Epoch: en.Epoch, Offset: en.Offset}
	ev := en.Event
	switch ev.Type {
	case tapi.LineNewCall:
		if ev.Call != nil {
			v.putCall(*ev.Call)
		}
	case tapi.LineCallState:
		c, ok := v.calls[ev.Handle]
		if !ok || ev.CallState == nil {
			return
		}
		if ev.CallState.State == tapi.LINECALLSTATE_IDLE {
			v.removeCall(ev.Handle)
			return
		}
		c.CallStatus = *ev.CallState
		c.StateSince = ev.Time
		if (c.State == tapi.LINECALLSTATE_CONNECTED || c.State == tapi.LINECALLSTATE_CONFERENCED) && c.ConnectedAt.IsZero() {
			c.ConnectedAt = ev.Time
		}
		v.calls[ev.Handle] = c
	case tapi.LineCallInfo:
		c, ok := v.calls[ev.Handle]
		if !ok || ev.CallInfo == nil {
			return
		}
		c.Info = ev.CallInfo.Info
		if ev.CallInfo.CallID != "" {
			c.CallID = ev.CallInfo.CallID
		}
		v.calls[ev.Handle] = c
	case tapi.LineConference:
		if c, ok := v.calls[ev.Handle]; ok {
			c.Conference = ev.Conference.Clone()
			v.calls[ev.Handle] = c
		}
	case tapi.LineLineDevState, tapi.LineAddressState:
		if ev.LineState != nil {
			v.lines[ev.LineState.Line.Name] = ev.LineState.Line
		}
	}
}

func (v *view) position() store.Position {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.pos
}

func (v *view) allLines() []tapi.Line {
	v.mu.RLock()
	out := make([]tapi.Line, 0, len(v.lines))
	for _, l := range v.lines {
		out = append(out, l)
	}
	v.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (v *view) line(name string) (tapi.Line, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	l, ok := v.lines[name]
	return l, ok
}

func (v *view) call(h tapi.CallHandle) (tapi.Call, bool) {
	v.mu.RLock()
	defer v.mu.RUnlock()
	c, ok := v.calls[h]
	return c, ok
}

// callsOf returns the calls of a line ("" for all), oldest handle first.
func (v *view) callsOf(line string) []tapi.Call {
	v.mu.RLock()
	var out []tapi.Call
	if line == "" {
		out = make([]tapi.Call, 0, len(v.calls))
		for _, c := range v.calls {
			out = append(out, c)
		}
	} else {
		for h := range v.byLine[line] {
			out = append(out, v.calls[h])
		}
	}
	v.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return handleLess(out[i].Handle, out[j].Handle) })
	return out
}

// linesWithCalls returns the names of lines that have calls.
func (v *view) linesWithCalls() map[string]bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	out := make(map[string]bool, len(v.byLine))
	for l := range v.byLine {
		out[l] = true
	}
	return out
}

// handleLess orders handles "<pbx>:<n>" by their number.
func handleLess(a, b tapi.CallHandle) bool {
	na, nb := handleNum(a), handleNum(b)
	if na != nb {
		return na < nb
	}
	return a < b
}

func handleNum(h tapi.CallHandle) uint64 {
	s := string(h)
	var n uint64
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ':' {
			for _, r := range s[i+1:] {
				if r < '0' || r > '9' {
					return 0
				}
				n = n*10 + uint64(r-'0')
			}
			return n
		}
	}
	return 0
}
