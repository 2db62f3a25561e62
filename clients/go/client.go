package client

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// Client is a connection to a ctibridge cluster that survives reconnects. Its methods are
// safe for concurrent use.
type Client struct {
	cfg    Config
	m      *mirror
	events chan Event
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	ids    atomic.Uint32

	mu      sync.Mutex
	sess    *session      // current session, nil while reconnecting
	up      chan struct{} // closed while sess is set
	synced  chan struct{} // closed once every feed of sess reported synced
	welcome Welcome
	err     error // why the client stopped for good
}

// Dial connects to the first of cfg.URLs that accepts the token and subscription and starts
// the client. It fails when none does, or at once when one refuses the token or the
// subscription; later connection losses are repaired in the background until Close.
func Dial(ctx context.Context, cfg Config) (*Client, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	cl := &Client{cfg: c, m: newMirror(), events: make(chan Event, c.EventBuffer),
		done: make(chan struct{})}
	for pbx, pos := range c.Resume {
		cl.m.cursors[pbx] = pos
	}
	var errs []error
	for _, u := range c.URLs {
		s, err := open(ctx, &cl.cfg, u, cl.m.cursorsCopy())
		if err == nil {
			cl.ctx, cl.cancel = context.WithCancel(context.WithoutCancel(ctx))
			cl.attach(s)
			go cl.run(s)
			return cl, nil
		}
		if isFatal(err) || ctx.Err() != nil {
			return nil, err
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("ctibridge client: no bridge reachable: %w", errors.Join(errs...))
}

// Events delivers events in log order. Connected and Disconnected notices are dropped when
// the buffer is full; line events never are: the client waits for the application. The
// channel is closed when the client stops.
func (c *Client) Events() <-chan Event { return c.events }

// Close stops the client and waits for its goroutines; it fails commands in flight.
func (c *Client) Close() error {
	c.cancel()
	<-c.done
	return nil
}

// Done is closed when the client has stopped (Close, or a fatal error: see Err).
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the client stopped on its own (token refused on reconnect, ...), or nil.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Welcome returns what the bridge said when the current (or last) session was accepted.
func (c *Client) Welcome() Welcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.welcome
}

// Connected reports whether a session is up now.
func (c *Client) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess != nil
}

// WaitSynced waits until the current session has brought every subscribed PBX up to date
// (its mirror holds the bridge's state as of then).
func (c *Client) WaitSynced(ctx context.Context) error {
	for {
		c.mu.Lock()
		up, synced, s := c.up, c.synced, c.sess
		c.mu.Unlock()
		if s == nil {
			select {
			case <-up:
				continue
			case <-ctx.Done():
				return ctx.Err()
			case <-c.done:
				return c.stopErr()
			}
		}
		select {
		case <-synced:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return c.stopErr()
		}
	}
}

// Line returns the mirrored state of a subscribed line.
func (c *Client) Line(name string) (tapi.Line, bool) { return c.m.line(name) }

// Lines returns the mirrored subscribed lines, by name.
func (c *Client) Lines() []tapi.Line { return c.m.allLines() }

// Agents returns the line's agent state per ACD group (sorted by group), as the mirror has
// it; nil when the line has no agent (LINE_AGENTSTATUS reports changes).
func (c *Client) Agents(line string) []tapi.AgentStatus {
	l, _ := c.m.line(line)
	return l.Agents
}

// Queue returns the queue figures of a monitored ACD or hunt group's line (pbxs[].groups);
// ok is false for a line that is no group (LINE_QUEUESTATUS reports changes).
func (c *Client) Queue(groupLine string) (q tapi.QueueStatus, ok bool) {
	l, _ := c.m.line(groupLine)
	if l.Queue == nil {
		return q, false
	}
	return *l.Queue, true
}

// Call returns a mirrored call by handle.
func (c *Client) Call(h tapi.CallHandle) (tapi.Call, bool) { return c.m.call(h) }

