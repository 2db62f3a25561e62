package pbxsim

import (
	"sort"

	"github.com/ctibridge/ctibridge/csta"
)

// Truth is the switch's own view of every device and call, for comparing with what the bridge
// believes. Call IDs are canonical (the primary node's numbering).
type Truth struct {
	Devices []DeviceTruth `json:"devices"`
	Calls   []CallTruth   `json:"calls"`
	Agents  []AgentTruth  `json:"agents,omitempty"` // ACD agent positions, see truth_agents.go
	Groups  []GroupTruth  `json:"groups,omitempty"` // hunt groups' queue figures
}

// DeviceTruth is one device's settings and connections.
type DeviceTruth struct {
	Number      string        `json:"number"`
	Kind        string        `json:"kind"` // extension, huntGroup, external
	DND         bool          `json:"dnd,omitempty"`
	Busy        bool          `json:"busy,omitempty"`
	Forwards    []ForwardInfo `json:"forwards,omitempty"`
	Connections []ConnTruth   `json:"connections,omitempty"`
	Monitors    int           `json:"monitors,omitempty"`
	Queued      int           `json:"queued,omitempty"` // hunt groups: calls waiting
}

// ForwardInfo is one active forwarding setting.
type ForwardInfo struct {
	Type      csta.ForwardingType `json:"type"`
	To        string              `json:"to"`
	RingCount int                 `json:"ringCount,omitempty"`
}

// ConnTruth is a device's connection to a call.
type ConnTruth struct {
	CallID string                    `json:"callID"`
	State  csta.LocalConnectionState `json:"state"`
}

// CallTruth is one call and its parties in joining order.
type CallTruth struct {
	ID           string       `json:"id"`
	Calling      string       `json:"calling"`
	Called       string       `json:"called"`
	LastRedirect string       `json:"lastRedirect,omitempty"`
	Parties      []PartyTruth `json:"parties"`
}

// PartyTruth is one device in a call.
type PartyTruth struct {
	Device string                    `json:"device"`
	State  csta.LocalConnectionState `json:"state"`
}

var kindNames = map[devKind]string{kindExtension: "extension", kindHunt: "huntGroup", kindExternal: "external"}

// Truth returns a snapshot of every device and call, sorted by number and call ID.
func (p *PBX) Truth() Truth {
	p.mu.Lock()
	defer p.mu.Unlock()
	t := Truth{Devices: make([]DeviceTruth, 0, len(p.devices)), Calls: make([]CallTruth, 0, len(p.calls))}
	for _, d := range p.devices {
		t.Devices = append(t.Devices, deviceTruth(d))
	}
	for _, c := range p.calls {
		ct := CallTruth{ID: c.id, Calling: c.calling, Called: c.called, LastRedirect: c.lastRedirect}
		for _, cn := range c.conns {
			ct.Parties = append(ct.Parties, PartyTruth{Device: cn.dev.number, State: cn.state})
		}
		t.Calls = append(t.Calls, ct)
	}
	t.Agents = p.agentTruths()
	for _, h := range p.hunts {
		t.Groups = append(t.Groups, groupTruth(h))
	}
	sort.Slice(t.Groups, func(i, j int) bool { return t.Groups[i].Number < t.Groups[j].Number })
	sort.Slice(t.Devices, func(i, j int) bool { return t.Devices[i].Number < t.Devices[j].Number })
	sort.Slice(t.Calls, func(i, j int) bool { return t.Calls[i].ID < t.Calls[j].ID })
	return t
}

// Device returns one device's truth; false when the number is unknown.
func (p *PBX) Device(number string) (DeviceTruth, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.devices[number]
	if d == nil {
		return DeviceTruth{}, false
	}
	return deviceTruth(d), true
}

// Call returns one call's truth by canonical ID; false when it does not exist.
func (p *PBX) Call(id string) (CallTruth, bool) {
	num, ok := parseCallID(id)
	if !ok {
		return CallTruth{}, false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.calls[num]
	if c == nil {
		return CallTruth{}, false
	}
	ct := CallTruth{ID: c.id, Calling: c.calling, Called: c.called, LastRedirect: c.lastRedirect}
	for _, cn := range c.conns {
		ct.Parties = append(ct.Parties, PartyTruth{Device: cn.dev.number, State: cn.state})
	}
	return ct, true
}

func deviceTruth(d *device) DeviceTruth {
	dt := DeviceTruth{
		Number:   d.number,
		Kind:     kindNames[d.kind],
		DND:      d.dnd,
		Busy:     d.busy,
		Monitors: len(d.monitors),
		Queued:   len(d.queue),
	}
	for _, ft := range forwardTypes {
		if f := d.forwards[ft]; f.on {
			dt.Forwards = append(dt.Forwards, ForwardInfo{Type: ft, To: f.dn, RingCount: f.ringCount})
		}
	}
	for _, cn := range d.conns {
		dt.Connections = append(dt.Connections, ConnTruth{CallID: cn.call.id, State: cn.state})
	}
	return dt
}
