package cti

import (
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/tracefile"
)

// traceQueue bounds the trace lines waiting for the file. The session's goroutines never
// wait for the disk: a line that finds the queue full is dropped and counted.
const traceQueue = 8192

// TraceState is the state of one PBX's CSTA wire trace on this instance.
type TraceState struct {
	PBX     string `json:"pbx"`
	Enabled bool   `json:"enabled"`
	File    string `json:"file"`
	// MaxBytes caps one file; MaxFiles counts the file and its rotated predecessors.
	MaxBytes int64 `json:"maxBytes"`
	MaxFiles int   `json:"maxFiles"`
	// BytesWritten and Lines count what this instance wrote since it started; Dropped the
	// lines lost because the disk fell behind, WriteErrors the failed writes (LastError the
	// newest). None of these ever affects the link.
	BytesWritten int64  `json:"bytesWritten"`
	Lines        uint64 `json:"lines"`
	Dropped      uint64 `json:"dropped"`
	WriteErrors  uint64 `json:"writeErrors"`
	LastError    string `json:"lastError,omitempty"`
	// OwnedHere says whether this instance holds the PBX's link, so that its trace is the
	// one being written. Each instance traces only the links it owns.
	OwnedHere bool `json:"ownedHere"`
}

// TraceControl is implemented by engines whose PBX links can be traced (package web uses
// it for GET/PUT /api/v1/links/{pbx}/trace).
type TraceControl interface {
	Trace(pbx string) (TraceState, error)
	SetTrace(pbx string, enabled bool) (TraceState, error)
}

var _ TraceControl = (*Engine)(nil)

// linkTrace is the wire trace of one PBX: every session of the link hands its messages to
// sink, which formats them and queues them for a writer goroutine while the trace is on.
type linkTrace struct {
	pbx string
	cfg TraceConfig
	log *logrus.Entry

	mu  sync.Mutex // serialises switching, and guards sessions
	cur atomic.Pointer[traceRun]
	// sessions are the link's sessions (with their node's role) whose trace function set
	// installs while the trace is on and removes while it is off: a session with a trace
	// function reads the clock for every frame, even if the function drops it at once.
	sessions map[*csta.Conn]string

	bytes   atomic.Int64
	lines   atomic.Uint64
	dropped atomic.Uint64
	errs    atomic.Uint64
	lastErr atomic.Pointer[string]
}

// traceRun is one period of the trace being on: a file and the goroutine writing it.
type traceRun struct {
	w    *tracefile.Writer
	q    chan []byte
	stop chan struct{}
	done chan struct{}
}

