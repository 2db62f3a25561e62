package pbxsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/tracefile"
)

// ReplayConfig configures a Player.
type ReplayConfig struct {
	// Records is the trace of one PBX (tracefile.ReadFile), in file order.
	Records []tracefile.Record
	// Dialect gives the framing; Edition (default: the dialect's) encodes the player's own
	// error responses. Recorded messages go out as recorded.
	Dialect csta.Dialect
	Edition csta.Edition
	// Log gets one line per request the trace cannot answer, per stall and per session; nil
	// discards them.
	Log io.Writer
	// StallReport is how long an event may wait for the requests recorded before it until
	// the wait is reported on Log (default 5s).
	StallReport time.Duration
}

// Player plays a CSTA wire trace as the switch: it answers the client's requests with the
// recorded responses and sends the recorded PBX->bridge messages in their recorded order.
//
// A request is answered with the next recorded response to a request of the same message
// name (for MonitorStart and SnapshotDevice: the same name and device), the recorded invoke
// ID replaced by the live one; when the recorded ones are used up, the last is repeated. A
// request the trace never answered gets a CSTA error (operation/serviceNotSupported) and a
// line on Log. Each recorded event (and request from the switch, such as SystemStatus) goes
// out once the requests recorded before it have arrived, so that MonitorStartResponses with
// the recorded monitorCrossRefIDs reach the client before the events that use them.
// Keep-alive requests (ResetApplicationSessionTimer, SystemStatus from the client) are
// answered but not waited for: their number depends on timing. Every accepted connection
// plays the trace from its beginning.
type Player struct {
	cfg    ReplayConfig
	script *script
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	conns    map[*csta.ServerConn]struct{}
	finished chan struct{} // closed when a session has sent every recorded message
	finOnce  sync.Once
}

// script is a trace turned into answers and outbound messages.
type script struct {
	answers map[string][][]byte // request key -> recorded response bodies, in order
	reqs    []recordedReq       // requests the outbound messages wait for, in order
	out     []outbound
}

type recordedReq struct {
	key  string
	line int
}

type outbound struct {
	body     []byte
	invokeID int
	name     string
	line     int
	needs    int // how many of script.reqs must have arrived first
}

// requestKey is what a live request is matched by.
func requestKey(m csta.Message) string {
	switch r := m.(type) {
	case *csta.MonitorStart:
		return "MonitorStart " + r.MonitorObject.Raw
	case *csta.SnapshotDevice:
		return "SnapshotDevice " + r.SnapshotObject.Raw
	}
	return m.MessageName()
}

func isKeepAlive(name string) bool {
	return name == "ResetApplicationSessionTimer" || name == "SystemStatus"
}

func isResponseName(name string) bool {
	return strings.HasSuffix(name, "Response") || name == "CSTAErrorCode"
}

// buildScript pairs the recorded requests (send) with their responses (recv, same node and
// invoke ID; in order on framings without invoke IDs) and lists what the switch sent.
func buildScript(recs []tracefile.Record) (*script, error) {
	s := &script{answers: map[string][][]byte{}}
	type pend struct{ key string }
	byID := map[string]pend{}   // node/invoke -> request
	fifo := map[string][]pend{} // node -> requests, framings without invoke IDs
	for _, r := range recs {
		switch {
		case r.Dir == tracefile.Send:
			if isResponseName(r.Name) {
				continue // the client answering the switch (SystemStatusResponse)
			}
			m, err := csta.Decode(r.Body)
			if err != nil {
				return nil, fmt.Errorf("line %d: %s: %w", r.Line, r.Name, err)
			}
			p := pend{key: requestKey(m)}
			if !isKeepAlive(r.Name) {
				s.reqs = append(s.reqs, recordedReq{key: p.key, line: r.Line})
			}
			if r.InvokeID == tracefile.NoInvokeID {
				fifo[r.Node] = append(fifo[r.Node], p)
			} else {
				byID[fmt.Sprint(r.Node, "/", r.InvokeID)] = p
			}
		case r.InvokeID != csta.EventInvokeID && isResponseName(r.Name):
			var p pend
			var ok bool
			if r.InvokeID == tracefile.NoInvokeID {
				if q := fifo[r.Node]; len(q) > 0 {
					p, ok, fifo[r.Node] = q[0], true, q[1:]
				}
			} else {
				k := fmt.Sprint(r.Node, "/", r.InvokeID)
				p, ok = byID[k]
				delete(byID, k)
			}
			if ok {
				s.answers[p.key] = append(s.answers[p.key], r.Body)
			}
		default: // an event, or a request of the switch
			s.out = append(s.out, outbound{body: r.Body, invokeID: r.InvokeID, name: r.Name, line: r.Line, needs: len(s.reqs)})
		}
	}
	return s, nil
}

