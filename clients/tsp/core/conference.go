package tspcore

import (
	"context"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// Three-party conference (TSPI_lineCompleteTransfer with LINETRANSFERMODE_CONFERENCE).
//
// TAPI's model has three calls: a new conference call (htConfCall, which the provider must
// report CONNECTED) and the two existing calls as its parties (CONFERENCED, dwParam2 of
// LINE_CALLSTATE naming htConfCall). The bridge has one: at the conferencing line the held
// call carries on as the conference (LINECALLSTATE_CONFERENCED) and the consultation call
// goes IDLE (cti/reducer/reduce_join.go). So:
//
//   - the conference call is bound to the bridge call of the held call; its bridge state
//     CONFERENCED is reported to TAPI as CONNECTED (LINECONNECTEDMODE_ACTIVE), ONHOLD and
//     DISCONNECTED as they are; ONHOLDPENDCONF, which the bridge reports for the held call
//     just before the conference forms, is the held party call's state (TAPI: on hold while
//     being added to a conference), not the conference call's;
//   - the party calls lose their bridge calls: the consultation call's IDLE is not passed on,
//     and neither call takes requests any more; they follow the conference: CONFERENCED with
//     it, IDLE before it when it ends;
//   - when one party leaves, the bridge turns its call back into a two-party CONNECTED call
//     with the remaining party as connected ID: the party that left goes IDLE, the remaining
//     party's call takes over the bridge call and goes CONNECTED, the conference call goes
//     IDLE (lineDrop's remarks in the TAPI documentation describe exactly this release of a
//     conference bridge).

// conference starts TSPI_lineCompleteTransfer(LINETRANSFERMODE_CONFERENCE) for the held
// call c and its consultation call cc, and returns the conference call's hdCall; the lock is
// held. Until the bridge answers, events of both bridge calls are held back, so that TAPI
// gets ASYNC_COMPLETION before the first message about htConfCall, and the consultation
// call's IDLE can be told apart from a hang-up.
func (p *Provider) conference(requestID uint32, c, cc *call, htConf HTAPICALL) (HDRVCALL, error) {
	if htConf == 0 {
		return 0, lineErr(tapi.LINEERR_INVALPOINTER, "lineCompleteTransfer(CONFERENCE) without htConfCall")
	}
	l := c.line
	conf := p.newCall(l, htConf)
	conf.isConf, conf.dialling = true, true
	a, b := c.handle, cc.handle
	if l.holding == nil {
		l.holding = map[tapi.CallHandle]*call{}
	}
	l.holding[a], l.holding[b] = conf, conf
	l.pending++
	name := l.info.Name
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return "", cl.Conference(ctx, name, a, b)
	}, func(_ tapi.CallHandle, err error) {
		if l.holding[a] != conf {
			// The line was closed meanwhile (which forgot its calls and held events).
			p.complete(requestID, err)
			return
		}
		l.pending--
		delete(l.holding, a)
		delete(l.holding, b)
		conf.dialling = false
		switch {
		case err != nil:
			// A failed lineCompleteTransfer leaves no conference call: TAPI frees htConfCall.
			delete(p.calls, conf.hd)
		case p.calls[conf.hd] == conf:
			p.join(conf, c, cc)
		default:
			// TAPI closed the conference call before the bridge answered: the calls are left
			// as the bridge reports them, like a conference made at the phone.
		}
		p.complete(requestID, err)
		p.release(l)
	})
	return conf.hd, nil
}

// join makes conf the call of the held call's bridge call and c, cc its parties, once the
// bridge has accepted the conference. TAPI hears about it when the bridge reports the call
// CONFERENCED (confState).
func (p *Provider) join(conf, c, cc *call) {
	a, b := c.handle, cc.handle
	conf.handle, conf.info, conf.bridge = a, c.info, c.status.State
	conf.info.RelatedCall = "" // the consultation call it related to is part of it now
	p.byHandle[a] = conf
	if p.byHandle[b] == cc {
		delete(p.byHandle, b)
	}
	// The consultation call's bridge call ends (IDLE) as it joins; that is not the party's end.
	p.refused[b] = true
	for _, pc := range []*call{c, cc} {
		if p.calls[pc.hd] != pc || pc.idle {
			continue // closed or ended while the request ran
		}
		pc.was, pc.handle, pc.conf, pc.consultFor = pc.handle, "", conf, nil
		conf.parties = append(conf.parties, pc)
	}
}

// callState reports a bridge state of c to TAPI: through the conference translation for a
// conference call, as it is otherwise.
func (p *Provider) callState(c *call, st tapi.CallStatus, at time.Time) {
	if c.isConf {
		p.confState(c, st, at)
		return
	}
	p.setState(c, st, at)
}

