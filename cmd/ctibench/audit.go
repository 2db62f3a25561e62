package main

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// auditLog is what the auditor (one client subscribed to every line) saw: every offset of the
// PBX's event log in order, which line it was for, and the BRIDGE_* events with their receive
// time. Offsets must be contiguous; the per-line clients are checked against it.
type auditLog struct {
	mu      sync.Mutex
	started bool
	start   uint64 // the auditor's log is complete after this offset
	last    uint64
	gaps    uint64 // offsets never received
	dups    uint64
	broken  bool // a later resync skipped events: verification from then on is impossible
	lineID  map[string]uint32
	offsets []uint64
	lineOf  []uint32
	bridge  []bridgeObs
	changed chan struct{} // closed and replaced when a bridge event arrives
}

type bridgeObs struct {
	recv time.Time
	ev   *tapi.Event
}

func newAuditLog() *auditLog {
	return &auditLog{lineID: map[string]uint32{}, changed: make(chan struct{})}
}

func (a *auditLog) restart(offset uint64, later bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		a.started, a.start, a.last = true, offset, offset
		return
	}
	if later {
		a.broken = true
	}
	if offset > a.last {
		a.gaps += offset - a.last
	}
	a.last = max(a.last, offset)
}

func (a *auditLog) add(ev wireEvent, b []byte, recv time.Time) {
	var bev *tapi.Event
	if strings.HasPrefix(ev.Type, "BRIDGE_") {
		bev, _ = bridgeEvent(b)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case ev.Offset <= a.last:
		a.dups++
		return
	case ev.Offset > a.last+1:
		a.gaps += ev.Offset - a.last - 1
	}
	a.last = ev.Offset
	id, ok := a.lineID[ev.Line]
	if !ok {
		id = uint32(len(a.lineID))
		a.lineID[ev.Line] = id
	}
	a.offsets = append(a.offsets, ev.Offset)
	a.lineOf = append(a.lineOf, id)
	if bev != nil {
		a.bridge = append(a.bridge, bridgeObs{recv: recv, ev: bev})
		close(a.changed)
		a.changed = make(chan struct{})
	}
}

func (a *auditLog) lastOffset() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// waitBridge waits for the first bridge event whose own time is at or after since and that
// matches.
func (a *auditLog) waitBridge(ctx context.Context, since time.Time, match func(*tapi.Event) bool) (bridgeObs, error) {
	seen := 0
	for {
		a.mu.Lock()
		for ; seen < len(a.bridge); seen++ {
			o := a.bridge[seen]
			if !o.ev.Time.Before(since) && match(o.ev) {
				a.mu.Unlock()
				return o, nil
			}
		}
		ch := a.changed
		a.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return bridgeObs{}, ctx.Err()
		}
	}
}

// Verification is the lost/duplicate check of a run.
type Verification struct {
	LogEvents       uint64 `json:"log_events"`        // events the auditor saw, contiguous
	AuditorGaps     uint64 `json:"auditor_gaps"`      // log offsets the auditor never got
	AuditorDups     uint64 `json:"auditor_dups"`      // offsets it got twice
	ClientsChecked  int    `json:"clients_checked"`   // clients whose counts were compared
	Lost            uint64 `json:"lost"`              // events a client should have got and did not
	Duplicated      uint64 `json:"duplicated"`        // events a client got twice (or more than the log has)
	ClientResyncs   int    `json:"client_resyncs"`    // resyncs after the initial one (events skipped by design)
	ClientReconnect int    `json:"client_reconnects"` // sessions re-established
	Complete        bool   `json:"complete"`          // the auditor's view was whole
	// Truth compares the auditor's calls on every line with the simulator's at the end.
	Truth TruthCheck `json:"truth"`
}

// failure says why the run failed its checks: an event lost or duplicated, or a line whose
// calls differ from the switch's. "" when it passed.
func (v Verification) failure() string {
	var why []string
	if v.Lost > 0 || v.Duplicated > 0 {
		why = append(why, fmt.Sprintf("%d events lost, %d duplicated", v.Lost, v.Duplicated))
	}
	if v.Truth.Checked && v.Truth.Differ > 0 {
		why = append(why, fmt.Sprintf("%d of %d lines differ from the switch", v.Truth.Differ, v.Truth.Lines))
	}
	return strings.Join(why, "; ")
}

// verify compares every client's per-line counts with the log the auditor saw. settled says
// whether the auditor and the clients caught up with the log before the end; counts taken
// while some still trail would show events in flight as lost (or, the auditor trailing, as
// duplicated), so the comparison is left out then and the verification is incomplete.
func (a *auditLog) verify(clients []*benchClient, settled bool) Verification {
	a.mu.Lock()
	defer a.mu.Unlock()
	v := Verification{LogEvents: uint64(len(a.offsets)), AuditorGaps: a.gaps, AuditorDups: a.dups,
		Complete: settled && !a.broken && a.gaps == 0}
	byLine := make([][]uint64, len(a.lineID))
	for i, off := range a.offsets {
		byLine[a.lineOf[i]] = append(byLine[a.lineOf[i]], off)
	}
	countAfter := func(line string, after uint64) uint64 {
		id, ok := a.lineID[line]
		if !ok {
			return 0
		}
		offs := byLine[id]
		i := sort.Search(len(offs), func(i int) bool { return offs[i] > after })
		return uint64(len(offs) - i)
	}
	for _, c := range clients {
		v.Duplicated += c.dups
		v.ClientResyncs += c.resyncs
		v.ClientReconnect += c.reconnects
		if !v.Complete || c.start < a.start || c.epoch == "" {
			// The auditor missed events, or the client connected before it (or never): there
			// is nothing whole to compare with.
			continue
		}
		v.ClientsChecked++
		for _, line := range append(append([]string(nil), c.lines...), "") {
			want := countAfter(line, c.start)
			var got uint64
			if ls := c.perLine[line]; ls != nil {
				got = ls.count
			}
			switch {
			case got < want:
				v.Lost += want - got
			case got > want:
				v.Duplicated += got - want
			}
		}
	}
	return v
}
