package cti

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// Do implements Service: it validates the request, executes it on the owning instance with
// exactly one CSTA request, and returns the LINE_REPLY.
func (e *Engine) Do(ctx context.Context, req Request) tapi.Reply {
	start := time.Now()
	rep, pbxName := e.do(ctx, req)
	rep.RequestID = req.ID
	e.metrics.Command(pbxName, req.Op, rep.Result, time.Since(start))
	if rep.Result != 0 {
		l := e.log.WithField("line", req.Line).WithField("call", req.Handle).WithField("op", req.Op).
			WithField("user", req.User).WithField("error", rep.Error)
		if rep.CSTACategory != "" {
			l = l.WithField("csta", rep.CSTACategory+"/"+rep.CSTAValue)
		}
		l.Info("request failed")
	}
	return rep
}

func (e *Engine) do(ctx context.Context, req Request) (tapi.Reply, string) {
	p, ext, ok := e.splitLine(req.Line)
	if !ok {
		return failf(tapi.LINEERR_BADDEVICEID, "unknown line %q: want pbx/extension of a configured PBX", req.Line), ""
	}
	if !p.extSet[ext] {
		return failf(tapi.LINEERR_BADDEVICEID, "line %s is not monitored by the bridge", req.Line), p.cfg.Name
	}
	if o := p.own.Load(); o != nil {
		return o.rt.execute(ctx, ext, req), p.cfg.Name
	}
	if why := p.deg.reason(); why != "" {
		// This instance gave the link up because the store would not take its writes, and
		// no other instance has been seen to own it since: nothing may change on the PBX
		// that the bridge cannot record.
		cerr := storeRefusal(why)
		return tapi.Reply{Result: cerr.code, Error: cerr.msg}, p.cfg.Name
	}
	return p.route(ctx, ext, req), p.cfg.Name
}

func failf(code tapi.LineErr, format string, a ...any) tapi.Reply {
	return tapi.Reply{Result: code, Error: fmt.Sprintf(format, a...)}
}

// commandError is a request refused before anything was sent.
type commandError struct {
	code tapi.LineErr
	msg  string
}

func (c *commandError) Error() string { return c.msg }

func refuse(code tapi.LineErr, format string, a ...any) *commandError {
	return &commandError{code: code, msg: fmt.Sprintf(format, a...)}
}

// router is the command part of an ownership term: a request becomes the one CSTA service of
// its op (command_build.go) and goes out on the link once the lease allows it. It runs on the
// callers' goroutines (Engine.Do, and serveCommands for requests routed from other instances)
// and keeps one field: noDirectedPickup, written and read by those callers (atomic). It reads
// the link's session and waits for it through ln.changed, reads the view, and asks the
// pipeline (pl) about its store writes.
type router struct {
	*term
	ln *link
	pl *pipeline
	// noDirectedPickup: the switch refused DirectedPickupCall as not supported, so pickups
	// go out as DeflectCall for the rest of the term (see pickupFallback).
	noDirectedPickup atomic.Bool
}

// execute runs a request on the owner.
func (o *router) execute(ctx context.Context, ext string, req Request) tapi.Reply {
	// A command changes the PBX's state, whose events must be recorded for clients: it
	// runs only while the term's store writes succeed (degraded.go).
	if cerr := o.pl.refuseUnrecorded(); cerr != nil {
		return tapi.Reply{Result: cerr.code, Error: cerr.msg}
	}
	msg, wantCall, cerr := o.build(ctx, ext, req)
	if cerr != nil {
		return tapi.Reply{Result: cerr.code, Error: cerr.msg}
	}
	lc := o.awaitLink(ctx)
	if lc == nil {
		return failf(tapi.LINEERR_RESOURCEUNAVAIL, "PBX %s link is down; request not sent", o.p.cfg.Name)
	}
	rctx, cancel := context.WithTimeout(ctx, o.p.cfg.RequestTimeout)
	defer cancel()
	resp, err := o.request(rctx, lc, msg)
	if fb := o.pickupFallback(msg, err); fb != nil {
		msg = fb
		resp, err = o.request(rctx, lc, msg)
	}
	if err != nil {
		return replyForError(req, msg.MessageName(), err)
	}
	var rep tapi.Reply
	if id := wantCall(resp); id != "" {
		rep.Handle = o.awaitCall(ctx, tapi.LineName(o.p.cfg.Name, ext), id)
	}
	return rep
}

// linkWait bounds how long a command waits for the PBX link to be usable: a link being
// (re)connected in a switchover or at the start of an ownership term is back within it, and a
// user's click during that time should work rather than fail. Nothing was sent yet, so waiting
// is not a retry.
const linkWait = 5 * time.Second