// confState translates a state of the bridge call behind a conference call.
func (p *Provider) confState(conf *call, st tapi.CallStatus, at time.Time) {
	if conf.idle || st.State == 0 {
		return
	}
	prev := conf.bridge
	conf.bridge = st.State
	switch st.State {
	case tapi.LINECALLSTATE_CONFERENCED:
		p.setState(conf, tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE}, at)
		for _, pc := range conf.parties {
			p.setState(pc, tapi.CallStatus{State: tapi.LINECALLSTATE_CONFERENCED}, at)
			// dwRelatedCallID of a party is the conference call's dwCallID.
			if pc.info.RelatedCall != conf.handle {
				pc.info.RelatedCall = conf.handle
				p.lineEvent(pc.line, pc.ht, LINE_CALLINFO, uintptr(tapi.LINECALLINFOSTATE_RELATEDCALLID), 0, 0)
			}
		}
	case tapi.LINECALLSTATE_ONHOLDPENDCONF:
		for _, pc := range conf.parties {
			if pc.was == conf.handle {
				p.setState(pc, st, at)
			}
		}
	case tapi.LINECALLSTATE_CONNECTED:
		if prev == tapi.LINECALLSTATE_CONFERENCED {
			p.dissolve(conf, st, at)
			return
		}
		p.setState(conf, st, at)
	case tapi.LINECALLSTATE_IDLE, tapi.LINECALLSTATE_DISCONNECTED:
		// The line left the conference, or it ended: the parties end with it, before it.
		for _, pc := range conf.parties {
			p.setState(pc, st, at)
		}
		if st.State == tapi.LINECALLSTATE_IDLE {
			conf.parties = nil
		}
		p.setState(conf, st, at)
	default:
		p.setState(conf, st, at)
	}
}

// dissolve ends a conference the bridge turned back into a two-party call (one party left):
// the party that left goes IDLE, the remaining party's call takes over the bridge call with
// state st, the conference call goes IDLE. The remaining party is the one whose connected
// number the bridge now reports; when no party call has it (or it was closed), the bridge
// call is announced to TAPI as a new call instead.
func (p *Provider) dissolve(conf *call, st tapi.CallStatus, at time.Time) {
	l, h := conf.line, conf.handle
	left := conf.info.Connected.Number
	var stay *call
	for _, pc := range conf.parties {
		if left != "" && pc.info.Connected.Number == left && stay == nil {
			stay = pc
		}
	}
	idle := tapi.CallStatus{State: tapi.LINECALLSTATE_IDLE}
	for _, pc := range conf.parties {
		pc.conf = nil
		if pc != stay {
			p.setState(pc, idle, at)
		}
	}
	conf.parties, conf.handle = nil, ""
	delete(p.byHandle, h)
	if stay != nil {
		stay.handle, stay.was = h, ""
		p.byHandle[h] = stay
		if ch := infoDiff(stay.info, conf.info); ch != 0 {
			stay.info = conf.info
			p.lineEvent(l, stay.ht, LINE_CALLINFO, uintptr(ch), 0, 0)
		}
		p.setState(stay, st, at)
	}
	p.setState(conf, idle, at)
	if stay == nil {
		p.announce(l, tapi.Call{Handle: h, Line: l.info.Name, Info: conf.info, CallStatus: st, StateSince: at})
	}
}

// AddToConference is TSPI_lineAddToConference. The bridge's conference command could join a
// further consultation call, but its events do not tell a line which party left a
// conference of more than three (the call stays CONFERENCED without a message), so party
// calls could not be kept true: the provider offers three-party conferences only.
func (p *Provider) AddToConference(requestID uint32, hdConf, hdConsult HDRVCALL) error {
	return p.noConferenceOp("lineAddToConference", hdConf)
}

// PrepareAddToConference is TSPI_linePrepareAddToConference; see AddToConference.
func (p *Provider) PrepareAddToConference(requestID uint32, hdConf HDRVCALL, htConsult HTAPICALL) (HDRVCALL, error) {
	return 0, p.noConferenceOp("linePrepareAddToConference", hdConf)
}

func (p *Provider) noConferenceOp(op string, hdConf HDRVCALL) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hdConf)
	if err != nil {
		return err
	}
	if !c.isConf {
		return lineErr(tapi.LINEERR_INVALCONFCALLHANDLE, "%s: hdCall %#x is not a conference call", op, uintptr(hdConf))
	}
	return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "%s: conferences of more than three parties are not offered", op)
}
