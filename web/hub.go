package web

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/backoff"
	"github.com/ctibridge/ctibridge/web/internal/wsout"
)

// replayPage is how many log entries one Events call fetches.
const replayPage = 1000

// hub holds the one live subscription of this instance to a PBX's event log and fans its
// entries out to the WebSocket feeds of that PBX, encoding each entry once. A store
// subscription that fails is re-established and the gap replayed, so feeds never see it.
type hub struct {
	pbx     string
	svc     cti.Service
	log     *logrus.Entry
	metrics *metrics
	// sinks are internal consumers (alerts), called once per entry, which they must not keep:
	// it is in the hub's buffer of the run (fanOutRun).
	sinks []func(*store.Entry)
	// num presents the PBX's party numbers to clients (E.164, as REST shows them); nil when
	// the PBX has no numbering plan and numbers go out as the PBX reports them.
	num tapi.NumberMap
	// late: how late live entries are fanned out here (hub_late.go).
	late lateness

	mu sync.Mutex
	// byLine lists the feeds of each line with their marks on it, so that the fan-out of an
	// entry makes one look-up for all of them (lineOf).
	byLine map[string]*lineFeeds
	feeds  map[*feed]struct{} // every feed of the PBX; they get the line-less BRIDGE_* events
	pos    store.Position     // last entry fanned out
	recent recentLog          // the newest entries fanned out, for replays
	ready  chan struct{}      // closed once the first subscription is up
	readyO sync.Once
	// eventsIn is the PBX's series of metrics.eventsIn, looked up on the first entry.
	eventsIn prometheus.Counter
	// msgs writes the event messages the fan-out encodes (encodeLocked).
	msgs msgWriter

	// toWake lists the connections given entries since they were last flushed; burst numbers
	// the bursts, and a feed whose connection is listed in this one has it (feed.burst), which
	// keeps the list free of repeats. Only the hub's goroutine (follow) touches them.
	toWake []*wsConn
	burst  uint64
	flushQ chan flushJob  // to the flushers, while run runs
	spare  chan []*wsConn // toWake lists the flushers are done with, for the next bursts
	// flushers is how many flushers read flushQ (GOMAXPROCS when run started them: asking at
	// every wake took the scheduler's lock).
	flushers int

	// resyncGen numbers the PBX's resyncs; resyncing is set between a BRIDGE_RESYNC started
	// and its completed, when feeds that fall behind are charged one episode for the burst
	// (wsConn.noteBehind). Guarded by mu.
	resyncGen uint64
	resyncing bool
	resyncAt  time.Time
}

// feed is one connection's subscription to one PBX. Its fields are guarded by hub.mu. The
// fields the fan-out reads for every entry come first, in one cache line.
type feed struct {
	c *wsConn
	// epoch is the log epoch the marks count in (of the client's cursor or its last resync).
	// An entry of another epoch is never delivered: the client must resync first.
	epoch string
	// burst is the hub's burst in which the feed's connection was last listed for the
	// flushers (hub.toWake).
	burst uint64
	// bridgeLast is the highest offset delivered of the line-less events (lines holds that of
	// each line): a live entry at or below it was already delivered by a replay.
	bridgeLast uint64
	syncing    bool // a replay runs: live entries wait in pending
	// overflow: pending grew past its bound during the replay; the entries left out start
	// after from, and the feed falls behind from there once the replay is done.
	overflow bool
	// behind: the connection's send queue was full when an entry for the feed came (a
	// burst). Live entries are not queued for it; a catch-up (wsConn.catchUpFeed) replays
	// the log after from as the writer drains, as a resume does, then returns the feed to
	// live delivery. since is when it fell behind; owesSynced (with replayed) that the
	// synced message of a subscribe is sent only at the end of the catch-up.
	behind bool
	// lines holds the feed's lines, each with where its mark on the line is in the hub's
	// index (the highest offset delivered on it). One map for all lines: a session has one
	// feed per PBX, and a map costs about as much as the rest of a session's bookkeeping.
	lines      map[string]lineRef
	pending    pendingLog
	from       store.Position
	since      time.Time
	deadline   time.Time // the catch-up must be done by then
	owesSynced bool
	replayed   int
	// syncFloor: the subscribe's resync or replay gave the feed the log up to here, which
	// may be beyond the hub (its synced message says the higher of the two).
	syncFloor uint64
	// caught is the newest entry the catch-up has queued (hub_shed.go tells how far behind
	// the feed is by it).
	caught uint64
	// syncMu orders a subscribe's replay and a catch-up of the feed (it is not under hub.mu).
	syncMu sync.Mutex
}

