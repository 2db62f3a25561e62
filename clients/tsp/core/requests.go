package tspcore

import (
	"context"
	"slices"
	"strings"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// Asynchronous TSPI requests return at once (the cgo layer then returns dwRequestID); the
// bridge's LINE_REPLY is passed on through ASYNC_COMPLETION with the same request ID.

// complete reports a request's result to TAPI; the lock is held.
func (p *Provider) complete(requestID uint32, err error) {
	if p.completion != nil && !p.closed {
		p.completion(requestID, Result(err))
	}
}

// run carries out work for request requestID in a goroutine the provider owns, then calls
// done with the lock held (to update tables) and completes the request.
func (p *Provider) run(requestID uint32, work func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error), done func(h tapi.CallHandle, err error)) {
	cl := p.cl
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		// A request the bridge never answers must still complete for TAPI.
		ctx, cancel := context.WithTimeout(p.ctx, p.cfg.RequestTimeout)
		h, err := work(ctx, cl)
		cancel()
		if err != nil && ctx.Err() == context.DeadlineExceeded {
			err = lineErr(tapi.LINEERR_OPERATIONFAILED, "the bridge did not answer within %v", p.cfg.RequestTimeout)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed {
			return
		}
		if done != nil {
			done(h, err)
		} else {
			p.complete(requestID, err)
		}
	}()
}

// callRequest validates hdCall and runs a request on its bridge call.
func (p *Provider) callRequest(requestID uint32, hd HDRVCALL, op string, do func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	if err := p.controllable(c.line, op); err != nil {
		return err
	}
	if c.isConf {
		return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "%s is not offered on a conference call (only lineDrop and lineGenerateDigits)", op)
	}
	if c.conf != nil {
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "%s: the call is a party of a conference; use the conference call", op)
	}
	if c.handle == "" {
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "%s: the consultation call has not been dialled yet", op)
	}
	if c.idle {
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "%s: the call is idle", op)
	}
	name, h := c.line.info.Name, c.handle
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return "", do(ctx, cl, name, h)
	}, nil)
	return nil
}

func (p *Provider) controllable(l *line, op string) error {
	if !l.info.Control {
		return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "%s: this token may only monitor line %s", op, l.info.Name)
	}
	return nil
}

// MakeCall dials dest from a line (TSPI_lineMakeCall). The hdCall is returned at once; TAPI
// already holds htCall for it, so the call is never announced with LINE_NEWCALL.
func (p *Provider) MakeCall(requestID uint32, hd HDRVLINE, htCall HTAPICALL, dest string) (HDRVCALL, error) {
	num, err := CleanDialString(dest)
	if err != nil {
		return 0, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByHandle(hd)
	if err != nil {
		return 0, err
	}
	if err := p.controllable(l, "lineMakeCall"); err != nil {
		return 0, err
	}
	c := p.newCall(l, htCall)
	l.pending++
	name := l.info.Name
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return cl.MakeCall(ctx, name, num, false)
	}, func(h tapi.CallHandle, err error) {
		l.pending--
		if err != nil {
			// A failed lineMakeCall leaves no call: TAPI frees htCall.
			delete(p.calls, c.hd)
		} else {
			p.bind(c, h)
		}
		p.complete(requestID, err)
		p.release(l)
	})
	return c.hd, nil
}

// Answer answers an offering call (TSPI_lineAnswer).
func (p *Provider) Answer(requestID uint32, hd HDRVCALL) error {
	return p.callRequest(requestID, hd, "lineAnswer", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
		return cl.Answer(ctx, line, h)
	})
}

// Hold puts a call on hold (TSPI_lineHold).
func (p *Provider) Hold(requestID uint32, hd HDRVCALL) error {
	return p.callRequest(requestID, hd, "lineHold", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
		return cl.Hold(ctx, line, h)
	})
}

// Unhold retrieves a held call (TSPI_lineUnhold).
func (p *Provider) Unhold(requestID uint32, hd HDRVCALL) error {
	return p.callRequest(requestID, hd, "lineUnhold", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
		return cl.Unhold(ctx, line, h)
	})
}

