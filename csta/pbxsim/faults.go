package pbxsim

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// Faults of one node (Kill and Restart are in node.go) and of the whole PBX.

// Freeze makes the node a half-open link: connections stay open but no request is answered
// (heartbeats included) and no event is sent. Freeze(false) thaws it; what was swallowed
// meanwhile stays lost.
func (n *Node) Freeze(on bool) { n.frozen.Store(on) }

// Frozen reports whether the node is frozen.
func (n *Node) Frozen() bool { return n.frozen.Load() }

// SetResponseDelay delays every response of the node by d (0 turns it off).
func (n *Node) SetResponseDelay(d time.Duration) { n.delay.Store(int64(max(d, 0))) }

// DropEvents makes the node swallow its next count events (across its sessions).
func (n *Node) DropEvents(count int) { n.dropEvents.Store(int64(max(count, 0))) }

// SetAlternateCallIDs makes the node report its own call IDs for the same calls, as a
// different PBX taking over would, so that resynchronisation has to match calls by their
// parties. Requests to the node must then use its IDs.
func (n *Node) SetAlternateCallIDs(on bool) { n.altIDs.Store(on) }

// SendGarbage writes bytes that are no frame at all to every session: the client must treat
// the link as broken.
func (n *Node) SendGarbage(ctx context.Context) error {
	return n.writeRaw(ctx, []byte("\x13\x37 this is not CSTA \xff\xfe"))
}

// SendOversizedFrame writes a frame larger than a client should accept: with header framing a
// frame of the full 64 KiB the length field allows, with NUL framing 2 MiB without a
// terminator (above csta.DefaultMaxFrame).
func (n *Node) SendOversizedFrame(ctx context.Context) error {
	if n.dialect.Framing == nil || n.dialect.Framing.HasInvokeID() {
		const total = 0xFFFF
		b := make([]byte, 0, total)
		b = append(b, 0, 0, total>>8, total&0xFF, '9', '9', '9', '9')
		b = append(b, "<DeliveredEvent>"...)
		b = append(b, strings.Repeat(" ", total-len(b))...)
		return n.writeRaw(ctx, b)
	}
	return n.writeRaw(ctx, []byte(strings.Repeat("<x/>", (2<<20)/4)))
}

func (n *Node) writeRaw(ctx context.Context, b []byte) error {
	n.mu.Lock()
	list := make([]*session, 0, len(n.sessions))
	for s := range n.sessions {
		list = append(list, s)
	}
	n.mu.Unlock()
	var errs []error
	for _, s := range list {
		if err := s.sc.WriteRaw(ctx, b); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// SendSystemStatus sends SystemStatus with the given value to every session of the node and
// waits for the answers (disabled, for example, tells a bridge to switch over).
func (n *Node) SendSystemStatus(ctx context.Context, value csta.SystemStatusValue) error {
	n.mu.Lock()
	list := make([]*session, 0, len(n.sessions))
	for s := range n.sessions {
		list = append(list, s)
	}
	n.mu.Unlock()
	var errs []error
	for _, s := range list {
		if _, err := s.sc.Request(ctx, &csta.SystemStatus{SystemStatus: value}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Restart restarts the whole PBX: every session on every node drops, every call is cleared
// without events, and call IDs start afresh in a new range. Settings (forwarding, DND) and
// listeners survive, as they do on a switch reload.
func (p *PBX) Restart() error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	p.clearAllCalls()
	p.epoch++
	p.seq = 0
	nodes := make([]*Node, 0, len(p.nodes))
	for _, n := range p.nodes {
		nodes = append(nodes, n)
	}
	p.mu.Unlock()
	for _, n := range nodes {
		n.dropSessions("PBX restart")
	}
	return nil
}