func newHub(pbx string, svc cti.Service, log *logrus.Entry, m *metrics, recent int) *hub {
	return &hub{pbx: pbx, svc: svc, log: log.WithField("pbx", pbx), metrics: m, recent: newRecentLog(recent),
		byLine: map[string]*lineFeeds{}, feeds: map[*feed]struct{}{},
		ready: make(chan struct{}), burst: 1}
}

// run keeps the subscription up until ctx ends.
func (h *hub) run(ctx context.Context) {
	// Flushers write each burst to the sockets while the hub fans out the next one, one per
	// processor, since the writes are mostly system-call time.
	h.flushQ, h.spare = make(chan flushJob, 16), make(chan []*wsConn, 16)
	h.flushers = max(1, runtime.GOMAXPROCS(0))
	var flushers sync.WaitGroup
	for range h.flushers {
		flushers.Add(1)
		go func() { defer flushers.Done(); h.flusher() }()
	}
	defer func() { close(h.flushQ); flushers.Wait() }()
	retry := backoff.Policy{Min: 50 * time.Millisecond, Max: 2 * time.Second, Jitter: backoff.Equal}
	for n := 1; ctx.Err() == nil; {
		started := time.Now()
		err := h.follow(ctx)
		if ctx.Err() != nil {
			return
		}
		if time.Since(started) > resubscribeReset {
			n = 1 // the subscription held a while: this is a new fault, not the same one
		}
		if errors.Is(err, store.ErrSlowSubscriber) {
			// The store is fine: the hub fell a subscription's buffer behind (a large batch
			// of an overloaded pipeline). Waiting would only put it further behind, until
			// the log no longer reaches back and every client must resync: resubscribe now
			// and replay the gap from the log.
			h.log.WithError(err).Info("PBX event feed fell behind; resubscribing at once")
			continue
		}
		h.log.WithError(err).Warn("PBX event feed interrupted; resubscribing")
		if !backoff.Sleep(ctx, retry.Wait(n)) {
			return
		}
		n++
	}
}

// resubscribeReset: a subscription that held this long starts the retry pacing over.
const resubscribeReset = 10 * time.Second

// follow subscribes, closes the gap since the last entry seen, then fans out live entries
// until the subscription ends.
func (h *hub) follow(ctx context.Context) error {
	sub, err := h.svc.Subscribe(ctx, h.pbx)
	if err != nil {
		return err
	}
	defer sub.Close()
	h.mu.Lock()
	pos := h.pos
	h.mu.Unlock()
	if pos.Epoch == "" {
		snap, err := h.svc.Snapshot(ctx, h.pbx)
		if err != nil {
			return err
		}
		h.mu.Lock()
		h.pos = snap.Position
		h.mu.Unlock()
	} else if err := h.catchUp(ctx, pos); err != nil {
		return err
	}
	h.readyO.Do(func() { close(h.ready) })
	defer h.wake()
	run := make([]store.Entry, 0, fanOutBurst)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-sub.C():
			if !ok {
				return subEnded(sub)
			}
			h.late.observe(e.Event.Time, time.Now())
			run = append(run[:0], e)
		}
		// Take what else is already waiting (one engine batch arrives as several entries)
		// and fan the run out at once before writing, so that each connection gets its
		// share in one write and the run costs one hold of the hub's lock.
		run, ok := takeWaiting(sub.C(), run)
		h.fanOutRun(run)
		if !ok {
			return subEnded(sub)
		}
		h.wake()
	}
}

// takeWaiting appends to run the entries waiting in c, up to fanOutBurst in all, without
// blocking; false when c is closed.
func takeWaiting(c <-chan store.Entry, run []store.Entry) ([]store.Entry, bool) {
	for len(run) < fanOutBurst {
		run = run[:len(run)+1]
		var ok bool
		select {
		case run[len(run)-1], ok = <-c:
			if !ok {
				return run[:len(run)-1], false
			}
		default:
			return run[:len(run)-1], true
		}
	}
	return run, true
}

// fanOutBurst bounds how many entries are fanned out before the writers are woken.
const fanOutBurst = 256

func subEnded(sub store.Subscription) error {
	if err := sub.Err(); err != nil {
		return err
	}
	return errors.New("subscription closed")
}

// wake hands the connections given entries since the last wake to the flushers, in one
// share per flusher. They write without blocking, for each connection whose socket takes the
// entries at once, and wake the connection's writer only for the rest: this spares a
// goroutine wake-up per client and event.
func (h *hub) wake() {
	conns := h.takeBurst()
	if len(conns) == 0 {
		return
	}
	n := max(1, min(cap(h.flushQ), h.flushers, len(conns)/minShare))
	for i := range n {
		job := flushJob{conns: conns[i*len(conns)/n : (i+1)*len(conns)/n], whole: n == 1}
		select {
		case h.flushQ <- job:
		default: // the flushers are behind: write this share here
			flushShare(job.conns, nil)
		}
	}
}

