package cti

import (
	"maps"
	"sync"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Node roles.
const (
	rolePrimary = "primary"
	roleStandby = "standby"
)

// Node statuses in NodeInfo.
const (
	nodeUp         = "up"
	nodeDown       = "down"
	nodeConnecting = "connecting"
	nodeStandby    = "standby" // reachable or not yet tried, not carrying traffic
)

// node is one configured PBX node.
type node struct {
	role string
	addr string
}

// linkStatus is what LinkInfo reports of one PBX, updated by the supervisor (owner) or from
// the log's BRIDGE_* events (follower).
type linkStatus struct {
	mu        sync.Mutex
	owner     string
	ownedHere bool
	active    int // node index, -1 when none
	nodes     []NodeInfo
	last      *SwitchoverInfo
	repairs   map[string]uint64        // line repairs by reason, since the process started
	problems  map[string]*problemCount // non-fatal CSTA protocol problems by class
	// unmonitored: devices of the current link the switch would not monitor, with why.
	unmonitored map[string]string
}

func newLinkStatus(nodes []node) *linkStatus {
	s := &linkStatus{active: -1}
	for _, n := range nodes {
		s.nodes = append(s.nodes, NodeInfo{Role: n.role, Address: n.addr, Status: nodeStandby})
	}
	return s
}

func (s *linkStatus) setOwner(owner string, here bool) {
	s.mu.Lock()
	s.owner, s.ownedHere = owner, here
	s.mu.Unlock()
}

// setNode records a node's status; up makes it the active node, and an active node that
// goes down leaves the link without one.
func (s *linkStatus) setNode(i int, status string, errText string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.nodes) {
		return
	}
	n := &s.nodes[i]
	if n.Status != status {
		n.Since = time.Now()
	}
	n.Status = status
	if errText != "" {
		n.LastError = errText
	}
	switch {
	case status == nodeUp:
		s.active = i
		n.Misses = 0
	case s.active == i:
		s.active = -1
	}
}

func (s *linkStatus) heartbeat(i int, rtt time.Duration, misses int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < 0 || i >= len(s.nodes) {
		return
	}
	s.nodes[i].Heartbeat++
	s.nodes[i].Misses = misses
	if misses == 0 {
		s.nodes[i].LastRTT = rtt
	}
}

func (s *linkStatus) switched(info SwitchoverInfo) {
	s.mu.Lock()
	s.last = &info
	s.mu.Unlock()
}

func (s *linkStatus) repaired(reason string) {
	s.mu.Lock()
	if s.repairs == nil {
		s.repairs = map[string]uint64{}
	}
	s.repairs[reason]++
	s.mu.Unlock()
}

func (s *linkStatus) resyncTook(d time.Duration) {
	s.mu.Lock()
	if s.last != nil {
		s.last.ResyncTook = d
	}
	s.mu.Unlock()
}

// follow updates a follower's picture from the owner's BRIDGE_* events.
func (s *linkStatus) follow(ev tapi.Event) {
	switch {
	case ev.Type == tapi.BridgeLinkStatus && ev.Link != nil:
		for i, n := range s.snapshotNodes() {
			if n.Role == ev.Link.Node {
				s.setNode(i, ev.Link.Status, ev.Link.Reason)
			}
		}
	case ev.Type == tapi.BridgeSwitchover && ev.Switch != nil:
		s.switched(SwitchoverInfo{From: ev.Switch.From, To: ev.Switch.To, Reason: ev.Switch.Reason, At: ev.Time})
	}
}

func (s *linkStatus) snapshotNodes() []NodeInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]NodeInfo(nil), s.nodes...)
}

func (s *linkStatus) info(pbx string, cfg PBXConfig) LinkInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	li := LinkInfo{PBX: pbx, Owner: s.owner, OwnedHere: s.ownedHere,
		Nodes: append([]NodeInfo(nil), s.nodes...), Failback: string(cfg.Failback), Resync: string(cfg.Resync)}
	if s.active >= 0 {
		li.Active = s.nodes[s.active].Role
	}
	if s.last != nil {
		c := *s.last
		li.LastSwitchover = &c
	}
	if len(s.repairs) > 0 {
		li.Repairs = maps.Clone(s.repairs)
	}
	if n, why := s.unmonitoredLocked(); n > 0 {
		li.Unmonitored, li.UnmonitoredReason = n, why
		li.UnmonitoredHint = monitorHint(why, cfg.Dialect)
	}
	for class, pc := range s.problems {
		if li.ProtocolErrors == nil {
			li.ProtocolErrors = map[string]uint64{}
		}
		li.ProtocolErrors[class] = pc.total
	}
	return li
}