// awaitLink returns the link once requests may go out on it, or nil when the term ends, ctx
// ends or linkWait passes first, and at once while no node has been reachable for longer than
// OutOfServiceGrace. It wakes when the supervisor changes the link (ln.changed), when a
// renewal moves the lease's deadline (renewed), and when the quiet time of a term without
// lease history ends.
func (o *router) awaitLink(ctx context.Context) *linkConn {
	ctx, cancel := context.WithTimeout(ctx, linkWait)
	defer cancel()
	var quiet <-chan time.Time // fires when the quiet time ends (nil: none left)
	if wait := time.Until(o.quietUntil); wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		quiet = t.C
	}
	for {
		// Taken before the state is read: a change after the read closes them.
		changed, renewed := o.ln.changed.wait(), o.renewed.wait()
		if lc := o.ln.conn.Load(); lc != nil && o.mayRequest() == nil {
			return lc
		}
		if o.ctx.Err() != nil || o.ln.unreachable.Load() {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-o.ctx.Done():
			return nil
		case <-changed:
		case <-renewed:
		case <-quiet:
		}
	}
}

// replyForError maps a failed CSTA request. The request may have reached the PBX unless the
// PBX answered with an error, so it is never retried. A CSTA refusal is answered with a
// sentence saying what it means for the request (CSTASentence), the CSTA error kept as is.
func replyForError(req Request, service string, err error) tapi.Reply {
	var ce *csta.Error
	switch {
	case errors.As(err, &ce):
		return tapi.Reply{Result: tapi.LineErrFromCSTA(ce.Category, ce.Value),
			Error:        CSTASentence(req.Op, req.Number, ce.Category, ce.Value),
			CSTACategory: ce.Category, CSTAValue: ce.Value}
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return tapi.Reply{Result: tapi.LineErrFromCSTA(tapi.CategoryTransport, ""),
			Error: fmt.Sprintf("%s not answered in time; it may still have been executed (not retried)", service)}
	case errors.Is(err, csta.ErrConnClosed):
		return tapi.Reply{Result: tapi.LineErrFromCSTA(tapi.CategoryTransport, ""),
			Error: fmt.Sprintf("PBX link lost during %s; it may have been executed (not retried): %v", service, err)}
	}
	return tapi.Reply{Result: tapi.LINEERR_OPERATIONFAILED, Error: fmt.Sprintf("%s failed: %v", service, err)}
}

// awaitCall waits briefly for the call a request created to appear on the line, so that the
// reply can carry its handle; it gives up quietly (the events will still announce it). It
// wakes whenever the view changes.
func (o *router) awaitCall(ctx context.Context, line, callID string) tapi.CallHandle {
	giveUp := time.NewTimer(callWait)
	defer giveUp.Stop()
	for {
		changed := o.p.view.changed.wait() // before reading, so no change is missed
		for _, c := range o.p.view.callsOf(line) {
			if c.CallID == callID || containsString(c.OtherCallIDs, callID) {
				return c.Handle
			}
		}
		select {
		case <-changed:
		case <-giveUp.C:
			return ""
		case <-ctx.Done():
			return ""
		case <-o.ctx.Done():
			return ""
		}
	}
}

// callWait bounds how long a reply waits for the call its request created.
const callWait = 2 * time.Second

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// noCall is wantCall for services that create no call.
func noCall(csta.Message) string { return "" }

// callConn resolves a call handle of the acting line to its CSTA connection.
func (o *router) callConn(ctx context.Context, line string, h tapi.CallHandle, code tapi.LineErr, field string) (csta.ConnectionID, *commandError) {
	if h == "" {
		return csta.ConnectionID{}, refuse(code, "%s: a call handle is required", field)
	}
	c, ok := o.p.view.call(h)
	if !ok && o.pl.submit(ctx, func(*reducer.State, time.Time) reducer.Result { return reducer.Result{} }) == nil {
		// The store hands a batch to the clients before the pipeline puts it in the view: a
		// client may act on a call it was just told of. A job through the pipeline waits
		// until every batch before it is in the view.
		c, ok = o.p.view.call(h)
	}
	if !ok {
		return csta.ConnectionID{}, refuse(code, "%s: no call %s (it may have ended)", field, h)
	}
	if c.Line != line {
		return csta.ConnectionID{}, refuse(code, "%s: call %s is on line %s, not %s", field, h, c.Line, line)
	}
	_, ext, _ := cutLine(line)
	return csta.ConnectionID{CallID: c.CallID, DeviceID: csta.Device(ext)}, nil
}

func cutLine(line string) (string, string, bool) {
	for i := 0; i < len(line); i++ {
		if line[i] == '/' {
			return line[:i], line[i+1:], true
		}
	}
	return "", "", false
}

// buildPickup picks up the call ringing at req.Number for the acting line: DirectedPickupCall
// (ECMA-269 Directed Pickup Call), or, on a switch that refused it before, DeflectCall of the ringing
// call to the line (the line then rings instead of being connected at once).
func (o *router) buildPickup(ctx context.Context, ext string, req Request) (csta.Message, func(csta.Message) string, *commandError) {
	if req.Number == "" {
		return nil, nil, refuse(tapi.LINEERR_INVALADDRESS, "pickup needs the number of the ringing device")
	}
	if req.Number == ext {
		return nil, nil, refuse(tapi.LINEERR_INVALADDRESS, "pickup: %s is the acting line itself", ext)
	}
	callID, cerr := o.ringingAt(ctx, req.Number)
	if cerr != nil {
		return nil, nil, cerr
	}
	ringing := csta.ConnectionID{CallID: callID, DeviceID: csta.Device(req.Number)}
	var m csta.Message = &csta.DirectedPickupCall{CallToBePickedUp: ringing, RequestingDevice: csta.Device(ext)}
	if o.noDirectedPickup.Load() {
		m = &csta.DeflectCall{CallToBeDiverted: ringing, NewDestination: csta.Device(ext)}
	}
	return m, func(r csta.Message) string {
		if r, ok := r.(*csta.DirectedPickupCallResponse); ok && r.PickedCall.CallID != "" {
			return r.PickedCall.CallID
		}
		return callID
	}, nil
}

