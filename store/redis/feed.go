package redisstore

import (
	"context"
	"strconv"
	"strings"
	"sync"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
)

// feed is the one PUB/SUB connection a Store holds per PBX, shared by its subscriptions to
// that PBX's log. The owner of a PBX subscribes four times (the engine's watcher and view,
// the web hub, its alerts), and each message carries its batch's events in full: with a
// connection each, Redis sent every event four times and the bridge read and split it four
// times. The feed reads and splits each message once and hands it to every subscription's
// inbox; each subscription keeps its own position, gap fill and probe (subscribe.go).
type feed struct {
	s   *Store
	pbx string
	ps  *redis.PubSub

	ready chan struct{} // closed once Redis confirmed the subscribe (or it failed: err)
	err   error         // set before ready is closed

	mu   sync.Mutex
	subs map[*subscription]struct{}
	dead bool // the connection ended: inboxes closed, the feed left Store.feeds
}

// published is one PUB/SUB message as the apply script publishes it: the log's epoch, the
// first entry's offset (and the write's ID, for a named write), and the batch's events in
// JSON, one per entry. Shared, never changed.
type published struct {
	epoch string
	first uint64
	write string // the write's ID (store.Batch.ID), "" when the message names none
	n     int    // how many events
	body  string // the events' JSON, a line each
	// events is body split into lines, by the feed for what needs the events' text (a batch
	// it decodes, or an unnamed one the subscriptions compare); nil for this Store's own named
	// batches, whose events the subscriptions take from the local ring by name alone:
	// splitting every message cost a pass over it and an array of strings.
	events []string
	// entries are the events of a batch another Store wrote, decoded once by the feed
	// (resolve) for all its subscriptions: an instance that follows a PBX subscribes twice
	// (its view and its web hub), and decoding each event once a subscription cost as much
	// again. When an event does not decode, entries stop before it and err says why. nil
	// for this Store's own batches, which each subscription takes from the local ring.
	entries []store.Entry
	err     error
}

// parsePublished splits a message (or the stream's copy of a batch, the same text); ok is
// false for one that is not in that form. A named write's carries its ID after the first
// offset, a space between (applyScript); an unnamed write's, or one from a writer built before
// names were published, does not.
func parsePublished(payload string) (p *published, ok bool) {
	epoch, rest, ok := strings.Cut(payload, "\n")
	if !ok {
		return nil, false
	}
	head, body, ok := strings.Cut(rest, "\n")
	if !ok {
		return nil, false
	}
	offset, write, _ := strings.Cut(head, " ")
	first, err := strconv.ParseUint(offset, 10, 64)
	if err != nil {
		return nil, false
	}
	return &published{epoch: epoch, first: first, write: write, n: strings.Count(body, "\n") + 1, body: body}, true
}

// lines returns the events' JSON, a line each: the feed's split, else one of the caller's.
func (p *published) lines() []string {
	if p.events != nil {
		return p.events
	}
	return strings.Split(p.body, "\n")
}

// batch names p's batch for the local ring.
func (p *published) batch() written { return written{write: p.write, first: p.first} }

// inboxSize is how many messages a subscription may have waiting from its feed. A
// subscription that falls further behind misses messages rather than hold up the others;
// the next message it does get, or its probe, fills the gap from the stream, in order (the
// events this Store wrote lately come from its local ring then, not decoded again). A
// message holds one batch, one to thousands of events.
const inboxSize = 1024

// joinFeed adds sub to the PBX's feed, starting the feed if it has none, and returns once
// Redis confirmed the subscribe: every entry published from then on reaches sub's inbox.
func (s *Store) joinFeed(ctx context.Context, pbx, channel string, sub *subscription) error {
	s.feedsMu.Lock()
	f := s.feeds[pbx]
	starts := f == nil
	if starts {
		f = &feed{s: s, pbx: pbx, ready: make(chan struct{}), subs: map[*subscription]struct{}{}}
		if s.feeds == nil {
			s.feeds = map[string]*feed{}
		}
		s.feeds[pbx] = f
	}
	sub.inbox = make(chan *published, inboxSize)
	f.mu.Lock()
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	sub.feed = f
	s.feedsMu.Unlock()

	if starts {
		f.start(channel)
	}
	select {
	case <-f.ready:
	case <-ctx.Done():
		f.leave(sub)
		return ctx.Err()
	}
	if f.err != nil {
		return s.fail("subscribe to", pbx, f.err)
	}
	return nil
}

