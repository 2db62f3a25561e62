package tspcore

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"slices"
	"strconv"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// Call-centre agents (TAPI 2.x lineSetAgentState, lineGetAgentStatus, lineGetAgentCaps).
// The TSPI has no agent functions: TAPI hands those requests to the application that
// registered for them as proxy (LINEOPENOPTION_PROXY), as LINE_PROXYREQUEST with a
// LINEPROXYREQUEST. A TSP with agent support ships that proxy and lets it pass each request
// on through lineDevSpecific; ProxyRequest is that entry (TSPI_lineDevSpecific), and the
// proxy answers the application with lineProxyResponse once the request completes. Agent
// state changes reach TAPI as LINE_AGENTSTATUS from the provider's LINEEVENT.
//
// TAPI 2 gives a line's address one agent state and a list of the groups the agent is logged
// on to; the bridge keeps a state per ACD group. The address's state is the most engaged
// state among the logged-on groups (busy, then wrap-up, ready, not ready), its next state
// that group's pending state.

// settableAgentStates are the LINEAGENTSTATE_* values lineSetAgentState may ask for, each
// with the bridge's setAgentState request.
var settableAgentStates = map[tapi.AgentState]string{
	tapi.LINEAGENTSTATE_LOGGEDOFF: "loggedOff", tapi.LINEAGENTSTATE_NOTREADY: "notReady",
	tapi.LINEAGENTSTATE_READY: "ready", tapi.LINEAGENTSTATE_WORKINGAFTERCALL: "workingAfterCall",
}

const settableMask = tapi.LINEAGENTSTATE_LOGGEDOFF | tapi.LINEAGENTSTATE_NOTREADY |
	tapi.LINEAGENTSTATE_READY | tapi.LINEAGENTSTATE_WORKINGAFTERCALL

// agentRank orders states by engagement for the address's single state.
func agentRank(s tapi.AgentState) int {
	switch s {
	case tapi.LINEAGENTSTATE_BUSYACD, tapi.LINEAGENTSTATE_BUSYINCOMING, tapi.LINEAGENTSTATE_BUSYOUTBOUND,
		tapi.LINEAGENTSTATE_BUSYOTHER:
		return 6
	case tapi.LINEAGENTSTATE_WORKINGAFTERCALL:
		return 5
	case tapi.LINEAGENTSTATE_READY:
		return 4
	case tapi.LINEAGENTSTATE_NOTREADY:
		return 3
	case tapi.LINEAGENTSTATE_UNKNOWN:
		return 2
	case tapi.LINEAGENTSTATE_UNAVAIL:
		return 1
	}
	return 0
}

// agentSummary is a line's agent status as LINEAGENTSTATUS has it.
type agentSummary struct {
	state, next tapi.AgentState
	groups      []string // logged on, sorted
}

func summarize(agents []tapi.AgentStatus) agentSummary {
	s := agentSummary{state: tapi.LINEAGENTSTATE_LOGGEDOFF}
	best := -1
	for _, a := range agents {
		if a.State == 0 || a.State == tapi.LINEAGENTSTATE_LOGGEDOFF {
			continue
		}
		s.groups = append(s.groups, a.Group)
		if r := agentRank(a.State); r > best || (r == best && s.next == 0) {
			best, s.state, s.next = r, a.State, a.NextState
		}
	}
	slices.Sort(s.groups)
	return s
}

// changes returns the LINEAGENTSTATUS_* bits of what differs from o.
func (s agentSummary) changes(o agentSummary) uint32 {
	var f uint32
	if !slices.Equal(s.groups, o.groups) {
		f |= LINEAGENTSTATUS_GROUP
	}
	if s.state != o.state {
		f |= LINEAGENTSTATUS_STATE
	}
	if s.next != o.next {
		f |= LINEAGENTSTATUS_NEXTSTATE
	}
	return f
}

// agentEvent takes a LINE_AGENTSTATUS of the bridge into the line's record.
func (p *Provider) agentEvent(l *line, a tapi.AgentStatus) {
	before := summarize(l.state.Agents)
	l.state.Agents = slices.Clone(l.state.Agents) // the record may share its slice with the mirror
	l.state.SetAgent(a)
	p.reportAgent(l, before)
}

// reportAgent sends LINE_AGENTSTATUS when the line's agent status differs from before:
// dwParam1 the address ID, dwParam2 the LINEAGENTSTATUS_* bits, dwParam3 the new dwState
// when it changed.
func (p *Provider) reportAgent(l *line, before agentSummary) {
	after := summarize(l.state.Agents)
	f := before.changes(after)
	if f == 0 {
		return
	}
	var p3 uintptr
	if f&LINEAGENTSTATUS_STATE != 0 {
		p3 = uintptr(after.state)
	}
	p.lineEvent(l, 0, LINE_AGENTSTATUS, 0, uintptr(f), p3)
}