func newLinkTrace(pc PBXConfig, log *logrus.Entry) (*linkTrace, error) {
	t := &linkTrace{pbx: pc.Name, cfg: pc.Trace, log: log, sessions: map[*csta.Conn]string{}}
	if pc.Trace.Enabled {
		if err := t.set(true); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// attach makes c, a session on node, follow the trace's switching from now on.
func (t *linkTrace) attach(c *csta.Conn, node string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune()
	t.sessions[c] = node
	c.SetTrace(t.traceFunc(node))
}

// traceFunc is the trace function of a session on node as the trace is now: the sink while
// it is on, none while it is off. A session dialled with it follows any switch made before
// attach once attached.
func (t *linkTrace) traceFunc(node string) csta.TraceFunc {
	if t.cur.Load() == nil {
		return nil
	}
	return t.sink(node)
}

// prune forgets the sessions that ended (under mu).
func (t *linkTrace) prune() {
	for c := range t.sessions {
		select {
		case <-c.Done():
			delete(t.sessions, c)
		default:
		}
	}
}

// retrace gives every live session the trace function of the trace as it is now (under mu).
func (t *linkTrace) retrace() {
	t.prune()
	for c, node := range t.sessions {
		c.SetTrace(t.traceFunc(node))
	}
}

// sink is the csta.TraceFunc of one session on node (primary or standby). It drops what a
// session hands it once the trace is off (the session may not have been told yet).
func (t *linkTrace) sink(node string) csta.TraceFunc {
	return func(r csta.TraceRecord) {
		run := t.cur.Load()
		if run == nil {
			return
		}
		line := tracefile.AppendRecord(make([]byte, 0, len(r.Body)+len(r.Name)+64), tracefile.Record{
			Time: r.Time, PBX: t.pbx, Node: node, Dir: r.Dir, InvokeID: r.InvokeID, Name: r.Name, Body: r.Body})
		select {
		case run.q <- line:
		default:
			t.dropped.Add(1)
		}
	}
}

// set switches the trace on (opening the file, appending to it if it exists) or off
// (writing what is queued, then closing the file).
func (t *linkTrace) set(on bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	run := t.cur.Load()
	if on == (run != nil) {
		return nil
	}
	if !on {
		t.cur.Store(nil)
		t.retrace()
		close(run.stop)
		<-run.done
		t.log.WithField("file", t.cfg.File).Info("CSTA wire trace switched off")
		return nil
	}
	w, err := tracefile.Create(t.cfg.File, t.cfg.MaxBytes, t.cfg.MaxFiles)
	if err != nil {
		return fmt.Errorf("cti: pbx %s: trace: %w", t.pbx, err)
	}
	run = &traceRun{w: w, q: make(chan []byte, traceQueue), stop: make(chan struct{}), done: make(chan struct{})}
	go t.write(run)
	t.cur.Store(run)
	t.retrace()
	t.log.WithField("file", t.cfg.File).Info("CSTA wire trace switched on")
	return nil
}

// write runs while the trace is on; after stop it writes what is queued and closes the file.
func (t *linkTrace) write(run *traceRun) {
	defer close(run.done)
	put := func(line []byte) {
		n, err := run.w.WriteLine(line)
		t.bytes.Add(int64(n))
		if err != nil {
			t.errs.Add(1)
			msg := err.Error()
			if old := t.lastErr.Swap(&msg); old == nil || *old != msg {
				t.log.WithError(err).Warn("CSTA wire trace: write failed (the link is not affected)")
			}
			return
		}
		t.lines.Add(1)
	}
	for {
		select {
		case line := <-run.q:
			put(line)
		case <-run.stop:
			for {
				select {
				case line := <-run.q:
					put(line)
				default:
					if err := run.w.Close(); err != nil {
						t.errs.Add(1)
						msg := err.Error()
						t.lastErr.Store(&msg)
					}
					return
				}
			}
		}
	}
}

func (t *linkTrace) state() TraceState {
	s := TraceState{PBX: t.pbx, Enabled: t.cur.Load() != nil, File: t.cfg.File, MaxBytes: t.cfg.MaxBytes,
		MaxFiles: t.cfg.MaxFiles, BytesWritten: t.bytes.Load(), Lines: t.lines.Load(),
		Dropped: t.dropped.Load(), WriteErrors: t.errs.Load()}
	if e := t.lastErr.Load(); e != nil {
		s.LastError = *e
	}
	return s
}

// Trace implements TraceControl.
func (e *Engine) Trace(pbxName string) (TraceState, error) {
	p, err := e.pbx(pbxName)
	if err != nil {
		return TraceState{}, err
	}
	s := p.trace.state()
	s.OwnedHere = p.own.Load() != nil
	return s, nil
}

// SetTrace implements TraceControl: it switches a PBX's wire trace on or off at once, on the
// live link, without reconnecting.
func (e *Engine) SetTrace(pbxName string, enabled bool) (TraceState, error) {
	p, err := e.pbx(pbxName)
	if err != nil {
		return TraceState{}, err
	}
	if err := p.trace.set(enabled); err != nil {
		return TraceState{}, err
	}
	return e.Trace(pbxName)
}

// closeTraces switches every trace off when the engine stops, so that the files are complete.
func (e *Engine) closeTraces() {
	for _, n := range e.names {
		_ = e.pbxs[n].trace.set(false)
	}
}