// start subscribes the feed's connection and, once Redis confirmed it, runs its reader.
func (f *feed) start(channel string) {
	s := f.s
	s.mu.Lock()
	if s.life.Err() != nil {
		s.mu.Unlock()
		f.fail(store.ErrClosed)
		return
	}
	s.workers.Add(1)
	s.mu.Unlock()
	go func() { // owned by the feed: ends when its connection closes (last leave, store Close)
		defer s.workers.Done()
		ctx, cancel := context.WithTimeout(s.life, s.opts.CommandTimeout)
		ps := s.client.Subscribe(ctx, channel)
		_, err := ps.Receive(ctx)
		cancel()
		if err != nil {
			_ = ps.Close()
			f.fail(err)
			return
		}
		f.mu.Lock()
		f.ps = ps
		left := len(f.subs) == 0 // every subscriber gave up waiting
		f.mu.Unlock()
		close(f.ready)
		if left {
			_ = ps.Close()
			f.finish()
			return
		}
		f.read()
	}()
}

// fail ends a feed whose subscribe was not confirmed.
func (f *feed) fail(err error) {
	f.err = err
	f.finish()
	close(f.ready)
}

// read hands each message to every subscription's inbox, never waiting for one.
func (f *feed) read() {
	defer f.finish()
	msgs := f.ps.Channel(redis.WithChannelHealthCheckInterval(f.s.opts.ProbeInterval))
	for m := range msgs {
		p, ok := parsePublished(m.Payload)
		if !ok {
			continue // not ours; the probe catches up on anything really missed
		}
		f.resolve(p)
		f.mu.Lock()
		for sub := range f.subs {
			select {
			case sub.inbox <- p:
			default: // behind: it fills the gap from the stream when it looks next
			}
		}
		f.mu.Unlock()
	}
}

// resolve decodes the events of a batch another Store wrote into p's entries, one copy for
// all subscriptions (as the memory store's share theirs: no subscriber changes an event).
// This Store's own batches are left to each subscription's look-up in the local ring, which
// costs less than an array of entries made for every message.
func (f *feed) resolve(p *published) {
	if f.s.local.holds(f.pbx, p.epoch, p.batch()) {
		if p.write == "" {
			p.events = p.lines() // for the subscriptions to compare
		}
		return
	}
	p.events = p.lines()
	p.entries = make([]store.Entry, len(p.events))
	for i, js := range p.events {
		e, err := decodeEntry(f.pbx, p.epoch, p.first+uint64(i), js)
		if err != nil {
			p.entries, p.err = p.entries[:i], err
			return
		}
		p.entries[i] = e
	}
}

// finish marks the feed dead, takes it out of the Store's feeds and closes its inboxes: the
// subscriptions end (with the Store's close, or an error their consumers resubscribe on).
func (f *feed) finish() {
	f.s.feedsMu.Lock()
	if f.s.feeds[f.pbx] == f {
		delete(f.s.feeds, f.pbx)
	}
	f.s.feedsMu.Unlock()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dead {
		return
	}
	f.dead = true
	for sub := range f.subs {
		close(sub.inbox)
	}
	f.subs = nil
}

// leave removes sub from the feed; the last to leave closes the connection (or, while it is
// still being confirmed, start does).
func (f *feed) leave(sub *subscription) {
	f.s.feedsMu.Lock()
	f.mu.Lock()
	var closing *redis.PubSub
	if !f.dead {
		delete(f.subs, sub)
		if len(f.subs) == 0 {
			if f.s.feeds[f.pbx] == f {
				delete(f.s.feeds, f.pbx) // a later Subscribe starts a feed of its own
			}
			closing = f.ps // nil until confirmed
		}
	}
	f.mu.Unlock()
	f.s.feedsMu.Unlock()
	if closing != nil {
		_ = closing.Close() // read ends, then finish
	}
}
