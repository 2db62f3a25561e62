package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Payload is the JSON body of a delivery (docs/webhooks.md).
type Payload struct {
	// ID identifies the event: "<pbx>:<epoch>:<offset>"; the same in every retry and after a
	// takeover, so receivers deduplicate by it.
	ID           string    `json:"id"`
	Kind         string    `json:"kind"`
	Subscription string    `json:"subscription"`
	Timestamp    time.Time `json:"timestamp"` // when the event happened
	PBX          string    `json:"pbx,omitempty"`
	// Epoch and Offset place the event in the PBX's event log: the idempotency key.
	Epoch  string `json:"epoch,omitempty"`
	Offset uint64 `json:"offset,omitempty"`
	Line   string `json:"line,omitempty"`
	Call   *Call  `json:"call,omitempty"`
	// Agent is the line's agent entry for one ACD group after the change (kind agent.state).
	Agent *Agent `json:"agent,omitempty"`
	// Summary is the finished call's journal entry (kind "ended"), when the journal still
	// holds it.
	Summary *store.JournalEntry `json:"summary,omitempty"`
}

// Call is the call an event is about, as the deliverer knows it at the event.
type Call struct {
	Handle  tapi.CallHandle `json:"handle"`
	CallID  string          `json:"callId,omitempty"`
	State   tapi.CallState  `json:"state,omitempty"`
	Info    *tapi.CallInfo  `json:"info,omitempty"` // parties, origin, reason
	Parties []string        `json:"parties,omitempty"`
}

// DeliveryID is the id of the delivery of a log entry.
func DeliveryID(pbx, epoch string, offset uint64) string {
	return fmt.Sprintf("%s:%s:%d", pbx, epoch, offset)
}

// KindOf returns the webhook kind of a log entry, or "" for events no kind covers.
//
// transferred is a LINE_CALLINFO whose changed fields include the reason and whose reason is
// now LINECALLREASON_TRANSFER: the remaining party's call after a consultation transfer
// (docs/events.md). A single-step transfer offers a new call at the destination, which
// arrives as offering with reason TRANSFER in its info.
func KindOf(e *tapi.Event) string {
	switch e.Type {
	case tapi.LineCallState:
		if e.CallState == nil {
			return ""
		}
		switch e.CallState.State {
		case tapi.LINECALLSTATE_OFFERING:
			return KindOffering
		case tapi.LINECALLSTATE_CONNECTED:
			return KindConnected
		case tapi.LINECALLSTATE_ONHOLD, tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF:
			return KindHeld
		case tapi.LINECALLSTATE_IDLE:
			return KindEnded
		}
	case tapi.LineCallInfo:
		if ci := e.CallInfo; ci != nil && ci.Changed&tapi.LINECALLINFOSTATE_REASON != 0 &&
			ci.Info.Reason == tapi.LINECALLREASON_TRANSFER {
			return KindTransferred
		}
	case tapi.LineAgentStatus:
		return agentKind(e)
	}
	return ""
}

// calls is a deliverer's view of a PBX's live calls, kept from the log it follows (seeded
// from the stored state when it starts), so that a state change's delivery can name the
// parties. It is bounded: calls beyond maxCalls are not tracked (their deliveries lack info).
type calls map[tapi.CallHandle]*tapi.Call

const maxCalls = 100000

func (cs calls) seed(snap store.Snapshot) {
	for i := range snap.Calls {
		if len(cs) < maxCalls {
			c := snap.Calls[i]
			cs[c.Handle] = &c
		}
	}
}

// track applies an event to the view; the view of an ended call is removed after its
// delivery is built (forget).
func (cs calls) track(e *tapi.Event) {
	switch e.Type {
	case tapi.LineNewCall:
		if e.Call != nil && len(cs) < maxCalls {
			cs[e.Handle] = e.Call.Clone()
		}
	case tapi.LineCallState:
		if c := cs[e.Handle]; c != nil && e.CallState != nil {
			c.CallStatus = *e.CallState
		}
	case tapi.LineCallInfo:
		if c := cs[e.Handle]; c != nil && e.CallInfo != nil {
			c.Info = e.CallInfo.Info
			if e.CallInfo.CallID != "" {
				c.CallID = e.CallInfo.CallID
			}
		}
	}
}

func (cs calls) forget(h tapi.CallHandle) { delete(cs, h) }

// payload builds the delivery of entry e of kind k for subscription id.
func (d *Dispatcher) payload(ctx context.Context, id string, e *store.Entry, k string, s *stream) Payload {
	p := Payload{ID: DeliveryID(e.PBX, e.Epoch, e.Offset), Kind: k, Subscription: id, Timestamp: e.Event.Time,
		PBX: e.PBX, Epoch: e.Epoch, Offset: e.Offset, Line: e.Event.Line}
	if p.PBX == "" {
		p.PBX = e.Event.PBX
		p.ID = DeliveryID(p.PBX, e.Epoch, e.Offset)
	}
	if k == KindAgentState {
		p.Agent = s.agents.change(&e.Event)
		return p
	}
	cs := s.calls
	call := &Call{Handle: e.Event.Handle}
	if c := cs[e.Event.Handle]; c != nil {
		info := c.Info
		call.CallID, call.State, call.Info, call.Parties = c.CallID, c.State, &info, c.Parties
	}
	if e.Event.CallState != nil {
		call.State = e.Event.CallState.State
	}
	if e.Event.CallInfo != nil {
		info := e.Event.CallInfo.Info
		call.Info = &info
	}
	p.Call = call
	if k == KindEnded {
		p.Summary = d.summary(ctx, e.PBX, e.Event.Line, e.Event.Handle)
		if p.Summary != nil && call.CallID == "" {
			call.CallID = p.Summary.CallID
		}
	}
	if f := d.cfg.Numbers[p.PBX]; f != nil {
		presentNumbers(&p, f)
	}
	return p
}

// presentNumbers applies f to the party numbers of a call delivery; the call's info and
// summary are the delivery's own copies, its parties may be shared with the deliverer's view.
func presentNumbers(p *Payload, f tapi.NumberMap) {
	if c := p.Call; c != nil {
		if c.Info != nil {
			info := c.Info.WithNumbers(f)
			c.Info = &info
		}
		c.Parties = f.All(c.Parties)
	}
	if p.Summary != nil {
		s := p.Summary.WithNumbers(f)
		p.Summary = &s
	}
}

// summaryScan is how many of a line's newest journal entries summary looks through: first
// the few newest (the call just ended is almost always among them), then the rest.
// summary returns the call record of a finished call: the engine writes it in the same
// fenced step as the call's IDLE event, so it exists when the IDLE is seen. nil when the
// history no longer holds it (or cannot be read: the delivery goes without it).
func (d *Dispatcher) summary(ctx context.Context, pbx, line string, h tapi.CallHandle) *store.JournalEntry {
	r, err := d.st.CallRecord(ctx, pbx, h)
	switch {
	case errors.Is(err, store.ErrNoRecord):
		return nil
	case err != nil:
		d.log.WithError(err).WithField("line", line).Warn("webhook: call summary not readable; delivering without it")
		return nil
	}
	return &r
}
