package cti

import (
	"context"
	"errors"
	"fmt"
	"github.com/ctibridge/ctibridge/csta"
	"io"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/sirupsen/logrus"
)

var _ Service = (*Engine)(nil)

// Engine runs the PBX links of one bridge instance: per PBX it competes for the lease, and
// as owner supervises the nodes, monitors the devices, reduces events into the store and
// executes commands; as follower it mirrors the owner's log and routes commands to it.
type Engine struct {
	cfg     Config
	log     *logrus.Entry
	metrics Metrics
	pbxs    map[string]*pbx
	names   []string
	running atomic.Bool
}

// pbx is one configured PBX.
type pbx struct {
	e      *Engine
	cfg    PBXConfig
	exts   []string
	extSet map[string]bool
	groups map[string]bool // the lines of exts that are groups (PBXConfig.Groups)
	nodes  []node
	fb     *failback
	log    *logrus.Entry
	view   *view
	status *linkStatus
	own    atomic.Pointer[owned] // set while this instance holds the lease
	trace  *linkTrace            // CSTA wire trace (trace.go)
	deg    degradation           // store writes failed: link given up (degraded.go)
	load   overload              // events arrive faster than they are applied (overload.go)
}

// New checks cfg and builds an engine; Run starts it.
func New(cfg Config) (*Engine, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := cfg.Log
	if log == nil {
		l := logrus.New()
		l.SetOutput(io.Discard)
		log = logrus.NewEntry(l)
	}
	log = log.WithField("instance", cfg.InstanceID)
	e := &Engine{cfg: cfg, log: log, metrics: cfg.Metrics, pbxs: map[string]*pbx{}}
	if e.metrics == nil {
		e.metrics = noMetrics{}
	}
	for _, pc := range cfg.PBXs {
		exts, _ := csta.ExpandDevices(pc.Devices) // checked by Validate
		exts = append(exts, pc.Groups...)
		fb, err := newFailback(pc, cfg.Clock)
		if err != nil {
			return nil, fmt.Errorf("cti: pbx %s: %w", pc.Name, err)
		}
		p := &pbx{e: e, cfg: pc, exts: exts, extSet: make(map[string]bool, len(exts)), fb: fb,
			log: log.WithField("pbx", pc.Name), view: newView()}
		for _, x := range exts {
			p.extSet[x] = true
		}
		p.groups = make(map[string]bool, len(pc.Groups))
		for _, g := range pc.Groups {
			p.groups[g] = true
		}
		p.nodes = []node{{role: rolePrimary, addr: pc.Primary}}
		if pc.Standby != "" {
			p.nodes = append(p.nodes, node{role: roleStandby, addr: pc.Standby})
		}
		p.status = newLinkStatus(p.nodes)
		if p.trace, err = newLinkTrace(pc, p.log); err != nil {
			return nil, err
		}
		// Until the store or the owner says otherwise, lines are known but not in service.
		lines := make([]tapi.Line, 0, len(exts))
		for _, x := range exts {
			l := tapi.NewLine(pc.Name, x, pc.DisplayNames[x])
			l.InService = false
			if p.groups[x] {
				l.Queue = &tapi.QueueStatus{}
			}
			lines = append(lines, l)
		}
		p.view.reset(lines, nil, store.Position{})
		e.pbxs[pc.Name] = p
		e.names = append(e.names, pc.Name)
	}
	return e, nil
}

// Run runs every PBX link until ctx ends, then drops the links and releases the leases at
// once so that another instance takes over. It returns nil after a clean stop.
func (e *Engine) Run(ctx context.Context) error {
	if !e.running.CompareAndSwap(false, true) {
		return errors.New("cti: engine already running")
	}
	defer e.running.Store(false)
	defer e.closeTraces()
	var wg sync.WaitGroup
	for _, name := range e.names {
		p := e.pbxs[name]
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.run(ctx)
		}()
	}
	wg.Wait()
	return nil
}

// InstanceID implements Service.
func (e *Engine) InstanceID() string { return e.cfg.InstanceID }

// PBXs implements Service.
func (e *Engine) PBXs() []string { return append([]string(nil), e.names...) }

// Lines implements Service.
func (e *Engine) Lines(pbxName string) []tapi.Line {
	if pbxName != "" {
		p := e.pbxs[pbxName]
		if p == nil {
			return nil
		}
		return p.view.allLines()
	}
	var out []tapi.Line
	for _, n := range e.names {
		out = append(out, e.pbxs[n].view.allLines()...)
	}
	return out
}

