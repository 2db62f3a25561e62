package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// benchClient is one lean desktop client: a WebSocket session subscribed to some lines (or all,
// for the auditor), resuming with its cursor after any disconnect. It counts, per line, the
// events it got after its starting position, so the run can check them against the auditor.
type benchClient struct {
	id     int
	urls   []string // ws:// URLs of the instances; the client starts at urls[id%len]
	token  string
	pbx    string
	lines  []string // nil: all lines (the auditor)
	rec    *recorder
	audit  *auditLog   // set on the auditor only
	mirror *callMirror // set on the auditor only: its calls, for the truth check
	dial   *websocket.Dialer
	// slow is a slow client's pause after each event (-slow-delay), in ns; the drain sets it to
	// 0 so that the client catches up and is checked like the others. isSlow stays.
	slow   atomic.Int64
	isSlow bool
	// welcomeLines: the hello does not ask for omitLines, so the welcome lists every line the
	// bench's user sees (-welcome-lines), as it did for every client before omitLines.
	welcomeLines bool

	synced chan struct{} // closed at the first "synced"

	// Owned by run's goroutine; read after run returns.
	epoch      string
	start      uint64 // offset of the last resync: counts are of events after it
	cursor     uint64 // highest offset received
	perLine    map[string]*lineStat
	dups       uint64
	resyncs    int // resyncs other than the initial one: events skipped by design
	reconnects int
	errs       []string
}

type lineStat struct {
	count uint64
	last  uint64
}

func newBenchClient(id int, urls []string, token, pbx string, lines []string, rec *recorder, d *websocket.Dialer) *benchClient {
	return &benchClient{id: id, urls: urls, token: token, pbx: pbx, lines: lines, rec: rec, dial: d,
		synced: make(chan struct{}), perLine: map[string]*lineStat{}}
}

func (c *benchClient) noteErr(format string, a ...any) {
	if len(c.errs) < 5 {
		c.errs = append(c.errs, fmt.Sprintf(format, a...))
	}
}

// run keeps the session up until ctx ends.
func (c *benchClient) run(ctx context.Context) {
	backoff := 50 * time.Millisecond
	inst := c.id % len(c.urls)
	var lostAt time.Time
	for attempt := 0; ctx.Err() == nil; attempt++ {
		wasSynced, err := c.session(ctx, c.urls[inst], lostAt)
		if ctx.Err() != nil {
			return
		}
		if wasSynced {
			c.rec.connected.Add(-1)
			lostAt = time.Now()
			backoff = 50 * time.Millisecond
		} else if lostAt.IsZero() {
			lostAt = time.Now()
		}
		if websocket.IsCloseError(err, wire.CloseSlowConsumer) {
			if c.isSlow {
				c.rec.slowShed.Add(1)
			} else {
				c.rec.fastShed.Add(1)
			}
		}
		if err != nil && !isCloseErr(err) {
			c.noteErr("session on %s: %v", c.urls[inst], err)
		}
		c.reconnects++
		inst = (inst + 1) % len(c.urls) // the instance may be gone: try the next
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, time.Second)
	}
}

func isCloseErr(err error) bool {
	return websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway,
		4008, 4009) || strings.Contains(err.Error(), "connection reset") ||
		strings.Contains(err.Error(), "EOF") || strings.Contains(err.Error(), "refused")
}

