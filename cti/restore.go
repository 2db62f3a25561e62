package cti

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// When the store loses writes (Redis failed over to a replica that lacked the newest ones),
// it starts a new epoch and keeps the lines and calls it still has: older than what clients
// were shown. The owner's reducer state is newer, so the owner writes all of it back, with
// events that take a client from the stale stored state to the owner's (clients resync from
// the store on the epoch change, possibly before the rewrite lands), and then snapshots the
// PBX's devices to catch anything else.

// detailStoreLost explains the events of a rewrite to clients.
const detailStoreLost = "state restored after the store lost writes"

// restoreJob rewrites the whole state into the store if the store's epoch is not the one
// this term last wrote in, or always when force is set (the caller has just seen the new
// epoch in a write's result). It runs on the pipeline goroutine.
func (o *pipeline) restoreJob(force bool) job {
	return func(st *reducer.State, now time.Time) reducer.Result {
		p := o.p
		ctx, cancel := context.WithTimeout(o.ctx, p.e.cfg.LeaseTTL/2)
		snap, err := p.e.cfg.Store.Load(ctx, p.cfg.Name)
		cancel()
		if err != nil {
			// Without the stored calls, stale ones cannot be named; write what is known and
			// try again on the next epoch check.
			p.log.WithError(err).Warn("cannot load the stored state to restore it; rewriting lines and calls only")
			return rewriteAll(st)
		}
		if !force && snap.Position.Epoch == o.epoch {
			return reducer.Result{}
		}
		p.log.WithField("epoch", snap.Position.Epoch).WithField("was", o.epoch).
			Warn("the store lost writes; rewriting the state and resynchronising the devices")
		o.epoch = snap.Position.Epoch
		o.resnapshotDue = true // signalled after the write (applyItems)
		return restoreFrom(st, snap, now)
	}
}

// rewriteAll marks every line and call of st for writing.
func rewriteAll(st *reducer.State) reducer.Result {
	var r reducer.Result
	for _, l := range st.Lines() {
		r.ChangedLines = append(r.ChangedLines, l.Name)
	}
	for _, c := range st.Calls("") {
		r.ChangedCalls = append(r.ChangedCalls, c.Handle)
	}
	return r
}

// restoreFrom writes every line and call of st, deletes calls only the store has, and emits
// the events that turn the stored state into st: IDLE for stored calls st does not have,
// LINE_NEWCALL for calls the store lacks, LINE_CALLSTATE, LINE_CALLINFO and LINE_CONFERENCE for
// calls that differ, LINE_LINEDEVSTATE for lines that differ.
func restoreFrom(st *reducer.State, snap store.Snapshot, now time.Time) reducer.Result {
	r := rewriteAll(st)
	storedLines := make(map[string]tapi.Line, len(snap.Lines))
	for _, l := range snap.Lines {
		storedLines[l.Name] = l
	}
	storedCalls := make(map[tapi.CallHandle]tapi.Call, len(snap.Calls))
	for _, c := range snap.Calls {
		storedCalls[c.Handle] = c
	}
	ev := func(e tapi.Event) {
		e.V, e.Time, e.PBX, e.Detail = tapi.WireVersion, now, st.PBX, detailStoreLost
		e.Device = tapi.LineDeviceID(e.Line)
		r.Events = append(r.Events, e)
	}
	current := map[tapi.CallHandle]bool{}
	for _, c := range st.Calls("") {
		current[c.Handle] = true
		old, ok := storedCalls[c.Handle]
		switch {
		case !ok:
			call := c
			ev(tapi.Event{Type: tapi.LineNewCall, Line: c.Line, Handle: c.Handle, Call: &call})
			status := c.CallStatus
			ev(tapi.Event{Type: tapi.LineCallState, Line: c.Line, Handle: c.Handle, CallState: &status})
		case sameJSON(old, c):
		default:
			if old.CallStatus != c.CallStatus {
				status := c.CallStatus
				ev(tapi.Event{Type: tapi.LineCallState, Line: c.Line, Handle: c.Handle, CallState: &status})
			}
			if !sameJSON(old.Info, c.Info) || old.CallID != c.CallID {
				changed := tapi.LINECALLINFOSTATE_OTHER
				if old.CallID != c.CallID {
					changed |= tapi.LINECALLINFOSTATE_CALLID
				}
				ev(tapi.Event{Type: tapi.LineCallInfo, Line: c.Line, Handle: c.Handle,
					CallInfo: &tapi.CallInfoEvent{Changed: changed, CallID: c.CallID, Info: c.Info}})
			}
			if !old.Conference.Equal(c.Conference) {
				ev(tapi.Event{Type: tapi.LineConference, Line: c.Line, Handle: c.Handle, Conference: c.Conference.Clone()})
			}
		}
	}
	for _, c := range snap.Calls {
		if current[c.Handle] {
			continue
		}
		ev(tapi.Event{Type: tapi.LineCallState, Line: c.Line, Handle: c.Handle,
			CallState: &tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}})
		r.RemovedCalls = append(r.RemovedCalls, c.Handle)
	}
	for _, l := range st.Lines() {
		if old, ok := storedLines[l.Name]; !ok || !sameJSON(old, l) {
			ev(tapi.Event{Type: tapi.LineLineDevState, Line: l.Name,
				LineState: &tapi.LineEvent{DevState: tapi.LINEDEVSTATE_OTHER, Line: l}})
		}
	}
	return r
}

// sameJSON compares two values as they are stored (times and empty slices as JSON has them).
func sameJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// watchLog follows the PBX's log while this instance owns it, for one reason: a new epoch
// that a reader started (it saw Redis lose writes) while this owner had nothing to write. A
// store whose epochs never change (store.FixedEpochs) is not followed; watchLog still
// returns only when the term ends, as any part of the term ending ends it.
func (o *pipeline) watchLog() {
	if fe, ok := o.p.e.cfg.Store.(store.FixedEpochs); ok && fe.FixedEpochs() {
		<-o.ctx.Done()
		return
	}
	for o.ctx.Err() == nil {
		err := o.watchOnce()
		if o.ctx.Err() != nil {
			return
		}
		if errors.Is(err, store.ErrEpochChanged) {
			if perr := o.post(o.ctx, o.restoreJob(false)); perr != nil {
				return
			}
		}
		backoff.Sleep(o.ctx, 100*time.Millisecond)
	}
}

func (o *pipeline) watchOnce() error {
	sub, err := o.p.e.cfg.Store.Subscribe(o.ctx, o.p.cfg.Name)
	if err != nil {
		return err
	}
	defer sub.Close()
	for range sub.C() {
	}
	return sub.Err()
}
