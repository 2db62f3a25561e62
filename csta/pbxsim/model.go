package pbxsim

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// PBX is the simulated switch: one call model shared by any number of CSTA nodes.
// All model state is guarded by mu; event fan-out pushes into bounded per-session queues and
// never blocks while holding it.
type PBX struct {
	cfg  Config
	prof Profile // resolved from cfg.Profile

	mu        sync.Mutex
	closed    bool
	devices   map[string]*device // extensions, hunt groups, and external parties while in a call
	calls     map[uint64]*call
	epoch     uint64 // bumped by a PBX restart so that call IDs change
	seq       uint64 // call sequence within the epoch
	crossRef  uint64 // monitor cross reference counter
	alertSeq  uint64 // alerting connections so far (conn.alertSeq)
	monitors  map[csta.MonitorCrossRefID]*monitor
	huntOrder map[string]int // next member index per hunt group
	hunts     []*device
	nodes     map[string]*Node
	stats     Stats
	dropped   atomic.Uint64 // events swallowed by node faults, counted outside mu
	traffic   []*Traffic
	agentSeq  uint64   // agents becoming ready so far (agent.idleSeq)
	released  []*agent // agents whose ACD call just left them (flushAgents)
}

// Stats counts what the model did; read with (*PBX).Stats.
type Stats struct {
	CallsStarted  uint64
	EventsQueued  uint64 // events pushed to session queues
	EventsDropped uint64 // events dropped by a node fault
	SessionsShed  uint64 // sessions dropped because their event queue overflowed
}

type devKind int

const (
	kindExtension devKind = iota
	kindExternal
	kindHunt
)

// device is an extension, hunt group pilot or external party.
type device struct {
	number   string
	kind     devKind
	conns    []*conn
	dnd      bool
	forwards map[csta.ForwardingType]forward
	busy     bool // a person on a non-CTI call, or a far end that answers busy
	monitors []*monitor
	members  []string // hunt group members
	queue    []*call  // calls waiting at a hunt group
	// queueLimit is the most calls that may wait at a hunt group (0: no limit).
	queueLimit int
	acd        *acdGroup // agents of an ACD hunt group, nil otherwise
}

type forward struct {
	on        bool
	dn        string
	ringCount int
}

// conn is one device's connection to one call.
type conn struct {
	call     *call
	dev      *device
	state    csta.LocalConnectionState
	noAnswer *time.Timer // ring timer: no-answer forwarding, or the MakeCall prompt
	// promptTo is set while the calling device of a MakeCall in prompt mode is being rung
	// (state initiated): the device the call goes to once the prompt is accepted.
	promptTo *device
	// alertSeq orders alerting connections by when they started to ring (GroupPickupCall
	// takes the one ringing longest).
	alertSeq uint64
}

// call is one CSTA call.
type call struct {
	num          uint64 // epoch<<40 | seq; the canonical ID is derived from it
	id           string
	conns        []*conn
	calling      string // originating device number
	called       string // number originally dialled
	lastRedirect string
	ended        bool
	queuedAt     time.Time // when the call started to wait at a hunt group (zero: not waiting)
}

// monitor is one MonitorStart of one client session.
type monitor struct {
	ref csta.MonitorCrossRefID
	dev *device
	sub subscriber
}

// subscriber receives events for its monitors: a client session on a node, or a recorder in
// tests. push must not block; it is called with the model lock held.
type subscriber interface {
	push(ev csta.Event)
	// wireCallID returns the call ID this subscriber's node reports for a canonical call.
	wireCallID(c *call) string
	// canonicalCallID maps a call ID the client sent back to the model's call number.
	canonicalCallID(wire string) (uint64, bool)
	// decorate reports whether external numbers are sent in OSV decoration.
	decorate() bool
}