// agentLine returns the open line for an agent request on address addressID.
func (p *Provider) agentLine(hd HDRVLINE, addressID uint32) (*line, error) {
	l, err := p.lineByHandle(hd)
	if err != nil {
		return nil, err
	}
	if addressID != 0 {
		return nil, lineErr(tapi.LINEERR_INVALADDRESSID, "address ID %d: a bridge line has address 0 only", addressID)
	}
	return l, nil
}

// AgentCaps fills a LINEAGENTCAPS (lineGetAgentCaps, LINEPROXYREQUEST_GETAGENTCAPS).
func (p *Provider) AgentCaps(hd HDRVLINE, addressID, version uint32, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.agentLine(hd, addressID)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineAgentCapsLayout, buf, version)
	if err != nil {
		return err
	}
	w.str("dwAgentHandlerInfo", "ctibridge TSP, PBX "+l.info.PBX)
	w.set("dwCapsVersion", version)
	if l.info.Control {
		w.set("dwFeatures", LINEAGENTFEATURE_SETAGENTSTATE)
		w.set("dwStates", uint32(settableMask))
		w.set("dwNextStates", uint32(settableMask))
	}
	// No lineSetAgentGroup: the PBX's configuration says which groups an agent belongs to.
	w.set("dwMaxNumGroupEntries", 0)
	w.set("dwAgentStatusMessages", LINEAGENTSTATUS_GROUP|LINEAGENTSTATUS_STATE|LINEAGENTSTATUS_NEXTSTATE)
	w.finish()
	return nil
}

// AgentStatus fills a LINEAGENTSTATUS (lineGetAgentStatus, LINEPROXYREQUEST_GETAGENTSTATUS):
// the groups the agent is logged on to (LINEAGENTGROUPENTRY, the group number as name),
// the address's state and next state.
func (p *Provider) AgentStatus(hd HDRVLINE, addressID, version uint32, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.agentLine(hd, addressID)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineAgentStatusLayout, buf, version)
	if err != nil {
		return err
	}
	s := summarize(l.state.Agents)
	w.set("dwNumEntries", uint32(len(s.groups)))
	if len(s.groups) > 0 {
		// The entries and, after them, their names, as one part: names are addressed from
		// the start of the LINEAGENTSTATUS, so they are placed together or not at all.
		start := (w.needed + 3) &^ 3
		el := lineAgentGroupEntryLayout
		size := el.fixedSize(0)
		entries, names := make([]byte, size*len(s.groups)), []byte{}
		for i, g := range s.groups {
			e := entries[i*size:]
			id := groupID(l.info.PBX, g)
			for k, name := range []string{"dwGroupID1", "dwGroupID2", "dwGroupID3", "dwGroupID4"} {
				binary.LittleEndian.PutUint32(e[el.offset[name]:], id[k])
			}
			for len(names)%4 != 0 {
				names = append(names, 0)
			}
			name := utf16z(g)
			binary.LittleEndian.PutUint32(e[el.offset["dwNameSize"]:], uint32(len(name)))
			binary.LittleEndian.PutUint32(e[el.offset["dwNameOffset"]:], uint32(start+len(entries)+len(names)))
			names = append(names, name...)
		}
		chunk := append(entries, names...)
		if at, ok := w.place(chunk); ok {
			w.set("dwGroupListSize", uint32(size*len(s.groups)))
			w.set("dwGroupListOffset", uint32(at))
		}
	}
	w.set("dwState", uint32(s.state))
	w.set("dwNextState", uint32(s.next))
	if l.info.Control {
		w.set("dwAgentFeatures", LINEAGENTFEATURE_SETAGENTSTATE)
		w.set("dwValidStates", uint32(settableMask))
		w.set("dwValidNextStates", uint32(settableMask))
	}
	w.finish()
	return nil
}

// groupID is a LINEAGENTGROUPENTRY's GroupID: the group number when it is numeric (else a
// hash of it), then a hash of the PBX's name, so that groups of two PBXs differ.
func groupID(pbx, group string) [4]uint32 {
	var id [4]uint32
	if n, err := strconv.ParseUint(group, 10, 32); err == nil {
		id[0] = uint32(n)
	} else {
		h := fnv.New32a()
		_, _ = h.Write([]byte(group))
		id[0] = h.Sum32()
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(pbx))
	id[1] = h.Sum32()
	return id
}