// Calls returns the mirrored calls of line ("" for every line), oldest first.
func (c *Client) Calls(line string) []tapi.Call { return c.m.callsOf(line) }

// IgnoredEvents returns how many events the mirror could not apply since the client was
// created: events for calls it does not hold (say a LINE_CALLSTATE of a call that started
// before a snapshot that did not list it) and events without their payload. Such events are
// still delivered; the rules are tapi.ReadModel's.
func (c *Client) IgnoredEvents() uint64 { return c.m.ignored() }

// Cursors returns the position of the last event received per PBX.
func (c *Client) Cursors() map[string]Position { return c.m.cursorsCopy() }

func (c *Client) stopErr() error {
	if err := c.Err(); err != nil {
		return err
	}
	return ErrClosed
}

// attach makes s the current session.
func (c *Client) attach(s *session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sess, c.welcome = s, s.welcome
	if c.up == nil {
		c.up = make(chan struct{})
	}
	close(c.up)
	c.synced = make(chan struct{})
	if len(s.expect) == 0 {
		close(c.synced)
	}
}

// detach marks the client as reconnecting.
func (c *Client) detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sess = nil
	c.up = make(chan struct{})
}

// markSynced records a synced PBX and releases WaitSynced when all are.
func (c *Client) markSynced(s *session, pbx string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sess != s || !s.expect[pbx] {
		return
	}
	delete(s.expect, pbx)
	if len(s.expect) == 0 {
		close(c.synced)
	}
}

// run serves sessions one after the other until the client is closed or a fatal error.
func (c *Client) run(s *session) {
	defer close(c.done)
	defer close(c.events)
	idx := 0
	for i, u := range c.cfg.URLs {
		if u == s.url {
			idx = i
		}
	}
	for {
		c.notify(&Connected{URL: s.url, Welcome: s.welcome})
		err := c.serve(s)
		c.detach()
		s.close()
		if c.ctx.Err() != nil {
			return
		}
		c.notify(&Disconnected{URL: s.url, Err: err})
		if isFatal(err) {
			c.stop(err)
			return
		}
		var ok bool
		if s, idx, ok = c.reconnect(idx + 1); !ok {
			return
		}
		c.attach(s)
	}
}

func (c *Client) stop(err error) {
	c.mu.Lock()
	c.err = err
	c.mu.Unlock()
	c.cancel()
}

// reconnect tries the URLs round-robin from start, with full-jitter exponential backoff
// between rounds, until one accepts; false when the client was closed or the token refused.
func (c *Client) reconnect(start int) (*session, int, bool) {
	n := len(c.cfg.URLs)
	retry := backoff.Policy{Min: c.cfg.MinBackoff, Max: c.cfg.MaxBackoff, Jitter: backoff.Full}
	for round := 1; ; round++ {
		// A short random pause even before the first attempt spreads the reconnects of many
		// clients that lost the same instance.
		if !c.sleep(retry.Wait(round)) {
			return nil, 0, false
		}
		for i := range n {
			idx := (start + i) % n
			s, err := open(c.ctx, &c.cfg, c.cfg.URLs[idx], c.m.cursorsCopy())
			if err == nil {
				return s, idx, true
			}
			if c.ctx.Err() != nil {
				return nil, 0, false
			}
			c.notify(&Disconnected{URL: c.cfg.URLs[idx], Err: err})
			if isFatal(err) {
				c.stop(err)
				return nil, 0, false
			}
		}
	}
}

func (c *Client) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.ctx.Done():
		return false
	}
}

// notify delivers a connection notice if there is room.
func (c *Client) notify(ev Event) {
	select {
	case c.events <- ev:
	default:
	}
}

// emit delivers a line event, waiting for the application.
func (c *Client) emit(ev Event) bool {
	select {
	case c.events <- ev:
		return true
	case <-c.ctx.Done():
		return false
	}
}