// New builds a PBX from cfg.
func New(cfg Config) (*PBX, error) {
	prof, err := ProfileByName(cfg.Profile)
	if err != nil {
		return nil, err
	}
	if cfg.Dialect == "" {
		cfg.Dialect = prof.Dialect
	}
	cfg.applyDefaults()
	exts, err := ParseExtensions(cfg.Extensions)
	if err != nil {
		return nil, err
	}
	if _, err := csta.DialectByName(cfg.Dialect); err != nil {
		return nil, err
	}
	if cfg.Edition != 0 && (cfg.Edition < csta.Ed2 || cfg.Edition > csta.Ed6) {
		return nil, fmt.Errorf("ECMA-323 edition %d not supported (want 2 to 6)", cfg.Edition)
	}
	if cfg.EventQueue < 16 {
		return nil, fmt.Errorf("event queue %d too small (minimum 16)", cfg.EventQueue)
	}
	if cfg.PromptAnswer < 0 {
		return nil, fmt.Errorf("prompt answer time %v must not be negative", cfg.PromptAnswer)
	}
	p := &PBX{
		cfg:       cfg,
		prof:      prof,
		devices:   make(map[string]*device, len(exts)),
		calls:     map[uint64]*call{},
		monitors:  make(map[csta.MonitorCrossRefID]*monitor, 2*len(exts)), // every extension monitored, twice while a switchover overlaps two sessions
		huntOrder: map[string]int{},
		nodes:     map[string]*Node{},
		epoch:     1,
	}
	for _, n := range exts {
		p.devices[n] = &device{number: n, kind: kindExtension}
	}
	for _, h := range cfg.HuntGroups {
		if err := p.addHuntGroup(h); err != nil {
			return nil, err
		}
	}
	if err := p.checkPickupGroups(); err != nil {
		return nil, err
	}
	return p, nil
}

// addHuntGroup checks a hunt group against the numbering plan and adds its pilot device.
func (p *PBX) addHuntGroup(h HuntGroup) error {
	if !isDigits(h.Number) {
		return fmt.Errorf("hunt group %q: number must be digits", h.Number)
	}
	if _, dup := p.devices[h.Number]; dup {
		return fmt.Errorf("hunt group %s: number already used", h.Number)
	}
	if len(h.Members) == 0 {
		return fmt.Errorf("hunt group %s: no members", h.Number)
	}
	for _, m := range h.Members {
		if d := p.devices[m]; d == nil || d.kind != kindExtension {
			return fmt.Errorf("hunt group %s: member %s is not an extension", h.Number, m)
		}
	}
	if h.QueueLimit < 0 || h.WrapUp < 0 {
		return fmt.Errorf("hunt group %s: queue limit and wrap-up time must not be negative", h.Number)
	}
	hd := &device{number: h.Number, kind: kindHunt, members: append([]string(nil), h.Members...), queueLimit: h.QueueLimit}
	if h.ACD {
		hd.acd = newACDGroup(hd, h, p.devices)
	}
	p.devices[h.Number] = hd
	p.hunts = append(p.hunts, hd)
	return nil
}

// checkPickupGroups validates Config.PickupGroups against the numbering plan.
func (p *PBX) checkPickupGroups() error {
	in := map[string]string{}
	for i, g := range p.cfg.PickupGroups {
		name := g.Number
		if name == "" {
			name = fmt.Sprintf("#%d", i+1)
		} else if _, used := p.devices[g.Number]; used {
			return fmt.Errorf("pickup group %s: number already used by a device", g.Number)
		}
		if len(g.Members) == 0 {
			return fmt.Errorf("pickup group %s: no members", name)
		}
		for _, m := range g.Members {
			if d := p.devices[m]; d == nil || d.kind != kindExtension {
				return fmt.Errorf("pickup group %s: member %s is not an extension", name, m)
			}
			if other, dup := in[m]; dup {
				return fmt.Errorf("pickup group %s: member %s is already in group %s", name, m, other)
			}
			in[m] = name
		}
	}
	return nil
}

// Config returns the configuration with defaults applied.
func (p *PBX) Config() Config { return p.cfg }

// Extensions returns the configured extension numbers in numbering-plan order.
func (p *PBX) Extensions() []string {
	exts, _ := ParseExtensions(p.cfg.Extensions)
	return exts
}

// Stats returns the model counters.
func (p *PBX) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.stats
	st.EventsDropped = p.dropped.Load()
	return st
}

func (p *PBX) countDropped() { p.dropped.Add(1) }

// ErrClosed is returned by operations on a closed PBX.
var ErrClosed = errors.New("pbxsim: PBX closed")

// Close stops every node, traffic generator and timer. Calls are discarded.
func (p *PBX) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	nodes := make([]*Node, 0, len(p.nodes))
	for _, n := range p.nodes {
		nodes = append(nodes, n)
	}
	traffic := p.traffic
	p.traffic = nil
	p.clearAllCalls()
	p.mu.Unlock()
	for _, t := range traffic {
		t.Stop()
	}
	for _, n := range nodes {
		n.Kill()
	}
	return nil
}