// SetAgentState asks the PBX for an agent state at the line (lineSetAgentState,
// LINEPROXYREQUEST_SETAGENTSTATE) in every group the agent is logged on to. An agent
// logged on nowhere is logged on to all its groups first: TAPI 2 has no log-on state, leaving
// LOGGEDOFF is how an application logs an agent on. The bridge keeps one requested state: a
// next state alone is asked for as the state (the PBX holds it as pending while the agent
// is busy); dwAgentState and a different dwNextAgentState together are refused.
func (p *Provider) SetAgentState(requestID uint32, hd HDRVLINE, addressID, state, next uint32) error {
	target, err := agentTarget(tapi.AgentState(state), tapi.AgentState(next))
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.agentLine(hd, addressID)
	if err != nil {
		return err
	}
	if err := p.controllable(l, "lineSetAgentState"); err != nil {
		return err
	}
	name, groups := l.info.Name, summarize(l.state.Agents).groups
	p.run(requestID, func(ctx context.Context, cl *client.Client) (tapi.CallHandle, error) {
		return "", setAgent(ctx, cl, name, groups, target)
	}, nil)
	return nil
}

func setAgent(ctx context.Context, cl *client.Client, line string, loggedOn []string, target tapi.AgentState) error {
	req := settableAgentStates[target]
	switch {
	case target == tapi.LINEAGENTSTATE_LOGGEDOFF:
		return cl.SetAgentState(ctx, line, "", req, "")
	case len(loggedOn) == 0:
		if err := cl.SetAgentState(ctx, line, "", "loggedOn", ""); err != nil || target == tapi.LINEAGENTSTATE_NOTREADY {
			return err // logged on is not ready
		}
		return cl.SetAgentState(ctx, line, "", req, "")
	}
	for _, g := range loggedOn {
		if err := cl.SetAgentState(ctx, line, g, req, ""); err != nil {
			return err
		}
	}
	return nil
}

// agentTarget is the one state a lineSetAgentState asks the bridge for.
func agentTarget(state, next tapi.AgentState) (tapi.AgentState, error) {
	for _, s := range []tapi.AgentState{state, next} {
		if _, ok := settableAgentStates[s]; s != 0 && !ok {
			return 0, lineErr(tapi.LINEERR_INVALAGENTSTATE, "agent state %#x: give one of LOGGEDOFF, NOTREADY, READY, WORKINGAFTERCALL", uint32(s))
		}
	}
	switch {
	case state == 0 && next == 0:
		return 0, lineErr(tapi.LINEERR_INVALAGENTSTATE, "neither dwAgentState nor dwNextAgentState given")
	case state == 0:
		return next, nil
	case next != 0 && next != state:
		return 0, lineErr(tapi.LINEERR_INVALAGENTSTATE,
			"dwAgentState %s with dwNextAgentState %s: the bridge takes one requested state (give dwNextAgentState 0)", state, next)
	}
	return state, nil
}

// ProxyRequest carries out a LINEPROXYREQUEST an agent proxy passed on with lineDevSpecific
// (TSPI_lineDevSpecific with the request as lpParams). GETAGENTCAPS and GETAGENTSTATUS fill
// the structure inside req (TAPI copies lpParams back to the proxy when the request
// completes); SETAGENTSTATE completes once the PBX answered. Other request types are
// LINEERR_OPERATIONUNAVAIL.
func (p *Provider) ProxyRequest(requestID uint32, hd HDRVLINE, req []byte) error {
	pl := lineProxyRequestLayout
	get := func(name string) uint32 { return binary.LittleEndian.Uint32(req[pl.offset[name]:]) }
	if len(req) < proxyPayload {
		return lineErr(tapi.LINEERR_STRUCTURETOOSMALL, "LINEPROXYREQUEST of %d bytes: want at least %d", len(req), proxyPayload)
	}
	if size := get("dwSize"); size < uint32(proxyPayload) || size > uint32(len(req)) {
		return lineErr(tapi.LINEERR_INVALPARAM, "LINEPROXYREQUEST dwSize %d: want %d to the %d bytes given", size, proxyPayload, len(req))
	}
	req = req[:get("dwSize")]
	version := min(max(get("dwClientAppAPIVersion"), TAPI_VERSION2_0), MaxTSPIVersion)
	addr := get("dwAddressID")
	var err error
	switch t := get("dwRequestType"); t {
	case LINEPROXYREQUEST_SETAGENTSTATE:
		if len(req) < pl.fixedSize(0) {
			return lineErr(tapi.LINEERR_STRUCTURETOOSMALL, "LINEPROXYREQUEST_SETAGENTSTATE of %d bytes: want %d", len(req), pl.fixedSize(0))
		}
		return p.SetAgentState(requestID, hd, addr, get("dwAgentState"), get("dwNextAgentState"))
	case LINEPROXYREQUEST_GETAGENTCAPS:
		err = p.AgentCaps(hd, addr, version, req[proxyPayload:])
	case LINEPROXYREQUEST_GETAGENTSTATUS:
		err = p.AgentStatus(hd, addr, version, req[proxyPayload:])
	default:
		return lineErr(tapi.LINEERR_OPERATIONUNAVAIL, "proxy request type %d is not handled (SETAGENTSTATE, GETAGENTCAPS and GETAGENTSTATUS are)", t)
	}
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.complete(requestID, nil)
	return nil
}
