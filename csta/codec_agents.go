package csta

import "bytes"

// XML encoding and decoding of the logical device agent services and events (ECMA-323 §22).

func init() {
	reg := func(f func() xmlMessage) { register([]string{f().MessageName()}, f) }
	reg(func() xmlMessage { return &SetAgentState{} })
	reg(func() xmlMessage { return &SetAgentStateResponse{} })
	reg(func() xmlMessage { return &GetAgentState{} })
	reg(func() xmlMessage { return &GetAgentStateResponse{} })
	for _, k := range AgentEventKinds() {
		register([]string{k + "Event"}, func() xmlMessage { return &AgentStateEvent{Kind: k} })
	}
	internNames("requestedAgentState", "password", "group", "pendingAgentState", "acdGroup",
		"agentStateList", "agentStateEntry", "loggedOnState", "loggedOn", "agentInfo",
		"agentInfoItem", "agentState", "agentDevice", "agentID", "reasonCode",
		"AgentNotReadyReasonValue")
}

// reasonElems are the private data elements a reason code is read from: the simulator's own
// reasonCode, and BroadWorks' AgentNotReadyReasonValue.
var reasonElems = []string{"reasonCode", "AgentNotReadyReasonValue"}

// reasonExtension returns ext with the reason code added as private data, unless ext already
// carries one (a decoded event keeps its raw extensions, which hold the code it was read from).
func reasonExtension(ext []byte, code string) []byte {
	if code == "" {
		return ext
	}
	for _, name := range reasonElems {
		if bytes.Contains(ext, []byte(name)) {
			return ext
		}
	}
	var e encoder
	e.open("privateData")
	e.open("private")
	e.leafAlways("reasonCode", code)
	e.close("private")
	e.close("privateData")
	if len(ext) == 0 {
		out := append([]byte("<extensions>"), e.b...)
		return append(out, "</extensions>"...)
	}
	// insert before the closing tag of <extensions>, whatever its prefix
	i := bytes.LastIndex(ext, []byte("</"))
	if i < 0 {
		return ext
	}
	out := append(append([]byte(nil), ext[:i]...), e.b...)
	return append(out, ext[i:]...)
}

// reasonOf reads a reason code from the <extensions> child of n, "" when there is none.
func (d *xdoc) reasonOf(n int32) string {
	ext := d.child(n, "extensions")
	if ext < 0 {
		return ""
	}
	for _, name := range reasonElems {
		if r := d.descendant(ext, name); r >= 0 {
			return d.textOf(r)
		}
	}
	return ""
}

func (m *SetAgentState) encodeXML(e *encoder) {
	e.device("device", m.Device)
	e.leafAlways("requestedAgentState", string(m.RequestedAgentState))
	e.leaf("agentID", m.AgentID)
	e.leaf("password", m.Password)
	e.device("group", m.Group)
	e.b = append(e.b, reasonExtension(nil, m.ReasonCode)...)
}

func (m *SetAgentState) decodeXML(d *xdoc, root int32) error {
	err := d.fields(root, func(name string, n int32) error {
		switch name {
		case "device":
			m.Device = d.device(n)
		case "requestedAgentState":
			m.RequestedAgentState = RequestedAgentState(d.textOf(n))
		case "agentID":
			m.AgentID = d.textOf(n)
		case "password":
			m.Password = d.textOf(n)
		case "group":
			m.Group = d.device(n)
		}
		return nil
	})
	m.ReasonCode = d.reasonOf(root)
	return err
}

func (m *SetAgentStateResponse) encodeXML(e *encoder) {
	e.leaf("pendingAgentState", string(m.PendingAgentState))
}

func (m *SetAgentStateResponse) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "pendingAgentState"); n >= 0 {
		m.PendingAgentState = AgentState(d.textOf(n))
	}
	return nil
}

func (m *GetAgentState) encodeXML(e *encoder) {
	e.device("device", m.Device)
	e.device("acdGroup", m.ACDGroup)
}

func (m *GetAgentState) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "device"); n >= 0 {
		m.Device = d.device(n)
	}
	if n := d.child(root, "acdGroup"); n >= 0 {
		m.ACDGroup = d.device(n)
	}
	return nil
}

func (m *GetAgentStateResponse) encodeXML(e *encoder) {
	e.open("agentStateList")
	for _, a := range m.Agents {
		e.open("agentStateEntry")
		e.leaf("agentID", a.AgentID)
		e.boolLeaf("loggedOnState", a.LoggedOn)
		if len(a.Info) > 0 {
			e.open("agentInfo")
			for _, in := range a.Info {
				e.open("agentInfoItem")
				e.device("acdGroup", in.ACDGroup)
				e.leafAlways("agentState", string(in.State))
				e.leaf("pendingAgentState", string(in.Pending))
				e.close("agentInfoItem")
			}
			e.close("agentInfo")
		}
		e.close("agentStateEntry")
	}
	e.close("agentStateList")
}

// decodeXML reads each child of agentStateList as an entry and each child of agentInfo as an
// item, whatever their names: the wrapper names agentStateEntry and agentInfoItem are read from
// the standard, not from a capture. An agentInfo that holds agentState itself is one item.
func (m *GetAgentStateResponse) decodeXML(d *xdoc, root int32) error {
	list := d.descendant(root, "agentStateList")
	if list < 0 {
		return nil
	}
	for en := d.nodes[list].first; en >= 0; en = d.nodes[en].next {
		var a AgentStateEntry
		for c := d.nodes[en].first; c >= 0; c = d.nodes[c].next {
			switch d.nodes[c].local {
			case "agentID":
				a.AgentID = d.textOf(c)
			case "loggedOnState", "loggedOn": // ECMA-323 and ECMA-285 spellings
				a.LoggedOn = d.boolOf(c)
			case "agentInfo":
				if d.child(c, "agentState") >= 0 {
					a.Info = append(a.Info, d.agentInfo(c))
					continue
				}
				for it := d.nodes[c].first; it >= 0; it = d.nodes[it].next {
					a.Info = append(a.Info, d.agentInfo(it))
				}
			}
		}
		m.Agents = append(m.Agents, a)
	}
	return nil
}

func (d *xdoc) agentInfo(n int32) AgentInfo {
	var in AgentInfo
	for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
		switch d.nodes[c].local {
		case "acdGroup":
			in.ACDGroup = d.device(c)
		case "agentState":
			in.State = AgentState(d.textOf(c))
		case "pendingAgentState":
			in.Pending = AgentState(d.textOf(c))
		}
	}
	return in
}

func (m *AgentStateEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("agentDevice", m.AgentDevice)
	e.leaf("agentID", m.AgentID)
	e.device("acdGroup", m.ACDGroup)
	e.leaf("pendingAgentState", string(m.PendingAgentState))
	e.leaf("localConnectionInfo", string(m.LocalConnectionInfo))
	e.leaf("cause", string(m.Cause))
	e.b = append(e.b, reasonExtension(m.Extensions, m.ReasonCode)...)
}

func (m *AgentStateEvent) decodeXML(d *xdoc, root int32) error {
	err := d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "agentDevice":
			m.AgentDevice = d.device(n)
		case "agentID":
			m.AgentID = d.textOf(n)
		case "acdGroup":
			m.ACDGroup = d.device(n)
		case "pendingAgentState":
			m.PendingAgentState = AgentState(d.textOf(n))
		}
		return nil
	})
	m.ReasonCode = d.reasonOf(root)
	return err
}
