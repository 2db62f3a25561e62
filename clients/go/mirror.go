package client

import (
	"sync"

	"github.com/ctibridge/ctibridge/tapi"
)

// mirror is the local copy of the subscribed lines and their calls, in a tapi.ReadModel (the
// rules of applying events live there, shared with the engine and the browser SDK), and the
// per-PBX cursors. The connection goroutine writes it; applications read it through Client's
// accessors, hence the lock.
type mirror struct {
	mu      sync.RWMutex
	m       *tapi.ReadModel
	cursors map[string]Position
}

func newMirror() *mirror {
	return &mirror{m: tapi.NewReadModel(), cursors: map[string]Position{}}
}

// resync replaces the view of the listed lines; for any reason but "lines_added" the PBX's
// other lines and calls go as well, since the snapshot covers every line subscribed there.
func (m *mirror) resync(r *Resynced) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m.Reset(tapi.Snapshot{PBX: r.PBX, ListedOnly: r.Reason == "lines_added", Lines: r.Lines, Calls: r.Calls})
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

// apply updates lines and calls by one event (tapi.ReadModel.Apply).
func (m *mirror) apply(ev *tapi.Event) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.m.Apply(ev)
}

// ignored returns how many events the mirror could not apply (tapi.ReadModel.Ignored).
func (m *mirror) ignored() uint64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m.Ignored()
}

func (m *mirror) line(name string) (tapi.Line, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m.Line(name)
}

func (m *mirror) allLines() []tapi.Line {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m.Lines()
}

func (m *mirror) call(h tapi.CallHandle) (tapi.Call, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m.Call(h)
}

// callsOf returns the calls of line ("" for all), oldest first.
func (m *mirror) callsOf(line string) []tapi.Call {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.m.Calls(line)
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
	return tapi.LinePBX(line)
}
