package pbxsim

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/ctibridge/ctibridge/csta"
)

// Node is one CSTA listener of the PBX, like one node of a duplex switch: every node serves
// the same call model. Faults (faults.go) act on one node.
type Node struct {
	p       *PBX
	name    string
	addr    string // fixed at first start, so that Restart listens where clients reconnect
	dialect csta.Dialect
	edition csta.Edition

	mu       sync.Mutex
	ln       net.Listener
	sessions map[*session]struct{}
	drops    []string // why sessions ended, newest last (bounded)
	wg       sync.WaitGroup

	frozen     atomic.Bool
	delay      atomic.Int64 // response delay in nanoseconds
	dropEvents atomic.Int64 // events still to be dropped
	altIDs     atomic.Bool
	sessionSeq atomic.Uint64
	resets     atomic.Uint64 // ResetApplicationSessionTimer requests granted
}

// StartNode opens a CSTA listener named name on addr ("127.0.0.1:0" for a free port).
func (p *PBX) StartNode(ctx context.Context, name, addr string) (*Node, error) {
	if name == "" {
		return nil, errors.New("pbxsim: node name must not be empty")
	}
	d, err := csta.DialectByName(p.cfg.Dialect)
	if err != nil {
		return nil, err
	}
	n := &Node{p: p, name: name, dialect: d, edition: p.cfg.Edition, sessions: map[*session]struct{}{}}
	if n.edition == 0 {
		n.edition = d.Edition
	}
	if err := p.lockOpen(); err != nil {
		return nil, err
	}
	if _, dup := p.nodes[name]; dup {
		p.mu.Unlock()
		return nil, fmt.Errorf("pbxsim: node %q already exists", name)
	}
	p.nodes[name] = n
	p.mu.Unlock()
	if err := n.listen(ctx, addr); err != nil {
		p.mu.Lock()
		delete(p.nodes, name)
		p.mu.Unlock()
		return nil, err
	}
	return n, nil
}

// Node returns the node with the given name, or nil.
func (p *PBX) Node(name string) *Node {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nodes[name]
}

// Name returns the node's name.
func (n *Node) Name() string { return n.name }

// Addr returns the address the node listens on (also while it is killed).
func (n *Node) Addr() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.addr
}

// Dialect returns the dialect the node speaks.
func (n *Node) Dialect() csta.Dialect { return n.dialect }

// Running reports whether the node is listening.
func (n *Node) Running() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ln != nil
}

// Sessions returns the number of client sessions.
func (n *Node) Sessions() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.sessions)
}

// SessionDrops returns why sessions ended, oldest first (the last 100).
func (n *Node) SessionDrops() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.drops...)
}

func (n *Node) listen(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("pbxsim: node %s: %w", n.name, err)
	}
	n.mu.Lock()
	n.ln = ln
	n.addr = ln.Addr().String()
	n.mu.Unlock()
	n.wg.Add(1)
	go n.acceptLoop(ln)
	return nil
}

func (n *Node) acceptLoop(ln net.Listener) {
	defer n.wg.Done()
	for {
		nc, err := ln.Accept()
		if err != nil {
			return // listener closed by Kill
		}
		n.mu.Lock()
		if n.ln != ln {
			n.mu.Unlock()
			nc.Close()
			return
		}
		s := n.newSession(nc)
		n.sessions[s] = struct{}{}
		n.wg.Add(1)
		n.mu.Unlock()
		go s.run()
	}
}

// Kill closes the listener and drops every session, as when a node fails. Calls go on.
func (n *Node) Kill() {
	n.mu.Lock()
	if n.ln != nil {
		n.ln.Close()
		n.ln = nil
	}
	for s := range n.sessions {
		s.drop("node killed")
	}
	n.mu.Unlock()
	n.wg.Wait()
}

// Restart kills the node if it runs and listens again on the same address.
func (n *Node) Restart(ctx context.Context) error {
	n.Kill()
	n.frozen.Store(false)
	return n.listen(ctx, n.Addr())
}

// dropSessions ends every session with reason, keeping the listener.
func (n *Node) dropSessions(reason string) {
	n.mu.Lock()
	for s := range n.sessions {
		s.drop(reason)
	}
	n.mu.Unlock()
}

func (n *Node) recordDrop(s *session, reason string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.sessions, s)
	n.drops = append(n.drops, s.remote+": "+reason)
	if len(n.drops) > 100 {
		n.drops = n.drops[len(n.drops)-100:]
	}
}

// altMul makes the different-call-ID mode a bijection: IDs are the call number times an odd
// constant modulo 2^64, printed in decimal, and map back by the multiplicative inverse.
const altMul uint64 = 0x9E3779B97F4A7C15

var altInv = func() uint64 {
	inv := altMul
	for range 6 {
		inv *= 2 - altMul*inv
	}
	return inv
}()

// WireCallID returns the call ID this node reports for a canonical call ID.
func (n *Node) WireCallID(canonical string) string {
	num, ok := parseCallID(canonical)
	if !ok || !n.altIDs.Load() {
		return canonical
	}
	return strconv.FormatUint(num*altMul, 10)
}

func (n *Node) wireCallID(c *call) string {
	if n.altIDs.Load() {
		return strconv.FormatUint(c.num*altMul, 10)
	}
	return c.id
}

func (n *Node) canonicalCallID(wire string) (uint64, bool) {
	if n.altIDs.Load() {
		v, err := strconv.ParseUint(wire, 10, 64)
		return v * altInv, err == nil
	}
	return parseCallID(wire)
}