// takeBurst returns the connections given entries since the last call and starts a new
// burst.
func (h *hub) takeBurst() []*wsConn {
	conns := h.toWake
	if len(conns) == 0 {
		return nil
	}
	h.burst++
	select {
	case h.toWake = <-h.spare: // reused: a list per burst was an allocation or three per burst
	default:
		h.toWake = nil
	}
	return conns
}

// minShare is the fewest connections worth a share of their own.
const minShare = 16

// flushJob is a share of a burst's connections; whole when it is the burst's entire list,
// which the flusher then hands back to the hub for reuse (h.spare).
type flushJob struct {
	conns []*wsConn
	whole bool
}

// flusher writes the shares it is given until flushQ closes.
func (h *hub) flusher() {
	var scratch []byte
	for job := range h.flushQ {
		scratch = flushShare(job.conns, scratch)
		if job.whole && cap(job.conns) <= maxSpare {
			clear(job.conns)
			select {
			case h.spare <- job.conns[:0]:
			default:
			}
		}
	}
}

// maxSpare is the longest list kept for reuse.
const maxSpare = 1024

// flushShare writes the queues of conns without blocking and returns the framing buffer.
func flushShare(conns []*wsConn, scratch []byte) []byte {
	n := 0
	for _, c := range conns {
		n += c.flushNow(&scratch)
	}
	if n > 0 { // one add to the shared counter per share, not per connection
		conns[0].s.metrics.eventsOut.Add(float64(n))
	}
	if cap(scratch) > wsout.MaxIdleBuffer {
		return nil
	}
	return scratch
}

// catchUp replays entries after pos that the interrupted subscription missed. When the log
// moved on (epoch changed or trimmed), every feed is told to reconnect and resync.
func (h *hub) catchUp(ctx context.Context, pos store.Position) error {
	after := pos.Offset
	for {
		es, err := h.svc.Events(ctx, h.pbx, pos.Epoch, after, replayPage)
		if errors.Is(err, store.ErrCursorTooOld) || errors.Is(err, store.ErrEpochChanged) {
			h.log.WithError(err).Warn("PBX event feed lost its place; clients must resync")
			snap, serr := h.svc.Snapshot(ctx, h.pbx)
			if serr != nil {
				return serr
			}
			h.mu.Lock()
			h.pos = snap.Position
			h.recent.reset()
			for f := range h.feeds {
				f.c.fail(CloseResyncRequired, "resync required: event log "+reasonOf(err))
			}
			h.mu.Unlock()
			return nil
		}
		if err != nil {
			return err
		}
		for run := range slices.Chunk(es, fanOutBurst) { // bounds each hold of the lock
			h.fanOutRun(run)
			after = run[len(run)-1].Offset
		}
		h.wake()
		if len(es) < replayPage {
			return nil
		}
	}
}

func reasonOf(err error) string {
	if errors.Is(err, store.ErrEpochChanged) {
		return "epoch_changed"
	}
	return "cursor_too_old"
}

// fanOutRun delivers a run of entries, in log order, to internal sinks and queues each for
// every feed that wants it, under one hold of the hub's lock; the caller wakes the writers
// (wake). Only the hub's goroutine calls it.
func (h *hub) fanOutRun(run []store.Entry) {
	if len(run) == 0 {
		return
	}
	// dup lists the entries already delivered (a gap replay overlapping the new
	// subscription), which the sinks do not get again either; rare, so made when needed.
	var dup []bool
	h.mu.Lock()
	n := 0
	for i := range run {
		e := &run[i]
		if e.Offset <= h.pos.Offset && e.Epoch == h.pos.Epoch {
			if dup == nil {
				dup = make([]bool, len(run))
			}
			dup[i] = true
			continue
		}
		n++
		h.pos = store.Position{Epoch: e.Epoch, Offset: e.Offset}
		h.noteResync(e)
		h.queueEntry(e)
	}
	if n > 0 {
		if h.eventsIn == nil {
			h.eventsIn = h.metrics.eventsIn.WithLabelValues(h.pbx)
		}
		h.eventsIn.Add(float64(n))
	}
	h.mu.Unlock()
	if len(h.sinks) == 0 {
		return
	}
	for i := range run {
		if dup == nil || !dup[i] {
			for _, s := range h.sinks {
				s(&run[i])
			}
		}
	}
}

