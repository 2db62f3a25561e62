package client

import (
	"sort"
	"strings"
	"sync"

	"github.com/ctibridge/ctibridge/tapi"
)

// mirror is the local copy of the subscribed lines and their calls, and the per-PBX cursors.
// The connection goroutine writes it; applications read it through Client's accessors.
type mirror struct {
	mu      sync.RWMutex
	lines   map[string]tapi.Line
	calls   map[tapi.CallHandle]tapi.Call
	cursors map[string]Position
}

func newMirror() *mirror {
	return &mirror{lines: map[string]tapi.Line{}, calls: map[tapi.CallHandle]tapi.Call{},
		cursors: map[string]Position{}}
}

// resync replaces the view of the listed lines; for any reason but "lines_added" the PBX's
// other lines and calls go as well, since the snapshot covers every line subscribed there.
func (m *mirror) resync(r *Resynced) {
	m.mu.Lock()
	defer m.mu.Unlock()
	listed := map[string]bool{}
	for _, l := range r.Lines {
		listed[l.Name] = true
	}
	dropLine := func(name string) bool {
		return listed[name] || (r.Reason != "lines_added" && pbxOf(name) == r.PBX)
	}
	for name := range m.lines {
		if dropLine(name) {
			delete(m.lines, name)
		}
	}
	for h, c := range m.calls {
		if dropLine(c.Line) {
			delete(m.calls, h)
		}
	}
	for _, l := range r.Lines {
		m.lines[l.Name] = l
	}
	for _, c := range r.Calls {
		m.calls[c.Handle] = c
	}
	m.cursors[r.PBX] = r.Position
}

// accept reports whether an event at pos is new, and advances the PBX's cursor if so. An
// event at or below the cursor of the same epoch was delivered before.
func (m *mirror) accept(pbx string, pos Position) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.cursors[pbx]
	if ok && cur.Epoch == pos.Epoch && pos.Offset <= cur.Offset {
		return false
	}
	m.cursors[pbx] = pos
	return true
}

// advance moves a PBX's cursor to pos (a synced message) unless it is already past it.
func (m *mirror) advance(pbx string, pos Position) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.cursors[pbx]
	if !ok || cur.Epoch != pos.Epoch || pos.Offset > cur.Offset {
		m.cursors[pbx] = pos
	}
}

// apply updates lines and calls by one event.
func (m *mirror) apply(ev *tapi.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Type {
	case tapi.LineNewCall:
		m.calls[ev.Handle] = cloneCall(*ev.Call)
	case tapi.LineCallState:
		if ev.CallState.State == tapi.LINECALLSTATE_IDLE {
			delete(m.calls, ev.Handle)
			return
		}
		c, ok := m.calls[ev.Handle]
		if !ok {
			// A state for a call the mirror never saw (it started before a resync that did
			// not list it): keep what is known.
			c = tapi.Call{Handle: ev.Handle, Line: ev.Line, Created: ev.Time}
		}
		c.CallStatus = *ev.CallState
		c.StateSince = ev.Time
		if ev.CallState.State == tapi.LINECALLSTATE_CONNECTED && c.ConnectedAt.IsZero() {
			c.ConnectedAt = ev.Time
		}
		m.calls[ev.Handle] = c
	case tapi.LineCallInfo:
		if c, ok := m.calls[ev.Handle]; ok {
			c.Info = ev.CallInfo.Info
			if ev.CallInfo.CallID != "" {
				c.CallID = ev.CallInfo.CallID
			}
			m.calls[ev.Handle] = c
		}
	case tapi.LineConference:
		if c, ok := m.calls[ev.Handle]; ok {
			c.Conference = ev.Conference.Clone() // nil: a two-party call again
			m.calls[ev.Handle] = c
		}
	case tapi.LineLineDevState, tapi.LineAddressState:
		m.lines[ev.Line] = cloneLine(ev.LineState.Line)
	}
}

func (m *mirror) line(name string) (tapi.Line, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	l, ok := m.lines[name]
	return cloneLine(l), ok
}

func (m *mirror) allLines() []tapi.Line {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make([]tapi.Line, 0, len(m.lines))
	for _, l := range m.lines {
		out = append(out, cloneLine(l))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (m *mirror) call(h tapi.CallHandle) (tapi.Call, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c, ok := m.calls[h]
	return cloneCall(c), ok
}

// callsOf returns the calls of line ("" for all), oldest first.
func (m *mirror) callsOf(line string) []tapi.Call {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := []tapi.Call{}
	for _, c := range m.calls {
		if line == "" || c.Line == line {
			out = append(out, cloneCall(c))
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].Handle < out[j].Handle
	})
	return out
}

func (m *mirror) cursorsCopy() map[string]Position {
	m.mu.RLock()
	defer m.mu.RUnlock()
	out := make(map[string]Position, len(m.cursors))
	for k, v := range m.cursors {
		out[k] = v
	}
	return out
}

func pbxOf(line string) string {
	pbx, _, _ := strings.Cut(line, "/")
	return pbx
}

func cloneCall(c tapi.Call) tapi.Call {
	c.OtherCallIDs = append([]string(nil), c.OtherCallIDs...)
	c.Parties = append([]string(nil), c.Parties...)
	c.Conference = c.Conference.Clone()
	return c
}

func cloneLine(l tapi.Line) tapi.Line {
	l.Forwarding = append([]tapi.Forward(nil), l.Forwarding...)
	return l
}
