package cti

import "sync/atomic"

// link is the PBX-link part of an ownership term: the CSTA session to one of the PBX's nodes,
// kept up, resynchronised and moved by the supervisor. Ownership of its fields:
//   - conn, unreachable: written by the supervise goroutine only (setConn, setUnreachable),
//     read by every part (atomic); a change wakes the waiters of changed (awaitLink).
//   - admin: sent to by move (any goroutine), received by supervise (watch).
//
// Its goroutines are supervise (which also runs the resyncs and the monitor retries) and
// repairLoop, which drains the pipeline's repair requests. It hands events and state changes
// to the pipeline (pl) and receives its request to snapshot again (pl.lost).
type link struct {
	*term
	pl   *pipeline
	conn atomic.Pointer[linkConn]
	// unreachable: no node answered for longer than OutOfServiceGrace and the lines were put
	// out of service (set and cleared by the supervisor); commands then fail at once instead
	// of waiting for the link.
	unreachable atomic.Bool
	changed     broadcast
	admin       chan adminRequest
}

// setConn makes lc the current session (nil: none) and wakes the commands waiting for one.
func (o *link) setConn(lc *linkConn) {
	o.conn.Store(lc)
	o.changed.notify()
}

// setUnreachable records whether the lines were put out of service for want of a node, and
// wakes the commands waiting for the link (they fail at once while it is set).
func (o *link) setUnreachable(v bool) {
	o.unreachable.Store(v)
	o.changed.notify()
}

// drop closes the current session, if any (the term ended).
func (o *link) drop() {
	if lc := o.conn.Load(); lc != nil {
		lc.close()
	}
}