// session runs one connection: hello, subscribe (with the cursor when there is one), events.
// wasSynced says whether it got as far as "synced".
func (c *benchClient) session(ctx context.Context, url string, lostAt time.Time) (wasSynced bool, err error) {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	ws, _, err := c.dial.DialContext(dctx, url, http.Header{})
	cancel()
	if err != nil {
		return false, err
	}
	stop := context.AfterFunc(ctx, func() { _ = ws.Close() })
	defer stop()
	defer ws.Close()

	if err := ws.WriteJSON(c.hello()); err != nil {
		return false, err
	}
	sub := map[string]any{"type": "subscribe"}
	if c.lines == nil {
		sub["all"] = true
	} else {
		sub["lines"] = c.lines
	}
	if c.epoch != "" {
		sub["cursors"] = map[string]store.Position{c.pbx: {Epoch: c.epoch, Offset: c.cursor}}
	}
	if err := ws.WriteJSON(sub); err != nil {
		return false, err
	}
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return wasSynced, err
		}
		recv := time.Now()
		if isEventMsg(b) {
			c.event(b, recv)
			continue
		}
		var m struct {
			Type    string `json:"type"`
			Epoch   string `json:"epoch"`
			Offset  uint64 `json:"offset"`
			Reason  string `json:"reason"`
			Code    string `json:"code"`
			Message string `json:"message"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			c.noteErr("undecodable message: %v", err)
			continue
		}
		switch m.Type {
		case "resync":
			if m.Reason != "initial" {
				c.resyncs++
			}
			c.epoch, c.start, c.cursor = m.Epoch, m.Offset, m.Offset
			c.perLine = map[string]*lineStat{}
			if c.audit != nil {
				c.audit.restart(m.Offset, m.Reason != "initial")
			}
			if c.mirror != nil {
				if err := c.mirror.resync(b); err != nil {
					c.noteErr("%v", err)
				}
			}
		case "synced":
			if !wasSynced {
				wasSynced = true
				c.rec.connected.Add(1)
				if !lostAt.IsZero() {
					c.rec.reconnected(recv.Sub(lostAt))
				}
				select {
				case <-c.synced:
				default:
					close(c.synced)
				}
			}
		case "error":
			c.noteErr("server error %s: %s", m.Code, m.Message)
		}
	}
}

// hello is the session's first message. The bench's user sees every line; its clients learn
// theirs from the resync, so the welcome need not list the PBX's lines (omitLines) on every
// connect, unless -welcome-lines asks for the welcome as clients took it before omitLines.
func (c *benchClient) hello() map[string]any {
	m := map[string]any{"type": "hello", "v": 1, "token": c.token, "client": c.clientName()}
	if !c.welcomeLines {
		m["omitLines"] = true
	}
	return m
}

// event counts one event message and records its latency.
func (c *benchClient) event(b []byte, recv time.Time) {
	ev, err := scanEvent(b)
	if err != nil {
		c.noteErr("%v", err)
		return
	}
	if ev.Epoch != c.epoch {
		c.noteErr("event of epoch %s while in epoch %s", ev.Epoch, c.epoch)
		return
	}
	ls := c.perLine[ev.Line]
	if ls == nil {
		ls = &lineStat{last: c.start}
		c.perLine[ev.Line] = ls
	}
	if ev.Offset <= ls.last {
		c.dups++
		return
	}
	ls.last = ev.Offset
	ls.count++
	c.cursor = max(c.cursor, ev.Offset)
	if c.audit != nil {
		// The auditor is the bench's own check, not a client being measured.
		if c.mirror != nil && isCallEvent(ev.Type) {
			if err := c.mirror.apply(b, ev.Offset); err != nil {
				c.noteErr("%v", err)
			}
		}
		c.audit.add(ev, b, recv)
		return
	}
	if c.isSlow {
		// A desktop that cannot keep up: its latency is its own doing, not the bridge's.
		c.rec.slowEvents.Add(1)
		c.rec.eventsSeen.Add(1)
		time.Sleep(time.Duration(c.slow.Load()))
		return
	}
	c.rec.clientEvent(recv.Sub(ev.Time), ev.SwitchTime, recv)
}

// bridgeEvent decodes a BRIDGE_* event message in full (they are rare).
func bridgeEvent(b []byte) (*tapi.Event, error) {
	var m struct {
		Event *tapi.Event `json:"event"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m.Event == nil {
		return nil, fmt.Errorf("event message without event")
	}
	return m.Event, nil
}