// queueEntry queues e for every feed that wants it and keeps it in the replay cache, under
// the hub's lock. Its message is encoded once, for the first feed that takes it.
func (h *hub) queueEntry(e *store.Entry) {
	var msg []byte
	if e.Event.Type != tapi.LineReply { // replies go only to the requester, never by the log
		if e.Event.Line != "" {
			if lf := h.lineOf(e.Event.Line); lf != nil {
				for i := range lf.subs {
					s := &lf.subs[i]
					msg = h.deliver(s.f, &s.last, e, msg)
				}
			}
		} else {
			for f := range h.feeds {
				msg = h.deliver(f, nil, e, msg)
			}
		}
	}
	h.recent.add(e, msg)
}

// deliver queues e for feed f, with its mark m on e's line (nil: line-less), unless f has
// it already, waits for a replay (pending) or is behind. msg is e's message when encoded
// already (else nil); deliver returns it, encoded if it was needed.
func (h *hub) deliver(f *feed, m *uint64, e *store.Entry, msg []byte) []byte {
	if f.syncing {
		return h.deliverPending(f, e, msg)
	}
	if f.behind {
		return msg
	}
	if e.Epoch != f.epoch {
		f.inEpoch(e.Epoch) // false: the session ends, its client must resync
		return msg
	}
	// The feed's mark on e's line, found with the line's feeds in the hub's index (one
	// look-up in f.lines per feed and event spared), or on the line-less events.
	if m == nil {
		m = &f.bridgeLast
	}
	if e.Offset <= *m {
		return msg
	}
	if msg == nil {
		msg = h.encodeLocked(e)
	}
	switch f.c.offer(msg) {
	case offerQueued:
		*m = e.Offset
		if f.burst != h.burst {
			f.burst = h.burst
			h.toWake = append(h.toWake, f.c)
		}
	case offerFull:
		h.fallBehind(f, store.Position{Epoch: e.Epoch, Offset: e.Offset - 1})
	}
	return msg
}

// deliverPending is deliver for a feed whose replay runs: e waits in its pending entries.
func (h *hub) deliverPending(f *feed, e *store.Entry, msg []byte) []byte {
	if f.overflow {
		return msg
	}
	if f.pending.len() >= f.c.pendingLimit() {
		// The rest comes from the log after the replay (finishSync).
		f.overflow = true
		f.from = store.Position{Epoch: e.Epoch, Offset: e.Offset - 1}
		return msg
	}
	if msg == nil {
		msg = h.encodeLocked(e)
	}
	f.pending.add(pendingEntry{epoch: e.Epoch, line: e.Event.Line, offset: e.Offset, msg: msg})
	return msg
}

// fallBehind switches f, whose connection's send queue is full, from live delivery to a
// catch-up from the log after from (under the hub's lock). A session that falls behind too
// often is a slow consumer and ends.
func (h *hub) fallBehind(f *feed, from store.Position) {
	c := f.c
	f.behind, f.from, f.since, f.caught = true, from, time.Now(), from.Offset
	var resync uint64
	if h.resyncing && f.since.Sub(h.resyncAt) < behindWindow { // a resync that failed never completes
		resync = h.resyncGen
	}
	allowed, why := c.noteBehind(f.since, resync)
	if why != "" {
		c.slow(why)
		return
	}
	f.deadline = f.since.Add(allowed)
	if h.metrics != nil {
		h.metrics.wsBehind.Inc()
	}
	c.goBackground(func() { c.catchUpFeed(h, f) })
}

// resumeLive returns a behind feed to live delivery once its catch-up has delivered the log
// up to the hub's position (at) and the writer has drained half the queue, so that the next
// live entries fit; false: catch up further. The synced message a subscribe owes goes out
// now.
func (h *hub) resumeLive(f *feed, at store.Position, replayed int) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if at.Epoch != h.pos.Epoch || at.Offset < h.pos.Offset || f.c.queueLen() > f.c.s.cfg.SendQueue/2 {
		return false
	}
	f.behind = false
	if f.owesSynced {
		f.owesSynced = false
		h.queueSynced(f, f.replayed+replayed)
	}
	return true
}

// behindFrom returns where a behind feed's catch-up starts, when it fell behind and by when
// it must be done.
func (h *hub) behindFrom(f *feed) (from store.Position, since, deadline time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return f.from, f.since, f.deadline
}

// oweSynced makes the end of f's catch-up send a synced message (after a resync).
func (h *hub) oweSynced(f *feed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !f.owesSynced {
		f.owesSynced, f.replayed = true, 0
	}
}
