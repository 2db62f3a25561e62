package cti

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// linkConn is one CSTA session to one node, with its monitors.
type linkConn struct {
	node   int
	conn   *csta.Conn
	status chan csta.SystemStatusValue // SystemStatus reports from the switch

	mu      sync.Mutex
	xref    monitorIndex
	refused map[string]string // devices the switch would not monitor, with why
	// applied is the pipeline's count of applied events per extension (pipeline.applied),
	// read-only: each monitor's counter is found with its extension.
	applied map[string]*extSlot

	closeOnce sync.Once
	closed    chan struct{}
}

// monitorRef is what a monitor's events are for: the extension, and its count of applied
// events (nil when the pipeline counts none for it). One lookup per event finds both.
type monitorRef struct {
	ext     string
	applied *extSlot
}

// monitored returns the extensions with a monitor on this link.
func (lc *linkConn) monitored() []string {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := make([]string, 0, len(lc.xref.byRef))
	for _, m := range lc.xref.byRef {
		out = append(out, m.ext)
	}
	sort.Strings(out)
	return out
}

func (lc *linkConn) addMonitor(ref csta.MonitorCrossRefID, ext string) {
	lc.mu.Lock()
	lc.xref.add(ref, monitorRef{ext: ext, applied: lc.applied[ext]})
	lc.mu.Unlock()
}

// close drops the session at once. Events still queued from it are discarded by the pipeline.
func (lc *linkConn) close() {
	lc.closeOnce.Do(func() {
		close(lc.closed)
		if lc.conn != nil {
			lc.conn.Close()
		}
	})
}

// sessionStatusBuffer holds SystemStatus reports until the supervisor reads them.
const sessionStatusBuffer = 8

// connect dials a node and starts the session in the PBX's dialect, within ConnectTimeout.
func (o *link) connect(ctx context.Context, node int) (*linkConn, error) {
	if err := o.mayRequest(); err != nil {
		return nil, err
	}
	cfg := o.p.cfg
	addr := o.p.nodes[node].addr
	d, err := csta.DialectByName(cfg.Dialect)
	if err != nil {
		return nil, err
	}
	lc := &linkConn{node: node, xref: newMonitorIndex(len(o.p.exts)), // sized: a resync fills it
		applied: o.pl.applied, status: make(chan csta.SystemStatusValue, sessionStatusBuffer),
		closed: make(chan struct{})}
	log := o.p.log.WithField("node", o.p.nodes[node].role)
	ccfg := csta.Config{
		Dialect:    d,
		TLS:        cfg.TLS,
		EventQueue: cfg.Queue,
		// Events go straight from the reader into the pipeline's queue while it has room,
		// through the session's dispatcher (which waits for room) once it is full.
		OfferEvent: func(ev csta.Event) bool { return o.pl.offerEvent(lc, ev) },
		OnEvent:    func(ev csta.Event) { o.pl.enqueueEvent(lc, ev) },
		OnSystemStatus: func(s *csta.SystemStatus) {
			select {
			case lc.status <- s.SystemStatus:
			default:
			}
		},
		OnProtocolError: func(err error) { o.p.status.protocolProblem(log, err, time.Now()) },
		OnUnknown: func(m *csta.UnknownMessage) {
			log.WithField("message", m.Name).Debug("CSTA message not understood; ignored")
		},
		TraceTo: o.p.trace.traceFunc(o.p.nodes[node].role), // the wire trace, switched at run time (attach)
	}
	cctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	conn, err := csta.Dial(cctx, addr, ccfg)
	if err != nil {
		return nil, err
	}
	lc.conn = conn
	o.p.trace.attach(conn, o.p.nodes[node].role)
	if err := o.startSession(cctx, lc, d); err != nil {
		lc.close()
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return nil, fmt.Errorf("session start on %s not answered within %v", addr, cfg.ConnectTimeout)
		}
		return nil, err
	}
	return lc, nil
}

// startSession opens the application session (ECMA-354 dialects) or registers for system
// status (SystemStatus-first dialects, whose greeting the csta.Conn answers by itself).
func (o *link) startSession(ctx context.Context, lc *linkConn, d csta.Dialect) error {
	cfg := o.p.cfg
	if d.Session == csta.SessionApplication {
		resp, ed, err := lc.conn.NegotiateApplicationSession(ctx, &csta.StartApplicationSession{
			ApplicationID: "ctibridge", UserID: cfg.User, Password: cfg.Password,
			RequestedSessionDuration: cfg.SessionDuration,
		}, d.Edition)
		if err != nil {
			return fmt.Errorf("StartApplicationSession: %w", err)
		}
		o.p.log.WithFields(map[string]any{"node": o.p.nodes[lc.node].role, "edition": ed.String(),
			"session": resp.SessionID, "duration_s": resp.ActualSessionDuration}).
			Info("CSTA application session started")
		return nil
	}
	if _, err := lc.conn.SystemRegister(ctx); err != nil {
		var ce *csta.Error
		if errors.As(err, &ce) {
			// Some switches do not offer system status registration; the link still works.
			o.p.log.WithError(err).Info("SystemRegister refused; continuing without it")
			return nil
		}
		return fmt.Errorf("SystemRegister: %w", err)
	}
	return nil
}
