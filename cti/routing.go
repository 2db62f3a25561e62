package cti

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// Routed command kinds: requests of a follower's clients and admin moves, executed by the
// instance owning the PBX.
const (
	kindRequest    = "request"
	kindSwitchover = "switchover"
	kindFailback   = "failback"
)

type routedCommand struct {
	Kind    string   `json:"kind"`
	Request *Request `json:"request,omitempty"`
	Reason  string   `json:"reason,omitempty"`
	From    string   `json:"from,omitempty"` // the sending instance (handover)
}

type routedReply struct {
	Reply *tapi.Reply `json:"reply,omitempty"`
	Error string      `json:"error,omitempty"`
}

// route sends a request to the owning instance. A request the store reports as not delivered
// (nobody serves, or the owner died with it still queued) provably never reached the PBX, so
// it is tried again, here if this instance has become the owner meanwhile, until the request
// timeout: a client's command issued during a takeover then succeeds instead of failing.
func (p *pbx) route(ctx context.Context, ext string, req Request) tapi.Reply {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.RequestTimeout)
		defer cancel()
	}
	for {
		out, err := p.send(ctx, routedCommand{Kind: kindRequest, Request: &req})
		switch {
		case err == nil && out.Reply == nil:
			return failf(tapi.LINEERR_OPERATIONFAILED, "owner of PBX %s answered without a reply: %s", p.cfg.Name, out.Error)
		case err == nil:
			return *out.Reply
		case !errors.Is(err, store.ErrNoOwner):
			return failf(tapi.LINEERR_OPERATIONFAILED, "routing to the owner of PBX %s failed; it may have been executed (not retried): %v", p.cfg.Name, err)
		}
		if o := p.own.Load(); o != nil {
			return o.rt.execute(ctx, ext, req)
		}
		select {
		case <-ctx.Done():
			return failf(tapi.LINEERR_RESOURCEUNAVAIL, "no bridge instance owns PBX %s right now; request not sent", p.cfg.Name)
		case <-time.After(routeRetry):
		}
	}
}

// routeRetry is the pause before routing an undelivered request again.
const routeRetry = 200 * time.Millisecond

func (p *pbx) send(ctx context.Context, cmd routedCommand) (routedReply, error) {
	b, err := json.Marshal(cmd)
	if err != nil {
		return routedReply{}, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.cfg.RequestTimeout+2*time.Second)
		defer cancel()
	}
	resp, err := p.e.cfg.Store.SendCommand(ctx, p.cfg.Name, b)
	if err != nil {
		return routedReply{}, err
	}
	var out routedReply
	if err := json.Unmarshal(resp, &out); err != nil {
		return routedReply{}, fmt.Errorf("undecodable reply from the owner: %w", err)
	}
	return out, nil
}

// serveCommands answers routed commands while this instance owns the PBX.
func (o *router) serveCommands() {
	for o.ctx.Err() == nil {
		err := o.p.e.cfg.Store.ServeCommands(o.ctx, o.p.cfg.Name, o.p.e.cfg.InstanceID, o.handleRouted)
		if o.ctx.Err() != nil {
			return
		}
		o.p.log.WithError(err).Warn("serving routed commands stopped; restarting")
		backoff.Sleep(o.ctx, 500*time.Millisecond)
	}
}

func (o *router) handleRouted(ctx context.Context, b []byte) []byte {
	var cmd routedCommand
	var out routedReply
	if err := json.Unmarshal(b, &cmd); err != nil {
		out.Error = "undecodable command: " + err.Error()
	} else {
		switch cmd.Kind {
		case kindRequest:
			if cmd.Request == nil {
				out.Error = "request command without a request"
				break
			}
			rep, _ := o.p.e.do(ctx, *cmd.Request)
			rep.RequestID = cmd.Request.ID
			out.Reply = &rep
		case kindHandover:
			if err := o.handover(cmd.From); err != nil {
				out.Error = err.Error()
			}
		case kindSwitchover, kindFailback:
			if err := o.ln.move(ctx, cmd.Kind == kindFailback, cmd.Reason); err != nil {
				out.Error = err.Error()
			}
		default:
			out.Error = fmt.Sprintf("unknown command kind %q", cmd.Kind)
		}
	}
	resp, _ := json.Marshal(out)
	return resp
}

// Switchover implements Service.
func (e *Engine) Switchover(ctx context.Context, pbxName, reason string) error {
	return e.admin(ctx, pbxName, kindSwitchover, reason)
}

// Failback implements Service.
func (e *Engine) Failback(ctx context.Context, pbxName, reason string) error {
	return e.admin(ctx, pbxName, kindFailback, reason)
}

func (e *Engine) admin(ctx context.Context, pbxName, kind, reason string) error {
	p, err := e.pbx(pbxName)
	if err != nil {
		return err
	}
	if reason == "" {
		reason = "admin " + kind
	}
	if o := p.own.Load(); o != nil {
		return o.ln.move(ctx, kind == kindFailback, reason)
	}
	out, err := p.send(ctx, routedCommand{Kind: kind, Reason: reason})
	if err != nil {
		return fmt.Errorf("cti: %s of PBX %s: %w", kind, pbxName, err)
	}
	if out.Error != "" {
		return errors.New(out.Error)
	}
	return nil
}
