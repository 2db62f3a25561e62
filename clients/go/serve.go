package client

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// serve reads s until it fails or the client is closed, applying and delivering what comes.
func (c *Client) serve(s *session) error {
	ctx, cancel := context.WithCancel(c.ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); c.keepAlive(ctx, s) }()
	stop := context.AfterFunc(ctx, func() { _ = s.ws.Close() })
	defer func() {
		stop()
		cancel()
		wg.Wait()
	}()
	silence := 3 * c.cfg.KeepAlive
	for {
		m, err := s.read(time.Now().Add(silence))
		if err != nil {
			return err
		}
		if err := c.handle(s, m); err != nil {
			return err
		}
	}
}

// keepAlive pings so that a dead connection is noticed by the read deadline.
func (c *Client) keepAlive(ctx context.Context, s *session) {
	t := time.NewTicker(c.cfg.KeepAlive)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if s.write(pingMsg{Type: "ping"}) != nil {
				return // the reader sees the failure too
			}
		}
	}
}

// handle acts on one server message; an error ends the session.
func (c *Client) handle(s *session, m *serverMsg) error {
	switch m.Type {
	case "event":
		ev, err := tapi.DecodeEvent(m.Event)
		if err != nil {
			var peek struct {
				V    int            `json:"v"`
				Type tapi.EventType `json:"type"`
			}
			if json.Unmarshal(m.Event, &peek) == nil && peek.V == tapi.WireVersion && !peek.Type.Known() {
				// A type added to the wire version after this release: skip it (docs/events.md).
				if m.PBX != "" {
					c.m.accept(m.PBX, Position{Epoch: m.Epoch, Offset: m.Offset})
				}
				return nil
			}
			return fmt.Errorf("%s: bad event at %s/%d: %w", s.url, m.PBX, m.Offset, err)
		}
		if ev.Type == tapi.LineReply {
			s.resolve(ev.Reply.RequestID, commandResult{reply: *ev.Reply})
			return nil
		}
		pos := Position{Epoch: m.Epoch, Offset: m.Offset}
		if m.PBX != "" && !c.m.accept(m.PBX, pos) {
			return nil // delivered before this reconnect
		}
		c.m.apply(&ev)
		if !c.emit(&TAPIEvent{Position: pos, Event: ev}) {
			return c.ctx.Err()
		}
	case "resync":
		r := &Resynced{PBX: m.PBX, Position: Position{Epoch: m.Epoch, Offset: m.Offset},
			Reason: m.Reason, Calls: m.Calls}
		if err := json.Unmarshal(m.Lines, &r.Lines); err != nil {
			return fmt.Errorf("%s: resync lines: %w", s.url, err)
		}
		c.m.resync(r)
		if !c.emit(r) {
			return c.ctx.Err()
		}
	case "synced":
		pos := Position{Epoch: m.Epoch, Offset: m.Offset}
		c.m.advance(m.PBX, pos)
		c.markSynced(s, m.PBX)
		if !c.emit(&Synced{PBX: m.PBX, Position: pos, Replayed: m.Replayed}) {
			return c.ctx.Err()
		}
	case "error":
		se := &ServerError{Code: m.Code, Field: m.Field, Message: m.Message}
		if m.ID != 0 {
			s.resolve(m.ID, commandResult{err: se})
			return nil
		}
		if m.Code == "unavailable" {
			// A PBX feed could not be set up: start over on a fresh connection.
			return se
		}
	case "pong", "subscribed", "unsubscribed":
	}
	return nil
}