// BlindTransfer transfers a call to dest without consultation (TSPI_lineBlindTransfer).
func (p *Provider) BlindTransfer(requestID uint32, hd HDRVCALL, dest string) error {
	num, err := CleanDialString(dest)
	if err != nil {
		return err
	}
	return p.callRequest(requestID, hd, "lineBlindTransfer", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
		return cl.BlindTransfer(ctx, line, h, num)
	})
}

// Redirect deflects an offering call to dest (TSPI_lineRedirect).
func (p *Provider) Redirect(requestID uint32, hd HDRVCALL, dest string) error {
	num, err := CleanDialString(dest)
	if err != nil {
		return err
	}
	return p.callRequest(requestID, hd, "lineRedirect", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
		return cl.Redirect(ctx, line, h, num)
	})
}

// Drop hangs up a call (TSPI_lineDrop). A consultation call that was never dialled exists
// only here: it goes IDLE without asking the bridge. Dropping a call that is already idle,
// or disconnected and cleared by the PBX meanwhile, succeeds, as applications drop every
// call before deallocating it. Dropping a conference call clears the line's own connection
// to it; one party of a conference cannot be dropped (the bridge clears only the line's own
// connections).
func (p *Provider) Drop(requestID uint32, hd HDRVCALL) error {
	p.mu.Lock()
	c, err := p.callByHandle(hd)
	if err != nil {
		p.mu.Unlock()
		return err
	}
	if err := p.controllable(c.line, "lineDrop"); err != nil {
		p.mu.Unlock()
		return err
	}
	if c.conf != nil && !c.idle {
		p.mu.Unlock()
		return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "lineDrop: one party of a conference cannot be dropped; drop the conference call")
	}
	if c.idle || (c.handle == "" && !c.dialling) {
		p.complete(requestID, nil)
		p.setState(c, tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}, p.now())
		p.mu.Unlock()
		return nil
	}
	if c.handle == "" {
		p.mu.Unlock()
		if c.isConf {
			return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineDrop: the conference is being set up")
		}
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineDrop: the consultation call is being dialled")
	}
	wasDisconnected := c.status.State == tapi.LINECALLSTATE_DISCONNECTED
	name, h := c.line.info.Name, c.handle
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return "", cl.Drop(ctx, name, h)
	}, func(_ tapi.CallHandle, err error) {
		if code := CodeOf(err); err != nil && (wasDisconnected || c.idle) &&
			(code == tapi.LINEERR_INVALCALLHANDLE || code == tapi.LINEERR_INVALCALLSTATE) {
			err = nil // the PBX cleared it first
		}
		p.complete(requestID, err)
	})
	p.mu.Unlock()
	return nil
}

// SetupTransfer creates the consultation call of a transfer (TSPI_lineSetupTransfer). The
// bridge holds the call and dials in one step once the number is known, so the consultation
// call waits in DIALTONE for TSPI_lineDial.
func (p *Provider) SetupTransfer(requestID uint32, hd HDRVCALL, htConsult HTAPICALL) (HDRVCALL, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return 0, err
	}
	if err := p.controllable(c.line, "lineSetupTransfer"); err != nil {
		return 0, err
	}
	if c.isConf {
		return 0, lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "lineSetupTransfer: a conference call cannot be transferred or extended")
	}
	if c.handle == "" || c.status.State != tapi.LINECALLSTATE_CONNECTED {
		return 0, lineErr(tapi.LINEERR_INVALCALLSTATE, "lineSetupTransfer: the call is %s, not LINECALLSTATE_CONNECTED", c.status.State)
	}
	cc := p.newCall(c.line, htConsult)
	cc.consultFor = c
	p.complete(requestID, nil)
	// No dial tone is really there: the bridge dials in one step (UNAVAIL, as the bridge
	// itself reports a consultation call's dial tone).
	p.setState(cc, tapi.CallStatus{State: tapi.LINECALLSTATE_DIALTONE, DialToneMode: tapi.LINEDIALTONEMODE_UNAVAIL}, p.now())
	return cc.hd, nil
}