// pickupFallback returns the DeflectCall to send instead when the switch refused a
// DirectedPickupCall as a service it does not offer, and remembers that for the term. Such
// a refusal (operation/serviceNotSupported, or requestedServiceNotSupported as some
// switches spell it) says the request was not executed and no call was touched, so sending
// the other service is not a retry of a call-control action. Any other outcome: nil.
func (o *router) pickupFallback(msg csta.Message, err error) csta.Message {
	dp, ok := msg.(*csta.DirectedPickupCall)
	var ce *csta.Error
	if !ok || !errors.As(err, &ce) || !serviceNotSupported(ce) {
		return nil
	}
	o.noDirectedPickup.Store(true)
	o.p.log.WithField("pbx", o.p.cfg.Name).Info("PBX does not offer DirectedPickupCall; picking up with DeflectCall")
	return &csta.DeflectCall{CallToBeDiverted: dp.CallToBePickedUp, NewDestination: dp.RequestingDevice}
}

// serviceNotSupported reports a CSTA error that says the switch does not offer the service.
func serviceNotSupported(ce *csta.Error) bool {
	return ce.Value == csta.ErrRequestedServiceNotSupported || ce.Value == "requestedServiceNotSupported"
}

// ringingAt finds the call alerting at a device: from the state when it is monitored,
// else by SnapshotDevice.
func (o *router) ringingAt(ctx context.Context, number string) (string, *commandError) {
	if o.p.extSet[number] {
		for _, c := range o.p.view.callsOf(tapi.LineName(o.p.cfg.Name, number)) {
			if c.State == tapi.LINECALLSTATE_OFFERING || c.State == tapi.LINECALLSTATE_ACCEPTED {
				return c.CallID, nil
			}
		}
		return "", refuse(tapi.LINEERR_INVALCALLSTATE, "pickup: nothing is ringing at %s", number)
	}
	lc := o.awaitLink(ctx)
	if lc == nil {
		return "", refuse(tapi.LINEERR_RESOURCEUNAVAIL, "PBX %s link is down; request not sent", o.p.cfg.Name)
	}
	rctx, cancel := context.WithTimeout(ctx, o.p.cfg.RequestTimeout)
	defer cancel()
	m, err := o.request(rctx, lc, &csta.SnapshotDevice{SnapshotObject: csta.Device(number)})
	if err != nil {
		r := replyForError(Request{Op: OpPickup, Number: number}, "SnapshotDevice", err)
		return "", refuse(r.Result, "pickup: cannot see the calls at %s: %s", number, r.Error)
	}
	if r, ok := m.(*csta.SnapshotDeviceResponse); ok {
		for _, it := range r.Items {
			if it.State() == csta.StateAlerting {
				return it.Connection.CallID, nil
			}
		}
	}
	return "", refuse(tapi.LINEERR_INVALCALLSTATE, "pickup: nothing is ringing at %s", number)
}

// forwardingType maps LINEFORWARDMODE to the ECMA-269 forwarding type.
func forwardingType(m tapi.ForwardMode) (csta.ForwardingType, bool) {
	switch m {
	case tapi.LINEFORWARDMODE_UNCOND:
		return csta.ForwardImmediate, true
	case tapi.LINEFORWARDMODE_UNCONDINTERNAL:
		return csta.ForwardImmInt, true
	case tapi.LINEFORWARDMODE_UNCONDEXTERNAL:
		return csta.ForwardImmExt, true
	case tapi.LINEFORWARDMODE_BUSY:
		return csta.ForwardBusy, true
	case tapi.LINEFORWARDMODE_BUSYINTERNAL:
		return csta.ForwardBusyInt, true
	case tapi.LINEFORWARDMODE_BUSYEXTERNAL:
		return csta.ForwardBusyExt, true
	case tapi.LINEFORWARDMODE_NOANSW:
		return csta.ForwardNoAns, true
	case tapi.LINEFORWARDMODE_NOANSWINTERNAL:
		return csta.ForwardNoAnsInt, true
	case tapi.LINEFORWARDMODE_NOANSWEXTERNAL:
		return csta.ForwardNoAnsExt, true
	case tapi.LINEFORWARDMODE_BUSYNA:
		return csta.ForwardBusyNoAns, true
	case tapi.LINEFORWARDMODE_BUSYNAINTERNAL:
		return csta.ForwardBusyNoAnsInternal, true
	}
	return "", false
}