// StartReplay listens on addr and plays recs to every client that connects.
func StartReplay(ctx context.Context, addr string, cfg ReplayConfig) (*Player, error) {
	if len(cfg.Records) == 0 {
		return nil, errors.New("pbxsim: replay: the trace has no messages")
	}
	if cfg.Dialect.Framing == nil {
		cfg.Dialect = csta.DialectGeneric
	}
	if cfg.Edition == 0 {
		cfg.Edition = cfg.Dialect.Edition
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.StallReport <= 0 {
		cfg.StallReport = 5 * time.Second
	}
	sc, err := buildScript(cfg.Records)
	if err != nil {
		return nil, fmt.Errorf("pbxsim: replay: %w", err)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pbxsim: replay: %w", err)
	}
	pctx, cancel := context.WithCancel(context.Background())
	p := &Player{cfg: cfg, script: sc, ln: ln, ctx: pctx, cancel: cancel,
		conns: map[*csta.ServerConn]struct{}{}, finished: make(chan struct{})}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the listen address.
func (p *Player) Addr() string { return p.ln.Addr().String() }

// Finished is closed once a session has sent every recorded PBX->client message.
func (p *Player) Finished() <-chan struct{} { return p.finished }

// Close stops listening and ends every session.
func (p *Player) Close() error {
	p.cancel()
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	return err
}

func (p *Player) logf(format string, a ...any) {
	fmt.Fprintf(p.cfg.Log, "pbxsim replay: "+format+"\n", a...)
}

func (p *Player) accept() {
	defer p.wg.Done()
	for {
		nc, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.logf("client %s connected; playing %d recorded messages", nc.RemoteAddr(), len(p.script.out))
		rs := &replaySession{p: p, used: map[string]int{}, arrived: make([]bool, len(p.script.reqs)),
			changed: make(chan struct{}), ready: make(chan struct{})}
		rs.sc = csta.NewServerConn(nc, csta.ServerConfig{Edition: p.cfg.Edition, Framing: p.cfg.Dialect.Framing, Handler: rs.handle})
		close(rs.ready)
		p.mu.Lock()
		p.conns[rs.sc] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			rs.play()
			<-rs.sc.Done()
			p.mu.Lock()
			delete(p.conns, rs.sc)
			p.mu.Unlock()
		}()
	}
}

// replaySession is one client's playback.
type replaySession struct {
	p  *Player
	sc *csta.ServerConn
	// ready is closed once sc is set: the connection serves requests from the moment it is
	// made, before NewServerConn has returned it.
	ready chan struct{}

	mu      sync.Mutex
	used    map[string]int // request key -> recorded responses used
	arrived []bool         // script.reqs that have arrived
	prefix  int            // script.reqs[:prefix] have all arrived
	changed chan struct{}  // closed and replaced when prefix grows
}

// handle answers a live request with its recorded response, framed with the live invoke ID.
func (rs *replaySession) handle(ctx context.Context, req csta.Message) (csta.Message, error) {
	select {
	case <-rs.ready:
	case <-ctx.Done():
		return nil, nil
	}
	key := requestKey(req)
	rs.mu.Lock()
	bodies := rs.p.script.answers[key]
	i := rs.used[key]
	if len(bodies) > 0 {
		rs.used[key] = i + 1
	}
	rs.mu.Unlock()
	if len(bodies) == 0 {
		rs.p.logf("no recorded answer to %s; refused with operation/serviceNotSupported", key)
		return nil, &csta.Error{Category: csta.ErrCatOperation, Value: csta.ErrRequestedServiceNotSupported}
	}
	body := bodies[min(i, len(bodies)-1)]
	id, _ := csta.RequestInvokeID(ctx)
	frame, err := rs.p.cfg.Dialect.Framing.AppendFrame(nil, csta.Frame{InvokeID: id, Body: body})
	if err != nil {
		rs.p.logf("framing the recorded answer to %s: %v", key, err)
		return nil, &csta.Error{Category: csta.ErrCatOperation, Value: csta.ErrGeneric}
	}
	if err := rs.sc.WriteRaw(ctx, frame); err != nil {
		return nil, nil // the session is ending
	}
	rs.arrive(key)
	return nil, nil
}

// arrive marks the first recorded request with key that has not arrived yet.
func (rs *replaySession) arrive(key string) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for i, r := range rs.p.script.reqs {
		if !rs.arrived[i] && r.key == key {
			rs.arrived[i] = true
			break
		}
	}
	old := rs.prefix
	for rs.prefix < len(rs.arrived) && rs.arrived[rs.prefix] {
		rs.prefix++
	}
	if rs.prefix != old {
		close(rs.changed)
		rs.changed = make(chan struct{})
	}
}

// play sends the recorded PBX->client messages in order, each once its requests arrived.
func (rs *replaySession) play() {
	ctx := rs.p.ctx
	for _, o := range rs.p.script.out {
		stall := time.NewTimer(rs.p.cfg.StallReport)
		for {
			rs.mu.Lock()
			ready, ch := rs.prefix >= o.needs, rs.changed
			missing := rs.p.script.reqs[min(rs.prefix, len(rs.p.script.reqs)-1)]
			rs.mu.Unlock()
			if ready {
				break
			}
			select {
			case <-ch:
			case <-stall.C:
				rs.p.logf("line %d (%s) waits for the client's %s, recorded at line %d", o.line, o.name, missing.key, missing.line)
			case <-rs.sc.Done():
				stall.Stop()
				return
			case <-ctx.Done():
				stall.Stop()
				return
			}
		}
		stall.Stop()
		frame, err := rs.p.cfg.Dialect.Framing.AppendFrame(nil, csta.Frame{InvokeID: max(o.invokeID, 0), Body: o.body})
		if err != nil {
			rs.p.logf("line %d (%s): %v; skipped", o.line, o.name, err)
			continue
		}
		if err := rs.sc.WriteRaw(ctx, frame); err != nil {
			return
		}
	}
	rs.p.logf("every recorded message sent")
	rs.p.finOnce.Do(func() { close(rs.p.finished) })
}