// callID formats a canonical call ID in the style of OpenScape Voice (32 hex digits).
func callID(num uint64) string {
	return fmt.Sprintf("FF0001%010X%016X", num>>40, num&(1<<40-1))
}

// parseCallID inverts callID.
func parseCallID(id string) (uint64, bool) {
	var hi, lo uint64
	if len(id) != 32 || id[:6] != "FF0001" {
		return 0, false
	}
	if _, err := fmt.Sscanf(id[6:], "%010X%016X", &hi, &lo); err != nil {
		return 0, false
	}
	return hi<<40 | lo, true
}

// newCall allocates a call with the next call ID.
func (p *PBX) newCall(calling, called string) *call {
	p.seq++
	num := p.epoch<<40 | p.seq
	c := &call{num: num, id: callID(num), calling: calling, called: called}
	p.calls[num] = c
	p.stats.CallsStarted++
	return c
}

// extDevice returns the device for an external number, creating it while it is in a call.
func (p *PBX) extDevice(number string) *device {
	if d := p.devices[number]; d != nil {
		return d
	}
	d := &device{number: number, kind: kindExternal}
	p.devices[number] = d
	return d
}

// lookup resolves a device a request names: an extension, hunt group, or an external party
// currently in a call.
func (p *PBX) lookup(id csta.DeviceID) *device {
	return p.devices[id.Number]
}

// addConn joins dev to c in state st.
func (p *PBX) addConn(c *call, dev *device, st csta.LocalConnectionState) *conn {
	cn := &conn{call: c, dev: dev, state: st}
	if st == csta.StateAlerting {
		p.alertSeq++
		cn.alertSeq = p.alertSeq
	}
	c.conns = append(c.conns, cn)
	dev.conns = append(dev.conns, cn)
	return cn
}

// removeConn takes cn out of its call and device.
func (p *PBX) removeConn(cn *conn) {
	cn.stopTimer()
	p.noteAgentConnGone(cn)
	cn.state = csta.StateNull
	cn.call.conns = removeFrom(cn.call.conns, cn)
	d := cn.dev
	d.conns = removeFrom(d.conns, cn)
	if d.kind == kindHunt {
		dequeue(d, cn.call)
	}
	if d.kind == kindExternal && len(d.conns) == 0 && len(d.monitors) == 0 && !d.busy {
		delete(p.devices, d.number)
	}
	if t := cn.promptTo; t != nil {
		cn.promptTo = nil
		p.forgetIdleExternal(t)
	}
}

// endCall removes every remaining connection and forgets the call.
func (p *PBX) endCall(c *call) {
	for len(c.conns) > 0 {
		p.removeConn(c.conns[0])
	}
	c.ended = true
	delete(p.calls, c.num)
}

// clearAllCalls drops every call without events (a PBX restart or shutdown).
func (p *PBX) clearAllCalls() {
	for _, c := range p.calls {
		p.endCall(c)
	}
	for _, h := range p.hunts {
		h.queue = nil
	}
	p.resetAgents()
}

func removeFrom(list []*conn, cn *conn) []*conn {
	for i, x := range list {
		if x == cn {
			copy(list[i:], list[i+1:])
			list[len(list)-1] = nil
			return list[:len(list)-1]
		}
	}
	return list
}

func (cn *conn) stopTimer() {
	if cn.noAnswer != nil {
		cn.noAnswer.Stop()
		cn.noAnswer = nil
	}
}

// connOf returns dev's connection in c, or nil.
func (c *call) connOf(dev *device) *conn {
	for _, cn := range c.conns {
		if cn.dev == dev {
			return cn
		}
	}
	return nil
}

// others returns the connections of c other than cn.
func (c *call) others(cn *conn) []*conn {
	out := make([]*conn, 0, len(c.conns))
	for _, x := range c.conns {
		if x != cn {
			out = append(out, x)
		}
	}
	return out
}

// active reports whether the device has a connection that occupies it (not held or failed).
func (d *device) active() *conn {
	for _, cn := range d.conns {
		switch cn.state {
		case csta.StateInitiated, csta.StateConnected, csta.StateAlerting:
			return cn
		}
	}
	return nil
}

// isBusy reports whether a new call offered to d gets busy.
func (d *device) isBusy() bool {
	return d.busy || d.active() != nil
}