// splitLine splits "pbx/ext".
func (e *Engine) splitLine(name string) (*pbx, string, bool) {
	pn, ext, ok := tapi.SplitLine(name)
	if !ok {
		return nil, "", false
	}
	p := e.pbxs[pn]
	return p, ext, p != nil
}

// Line implements Service.
func (e *Engine) Line(name string) (tapi.Line, bool) {
	p, _, ok := e.splitLine(name)
	if !ok {
		return tapi.Line{}, false
	}
	return p.view.line(name)
}

// Calls implements Service.
func (e *Engine) Calls(line string) []tapi.Call {
	if line == "" {
		var out []tapi.Call
		for _, n := range e.names {
			out = append(out, e.pbxs[n].view.callsOf("")...)
		}
		return out
	}
	p, _, ok := e.splitLine(line)
	if !ok {
		return nil
	}
	return p.view.callsOf(line)
}

func (e *Engine) pbx(name string) (*pbx, error) {
	p := e.pbxs[name]
	if p == nil {
		return nil, fmt.Errorf("cti: unknown PBX %q (configured: %s)", name, strings.Join(e.names, ", "))
	}
	return p, nil
}

// Snapshot implements Service: the store's state and position, written together.
func (e *Engine) Snapshot(ctx context.Context, pbxName string) (store.Snapshot, error) {
	if _, err := e.pbx(pbxName); err != nil {
		return store.Snapshot{}, err
	}
	return e.cfg.Store.Load(ctx, pbxName)
}

// SnapshotLines implements Service.
func (e *Engine) SnapshotLines(ctx context.Context, pbxName string, lines []string) (store.Snapshot, error) {
	if _, err := e.pbx(pbxName); err != nil {
		return store.Snapshot{}, err
	}
	return e.cfg.Store.LoadLines(ctx, pbxName, lines)
}

// Events implements Service.
func (e *Engine) Events(ctx context.Context, pbxName, epoch string, after uint64, limit int) ([]store.Entry, error) {
	if _, err := e.pbx(pbxName); err != nil {
		return nil, err
	}
	return e.cfg.Store.Replay(ctx, pbxName, epoch, after, limit)
}

// Subscribe implements Service.
func (e *Engine) Subscribe(ctx context.Context, pbxName string) (store.Subscription, error) {
	if _, err := e.pbx(pbxName); err != nil {
		return nil, err
	}
	return e.cfg.Store.Subscribe(ctx, pbxName)
}

// Journal implements Service.
func (e *Engine) Journal(ctx context.Context, line string, skip, limit int) ([]store.JournalEntry, error) {
	if _, _, ok := e.splitLine(line); !ok {
		return nil, fmt.Errorf("cti: unknown line %q (want pbx/extension of a configured PBX)", line)
	}
	return e.cfg.Store.Journal(ctx, line, skip, limit)
}

// History implements Service.
func (e *Engine) History(ctx context.Context, q store.HistoryQuery) (store.HistoryPage, error) {
	return e.cfg.Store.History(ctx, q)
}

// CallRecord implements Service.
func (e *Engine) CallRecord(ctx context.Context, pbxName string, handle tapi.CallHandle) (store.JournalEntry, error) {
	if _, err := e.pbx(pbxName); err != nil {
		return store.JournalEntry{}, err
	}
	return e.cfg.Store.CallRecord(ctx, pbxName, handle)
}

// Links implements Service.
func (e *Engine) Links() []LinkInfo {
	out := make([]LinkInfo, 0, len(e.names))
	for _, n := range e.names {
		out = append(out, e.pbxs[n].info())
	}
	return out
}

// Ready implements Service. The engine's own state is checked first, from the same truth
// the engine acts on (a term that fenced itself or degraded is reported at once, without
// waiting for the store); then the store's reachability, answered by ctx's deadline.
func (e *Engine) Ready(ctx context.Context) error {
	if !e.running.Load() {
		return errors.New("cti: engine not running")
	}
	var errs []error
	for _, n := range e.names {
		if err := e.pbxs[n].notReady(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := e.ping(ctx); err != nil {
		return fmt.Errorf("cti: store unreachable: %w", err)
	}
	return nil
}