// Dial dials dest on a consultation call from SetupTransfer (TSPI_lineDial): the bridge
// holds the original call and calls dest; the new bridge call becomes this hdCall.
func (p *Provider) Dial(requestID uint32, hd HDRVCALL, dest string) error {
	num, err := CleanDialString(dest)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	if c.consultFor == nil || c.handle != "" || c.dialling || c.idle {
		return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "lineDial: only a consultation call in DIALTONE can be dialled")
	}
	primary := c.consultFor
	if primary.idle || primary.handle == "" {
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineDial: the call to transfer has ended")
	}
	l := c.line
	c.dialling = true
	l.pending++
	name, ph := l.info.Name, primary.handle
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return cl.SetupTransfer(ctx, name, ph, num)
	}, func(h tapi.CallHandle, err error) {
		l.pending--
		c.dialling = false
		if err == nil {
			p.bind(c, h)
		}
		p.complete(requestID, err)
		p.release(l)
	})
	return nil
}

// CompleteTransfer resolves a transfer set up with SetupTransfer (TSPI_lineCompleteTransfer).
// LINETRANSFERMODE_TRANSFER joins the held call and its consultation call and leaves: both
// go IDLE. LINETRANSFERMODE_CONFERENCE makes a three-party conference: the returned hdCall
// is the new conference call TAPI knows as htConf (see conference.go); htConf is ignored
// for a transfer.
func (p *Provider) CompleteTransfer(requestID uint32, hd, hdConsult HDRVCALL, htConf HTAPICALL, mode uint32) (HDRVCALL, error) {
	if mode != LINETRANSFERMODE_TRANSFER && mode != LINETRANSFERMODE_CONFERENCE {
		return 0, lineErr(tapi.LINEERR_INVALTRANSFERMODE, "lineCompleteTransfer: mode %#x; want LINETRANSFERMODE_TRANSFER or LINETRANSFERMODE_CONFERENCE", mode)
	}
	p.mu.Lock()
	cc, err := p.callByHandle(hdConsult)
	if err == nil {
		err = consultable(cc)
	}
	if err != nil || mode == LINETRANSFERMODE_TRANSFER {
		var consult tapi.CallHandle
		if err == nil {
			consult = cc.handle // read under the lock
		}
		p.mu.Unlock()
		if err != nil {
			return 0, err
		}
		return 0, p.callRequest(requestID, hd, "lineCompleteTransfer", func(ctx context.Context, cl *client.Client, line string, h tapi.CallHandle) error {
			return cl.CompleteTransfer(ctx, line, h, consult)
		})
	}
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return 0, err
	}
	if err := p.controllable(c.line, "lineCompleteTransfer"); err != nil {
		return 0, err
	}
	if err := conferenceable(c, cc); err != nil {
		return 0, err
	}
	return p.conference(requestID, c, cc, htConf)
}

// consultable checks that cc can be the consultation call of a completed transfer.
func consultable(cc *call) error {
	switch {
	case cc.isConf || cc.conf != nil:
		return lineErr(tapi.LINEERR_INVALCONSULTCALLHANDLE, "lineCompleteTransfer: the consultation call is part of a conference")
	case cc.handle == "" || cc.idle:
		return lineErr(tapi.LINEERR_INVALCONSULTCALLHANDLE, "lineCompleteTransfer: the consultation call is not connected to anyone")
	case cc.line.holding[cc.handle] != nil:
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineCompleteTransfer: a conference of the consultation call is being set up")
	}
	return nil
}

// conferenceable checks that c and its consultation call cc can be joined into a conference.
func conferenceable(c, cc *call) error {
	switch {
	case c.isConf || c.conf != nil:
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineCompleteTransfer: the call is already a conference or part of one")
	case c.handle == "" || c.idle:
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineCompleteTransfer: the call to conference has ended")
	case c == cc:
		return lineErr(tapi.LINEERR_INVALCONSULTCALLHANDLE, "lineCompleteTransfer: hdCall and hdConsultCall are the same call")
	case cc.line != c.line:
		return lineErr(tapi.LINEERR_INVALCONSULTCALLHANDLE, "lineCompleteTransfer: the consultation call is on another line")
	case c.line.holding[c.handle] != nil:
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineCompleteTransfer: a conference of the call is being set up")
	}
	return nil
}

// ForwardEntry is one LINEFORWARD of a TSPI_lineForward list.
type ForwardEntry struct {
	Mode tapi.ForwardMode
	Dest string
}

// Forward sets forwarding of a line (TSPI_lineForward): list nil cancels every forwarding
// the line has; otherwise each entry is switched on. Modes the bridge does not know are
// refused before anything is changed.
func (p *Provider) Forward(requestID uint32, hd HDRVLINE, list []ForwardEntry, numRings uint32) error {
	type fwd struct {
		mode   tapi.ForwardMode
		num    string
		enable bool
	}
	var todo []fwd
	for i, e := range list {
		if !strings.HasPrefix(e.Mode.String(), "LINEFORWARDMODE_") || e.Mode == tapi.LINEFORWARDMODE_UNKNOWN {
			return lineErr(tapi.LINEERR_INVALPARAM, "lineForward entry %d: dwForwardMode %#x is not one LINEFORWARDMODE_* value", i, uint32(e.Mode))
		}
		num, err := CleanDialString(e.Dest)
		if err != nil {
			return lineErr(tapi.LINEERR_INVALADDRESS, "lineForward entry %d: %v", i, err)
		}
		todo = append(todo, fwd{e.Mode, num, true})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByHandle(hd)
	if err != nil {
		return err
	}
	if err := p.controllable(l, "lineForward"); err != nil {
		return err
	}
	if list == nil {
		for _, f := range l.state.Forwarding {
			todo = append(todo, fwd{mode: f.Mode})
		}
	}
	name := l.info.Name
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		for _, f := range todo {
			if err := cl.Forward(ctx, name, f.mode, f.num, f.enable, int(numRings)); err != nil {
				return "", err
			}
		}
		return "", nil
	}, nil)
	return nil
}

// GenerateDigits sends DTMF on a call (TSPI_lineGenerateDigits); LINE_GENERATE reports the
// end with LINEGENERATETERM_DONE, or LINEGENERATETERM_CANCEL when the bridge refused.
func (p *Provider) GenerateDigits(hd HDRVCALL, endToEndID, digitMode uint32, digits string) error {
	if digitMode != LINEDIGITMODE_DTMF {
		return lineErr(tapi.LINEERR_INVALDIGITMODE, "lineGenerateDigits: mode %#x; only LINEDIGITMODE_DTMF is offered", digitMode)
	}
	for i, r := range digits {
		if !strings.ContainsRune("0123456789*#ABCDabcd", r) {
			return lineErr(tapi.LINEERR_INVALDIGITS, "lineGenerateDigits: %q at %d is not a DTMF digit", r, i)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	if err := p.controllable(c.line, "lineGenerateDigits"); err != nil {
		return err
	}
	if digits == "" {
		return nil // cancels a generation in progress; the bridge's finish at once
	}
	if c.handle == "" || c.status.State != tapi.LINECALLSTATE_CONNECTED {
		return lineErr(tapi.LINEERR_INVALCALLSTATE, "lineGenerateDigits: the call is not connected")
	}
	name, h := c.line.info.Name, c.handle
	p.run(0, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return "", cl.GenerateDigits(ctx, name, h, strings.ToUpper(digits))
	}, func(_ tapi.CallHandle, err error) {
		term := LINEGENERATETERM_DONE
		if err != nil {
			term = LINEGENERATETERM_CANCEL
		}
		if _, ok := p.calls[c.hd]; ok {
			p.lineEvent(c.line, c.ht, LINE_GENERATE, uintptr(term), uintptr(endToEndID), uintptr(p.Ticks()))
		}
	})
	return nil
}

// CloseCall forgets an hdCall (TSPI_lineCloseCall). The call itself is not dropped: with
// third-party call control the phone, not the application, owns it.
func (p *Provider) CloseCall(hd HDRVCALL) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	delete(p.calls, hd)
	if c.conf != nil {
		// A closed party gets no more messages from its conference.
		c.conf.parties = slices.DeleteFunc(c.conf.parties, func(pc *call) bool { return pc == c })
	}
	if c.handle != "" && p.byHandle[c.handle] == c {
		delete(p.byHandle, c.handle)
		if !c.idle {
			// Later events of the call must not announce it again (until its IDLE).
			p.refused[c.handle] = true
		}
	}
	return nil
}
