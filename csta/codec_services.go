package csta

// XML encoding and decoding of the ECMA-269 service requests and responses (ECMA-323 §12-§22).

func init() {
	reg := func(f func() xmlMessage) { register([]string{f().MessageName()}, f) }
	reg(func() xmlMessage { return &MonitorStart{} })
	reg(func() xmlMessage { return &MonitorStartResponse{} })
	reg(func() xmlMessage { return &MonitorStop{} })
	reg(func() xmlMessage { return &MonitorStopResponse{} })
	reg(func() xmlMessage { return &SnapshotDevice{} })
	reg(func() xmlMessage { return &SnapshotDeviceResponse{} })
	reg(func() xmlMessage { return &SnapshotCall{} })
	reg(func() xmlMessage { return &SnapshotCallResponse{} })
	reg(func() xmlMessage { return &MakeCall{} })
	reg(func() xmlMessage { return &MakeCallResponse{} })
	reg(func() xmlMessage { return &AnswerCall{} })
	reg(func() xmlMessage { return &AnswerCallResponse{} })
	reg(func() xmlMessage { return &ClearConnection{} })
	reg(func() xmlMessage { return &ClearConnectionResponse{} })
	reg(func() xmlMessage { return &HoldCall{} })
	reg(func() xmlMessage { return &HoldCallResponse{} })
	reg(func() xmlMessage { return &RetrieveCall{} })
	reg(func() xmlMessage { return &RetrieveCallResponse{} })
	reg(func() xmlMessage { return &ConsultationCall{} })
	reg(func() xmlMessage { return &ConsultationCallResponse{} })
	reg(func() xmlMessage { return &TransferCall{} })
	reg(func() xmlMessage { return &TransferCallResponse{} })
	reg(func() xmlMessage { return &ConferenceCall{} })
	reg(func() xmlMessage { return &ConferenceCallResponse{} })
	reg(func() xmlMessage { return &SingleStepTransferCall{} })
	reg(func() xmlMessage { return &SingleStepTransferCallResponse{} })
	reg(func() xmlMessage { return &DeflectCall{} })
	reg(func() xmlMessage { return &DeflectCallResponse{} })
	reg(func() xmlMessage { return &DirectedPickupCall{} })
	reg(func() xmlMessage { return &DirectedPickupCallResponse{} })
	reg(func() xmlMessage { return &GroupPickupCall{} })
	reg(func() xmlMessage { return &GroupPickupCallResponse{} })
	reg(func() xmlMessage { return &GenerateDigits{} })
	reg(func() xmlMessage { return &GenerateDigitsResponse{} })
	reg(func() xmlMessage { return &SetForwarding{} })
	reg(func() xmlMessage { return &SetForwardingResponse{} })
	reg(func() xmlMessage { return &GetForwarding{} })
	reg(func() xmlMessage { return &GetForwardingResponse{} })
	reg(func() xmlMessage { return &SetDoNotDisturb{} })
	reg(func() xmlMessage { return &SetDoNotDisturbResponse{} })
	reg(func() xmlMessage { return &SystemStatus{} })
	reg(func() xmlMessage { return &SystemStatusResponse{} })
	reg(func() xmlMessage { return &SystemRegister{} })
	reg(func() xmlMessage { return &SystemRegisterResponse{} })
	internNames("monitorObject", "snapshotObject", "crossRefIDorSnapshotData", "snapshotData",
		"snapshotDeviceResponseInfo", "connectionIdentifier", "localCallState",
		"compoundCallState", "localConnectionState", "snapshotCallResponseInfo", "deviceOnCall",
		"callIdentifier", "calledDirectoryNumber", "autoOriginate", "correlatorData",
		"callToBeAnswered", "connectionToBeCleared", "callToBeHeld", "callToBeRetrieved",
		"existingCall", "consultedDevice", "initiatedCall", "heldCall", "activeCall",
		"transferredCall", "conferenceCall", "transferredTo", "callToBeDiverted",
		"callToBePickedUp", "requestingDevice", "pickedCall", "pickGroup", "pickupDevice",
		"connectionToSendDigits", "charactersToSend", "activateForward", "forwardDN", "ringCount",
		"forwardingList", "forwardListItem")
}

// empty responses and requests without members.
func (*MonitorStopResponse) encodeXML(*encoder)               {}
func (*MonitorStopResponse) decodeXML(*xdoc, int32) error     { return nil }
func (*AnswerCallResponse) encodeXML(*encoder)                {}
func (*AnswerCallResponse) decodeXML(*xdoc, int32) error      { return nil }
func (*ClearConnectionResponse) encodeXML(*encoder)           {}
func (*ClearConnectionResponse) decodeXML(*xdoc, int32) error { return nil }
func (*HoldCallResponse) encodeXML(*encoder)                  {}
func (*HoldCallResponse) decodeXML(*xdoc, int32) error        { return nil }
func (*RetrieveCallResponse) encodeXML(*encoder)              {}
func (*RetrieveCallResponse) decodeXML(*xdoc, int32) error    { return nil }
func (*DeflectCallResponse) encodeXML(*encoder)               {}
func (*DeflectCallResponse) decodeXML(*xdoc, int32) error     { return nil }
func (*GenerateDigitsResponse) encodeXML(*encoder)            {}
func (*GenerateDigitsResponse) decodeXML(*xdoc, int32) error  { return nil }
func (*SetForwardingResponse) encodeXML(*encoder)             {}
func (*SetForwardingResponse) decodeXML(*xdoc, int32) error   { return nil }
func (*SetDoNotDisturbResponse) encodeXML(*encoder)           {}
func (*SetDoNotDisturbResponse) decodeXML(*xdoc, int32) error { return nil }
func (*SystemStatusResponse) encodeXML(*encoder)              {}
func (*SystemStatusResponse) decodeXML(*xdoc, int32) error    { return nil }
func (*SystemRegister) encodeXML(*encoder)                    {}
func (*SystemRegister) decodeXML(*xdoc, int32) error          { return nil }

func (m *MonitorStart) encodeXML(e *encoder) {
	e.open("monitorObject")
	e.device("deviceObject", m.MonitorObject)
	e.close("monitorObject")
}

func (m *MonitorStart) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "monitorObject"); n >= 0 {
		m.MonitorObject = d.device(n)
	}
	return nil
}

func (m *MonitorStartResponse) encodeXML(e *encoder) {
	e.leafAlways("monitorCrossRefID", string(m.MonitorCrossRefID))
}

func (m *MonitorStartResponse) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "monitorCrossRefID"); n >= 0 {
		m.MonitorCrossRefID = MonitorCrossRefID(d.textOf(n))
	}
	return nil
}

func (m *MonitorStop) encodeXML(e *encoder) {
	e.leafAlways("monitorCrossRefID", string(m.MonitorCrossRefID))
}

func (m *MonitorStop) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "monitorCrossRefID"); n >= 0 {
		m.MonitorCrossRefID = MonitorCrossRefID(d.textOf(n))
	}
	return nil
}

func (m *SnapshotDevice) encodeXML(e *encoder) { e.device("snapshotObject", m.SnapshotObject) }

func (m *SnapshotDevice) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "snapshotObject"); n >= 0 {
		m.SnapshotObject = d.device(n)
	}
	return nil
}

func (m *SnapshotDeviceResponse) encodeXML(e *encoder) {
	e.open("crossRefIDorSnapshotData")
	e.open("snapshotData")
	for _, it := range m.Items {
		e.open("snapshotDeviceResponseInfo")
		e.conn("connectionIdentifier", it.Connection)
		e.open("localCallState")
		e.open("compoundCallState")
		for _, s := range it.States {
			e.leafAlways("localConnectionState", string(s))
		}
		e.close("compoundCallState")
		e.close("localCallState")
		e.close("snapshotDeviceResponseInfo")
	}
	e.close("snapshotData")
	e.close("crossRefIDorSnapshotData")
}

func (m *SnapshotDeviceResponse) decodeXML(d *xdoc, root int32) error {
	d.eachDescendant(root, "snapshotDeviceResponseInfo", func(n int32) {
		var it SnapshotDeviceItem
		if c := d.child(n, "connectionIdentifier"); c >= 0 {
			it.Connection = d.connection(c)
		}
		if c := d.child(n, "localCallState"); c >= 0 {
			d.eachDescendant(c, "localConnectionState", func(s int32) {
				it.States = append(it.States, LocalConnectionState(d.textOf(s)))
			})
		}
		m.Items = append(m.Items, it)
	})
	return nil
}

func (m *SnapshotCall) encodeXML(e *encoder) { e.conn("snapshotObject", m.SnapshotObject) }

func (m *SnapshotCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "snapshotObject"); n >= 0 {
		m.SnapshotObject = d.connection(n)
	}
	return nil
}

func (m *SnapshotCallResponse) encodeXML(e *encoder) {
	e.open("crossRefIDorSnapshotData")
	e.open("snapshotData")
	for _, it := range m.Items {
		e.open("snapshotCallResponseInfo")
		e.subject("deviceOnCall", it.Device)
		e.conn("callIdentifier", it.Connection)
		e.leaf("localConnectionState", string(it.State))
		e.close("snapshotCallResponseInfo")
	}
	e.close("snapshotData")
	e.close("crossRefIDorSnapshotData")
}

func (m *SnapshotCallResponse) decodeXML(d *xdoc, root int32) error {
	d.eachDescendant(root, "snapshotCallResponseInfo", func(n int32) {
		var it SnapshotCallItem
		for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
			switch d.nodes[c].local {
			case "deviceOnCall":
				it.Device = d.device(c)
			case "callIdentifier":
				it.Connection = d.connection(c)
			case "localConnectionState":
				it.State = LocalConnectionState(d.textOf(c))
			}
		}
		m.Items = append(m.Items, it)
	})
	return nil
}

func (m *MakeCall) encodeXML(e *encoder) {
	e.device("callingDevice", m.CallingDevice)
	e.device("calledDirectoryNumber", m.CalledDirectoryNumber)
	e.leaf("autoOriginate", m.AutoOriginate)
	if m.CorrelatorData != "" {
		e.open("correlatorData")
		e.leafAlways("string", m.CorrelatorData)
		e.close("correlatorData")
	}
}

func (m *MakeCall) decodeXML(d *xdoc, root int32) error {
	return d.fields(root, func(name string, n int32) error {
		switch name {
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDirectoryNumber":
			m.CalledDirectoryNumber = d.device(n)
		case "autoOriginate":
			m.AutoOriginate = d.textOf(n)
		case "correlatorData":
			m.CorrelatorData = d.textOf(n)
			if c := d.nodes[n].first; c >= 0 {
				m.CorrelatorData = d.textOf(c)
			}
		}
		return nil
	})
}

func (m *MakeCallResponse) encodeXML(e *encoder) { e.conn("callingDevice", m.CallingDevice) }

func (m *MakeCallResponse) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "callingDevice"); n >= 0 {
		m.CallingDevice = d.connection(n)
	}
	return nil
}

// oneConnection is the shape of the many requests whose only member is a connection.
func oneConnection(d *xdoc, root int32, name string, dst *ConnectionID) error {
	if n := d.child(root, name); n >= 0 {
		*dst = d.connection(n)
	}
	return nil
}

func (m *AnswerCall) encodeXML(e *encoder) { e.conn("callToBeAnswered", m.CallToBeAnswered) }
func (m *AnswerCall) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "callToBeAnswered", &m.CallToBeAnswered)
}

func (m *ClearConnection) encodeXML(e *encoder) {
	e.conn("connectionToBeCleared", m.ConnectionToBeCleared)
}
func (m *ClearConnection) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "connectionToBeCleared", &m.ConnectionToBeCleared)
}

func (m *HoldCall) encodeXML(e *encoder) { e.conn("callToBeHeld", m.CallToBeHeld) }
func (m *HoldCall) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "callToBeHeld", &m.CallToBeHeld)
}

func (m *RetrieveCall) encodeXML(e *encoder) { e.conn("callToBeRetrieved", m.CallToBeRetrieved) }
func (m *RetrieveCall) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "callToBeRetrieved", &m.CallToBeRetrieved)
}

func (m *ConsultationCall) encodeXML(e *encoder) {
	e.conn("existingCall", m.ExistingCall)
	e.device("consultedDevice", m.ConsultedDevice)
}

func (m *ConsultationCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "consultedDevice"); n >= 0 {
		m.ConsultedDevice = d.device(n)
	}
	return oneConnection(d, root, "existingCall", &m.ExistingCall)
}

func (m *ConsultationCallResponse) encodeXML(e *encoder) { e.conn("initiatedCall", m.InitiatedCall) }
func (m *ConsultationCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "initiatedCall", &m.InitiatedCall)
}

func (m *TransferCall) encodeXML(e *encoder) {
	e.conn("heldCall", m.HeldCall)
	e.conn("activeCall", m.ActiveCall)
}

func (m *TransferCall) decodeXML(d *xdoc, root int32) error {
	_ = oneConnection(d, root, "heldCall", &m.HeldCall)
	return oneConnection(d, root, "activeCall", &m.ActiveCall)
}

func (m *TransferCallResponse) encodeXML(e *encoder) { e.conn("transferredCall", m.TransferredCall) }
func (m *TransferCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "transferredCall", &m.TransferredCall)
}

func (m *ConferenceCall) encodeXML(e *encoder) {
	e.conn("heldCall", m.HeldCall)
	e.conn("activeCall", m.ActiveCall)
}

func (m *ConferenceCall) decodeXML(d *xdoc, root int32) error {
	_ = oneConnection(d, root, "heldCall", &m.HeldCall)
	return oneConnection(d, root, "activeCall", &m.ActiveCall)
}

func (m *ConferenceCallResponse) encodeXML(e *encoder) { e.conn("conferenceCall", m.ConferenceCall) }
func (m *ConferenceCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "conferenceCall", &m.ConferenceCall)
}

func (m *SingleStepTransferCall) encodeXML(e *encoder) {
	e.conn("activeCall", m.ActiveCall)
	e.device("transferredTo", m.TransferredTo)
}

func (m *SingleStepTransferCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "transferredTo"); n >= 0 {
		m.TransferredTo = d.device(n)
	}
	return oneConnection(d, root, "activeCall", &m.ActiveCall)
}

func (m *SingleStepTransferCallResponse) encodeXML(e *encoder) {
	e.conn("transferredCall", m.TransferredCall)
}
func (m *SingleStepTransferCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "transferredCall", &m.TransferredCall)
}

func (m *DeflectCall) encodeXML(e *encoder) {
	e.conn("callToBeDiverted", m.CallToBeDiverted)
	e.device("newDestination", m.NewDestination)
}

func (m *DeflectCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "newDestination"); n >= 0 {
		m.NewDestination = d.device(n)
	}
	return oneConnection(d, root, "callToBeDiverted", &m.CallToBeDiverted)
}

func (m *DirectedPickupCall) encodeXML(e *encoder) {
	e.conn("callToBePickedUp", m.CallToBePickedUp)
	e.device("requestingDevice", m.RequestingDevice)
}

func (m *DirectedPickupCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "requestingDevice"); n >= 0 {
		m.RequestingDevice = d.device(n)
	}
	return oneConnection(d, root, "callToBePickedUp", &m.CallToBePickedUp)
}

func (m *DirectedPickupCallResponse) encodeXML(e *encoder) { e.conn("pickedCall", m.PickedCall) }
func (m *DirectedPickupCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "pickedCall", &m.PickedCall)
}

// GroupPickupCall encodes the group as pickGroup, the ECMA-285 ASN.1 member name that
// ECMA-323 follows; pickupDevice, which some switches write, decodes too.
func (m *GroupPickupCall) encodeXML(e *encoder) {
	e.device("newDestination", m.NewDestination)
	e.device("pickGroup", m.PickupDevice)
}

func (m *GroupPickupCall) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "newDestination"); n >= 0 {
		m.NewDestination = d.device(n)
	}
	if n := d.child(root, "pickGroup"); n >= 0 {
		m.PickupDevice = d.device(n)
	} else if n := d.child(root, "pickupDevice"); n >= 0 {
		m.PickupDevice = d.device(n)
	}
	return nil
}

func (m *GroupPickupCallResponse) encodeXML(e *encoder) { e.conn("pickedCall", m.PickedCall) }
func (m *GroupPickupCallResponse) decodeXML(d *xdoc, root int32) error {
	return oneConnection(d, root, "pickedCall", &m.PickedCall)
}

func (m *GenerateDigits) encodeXML(e *encoder) {
	e.conn("connectionToSendDigits", m.ConnectionToSendDigits)
	e.leafAlways("charactersToSend", m.CharactersToSend)
}

func (m *GenerateDigits) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "charactersToSend"); n >= 0 {
		m.CharactersToSend = d.textOf(n)
	}
	return oneConnection(d, root, "connectionToSendDigits", &m.ConnectionToSendDigits)
}

func (m *SetForwarding) encodeXML(e *encoder) {
	e.device("device", m.Device)
	e.leaf("forwardingType", string(m.ForwardingType))
	e.boolLeaf("activateForward", m.ActivateForward)
	e.device("forwardDN", m.ForwardDN)
	e.intLeaf("ringCount", m.RingCount)
}

func (m *SetForwarding) decodeXML(d *xdoc, root int32) error {
	return d.fields(root, func(name string, n int32) error {
		var err error
		switch name {
		case "device":
			m.Device = d.device(n)
		case "forwardingType":
			m.ForwardingType = ForwardingType(d.textOf(n))
		case "activateForward":
			m.ActivateForward = d.boolOf(n)
		case "forwardDN":
			m.ForwardDN = d.device(n)
		case "ringCount":
			m.RingCount, err = d.intOf(n, name)
		}
		return err
	})
}

func (m *GetForwarding) encodeXML(e *encoder) { e.device("device", m.Device) }

func (m *GetForwarding) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "device"); n >= 0 {
		m.Device = d.device(n)
	}
	return nil
}

func (m *GetForwardingResponse) encodeXML(e *encoder) {
	e.open("forwardingList")
	for _, f := range m.Forwards {
		e.open("forwardListItem")
		e.leaf("forwardingType", string(f.ForwardingType))
		e.boolLeaf("forwardStatus", f.ForwardStatus)
		e.device("forwardDN", f.ForwardDN)
		e.intLeaf("ringCount", f.RingCount)
		e.close("forwardListItem")
	}
	e.close("forwardingList")
}

func (m *GetForwardingResponse) decodeXML(d *xdoc, root int32) error {
	var err error
	d.eachDescendant(root, "forwardListItem", func(n int32) {
		var f ForwardListItem
		for c := d.nodes[n].first; c >= 0; c = d.nodes[c].next {
			switch name := d.nodes[c].local; name {
			case "forwardingType":
				f.ForwardingType = ForwardingType(d.textOf(c))
			case "forwardStatus":
				f.ForwardStatus = d.boolOf(c)
			case "forwardDN":
				f.ForwardDN = d.device(c)
			case "ringCount":
				var e error
				if f.RingCount, e = d.intOf(c, name); e != nil && err == nil {
					err = e
				}
			}
		}
		m.Forwards = append(m.Forwards, f)
	})
	return err
}

func (m *SetDoNotDisturb) encodeXML(e *encoder) {
	e.device("device", m.Device)
	e.boolLeaf("doNotDisturbOn", m.DoNotDisturbOn)
}

func (m *SetDoNotDisturb) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "device"); n >= 0 {
		m.Device = d.device(n)
	}
	if n := d.child(root, "doNotDisturbOn"); n >= 0 {
		m.DoNotDisturbOn = d.boolOf(n)
	}
	return nil
}

func (m *SystemStatus) encodeXML(e *encoder) { e.leafAlways("systemStatus", string(m.SystemStatus)) }

func (m *SystemStatus) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "systemStatus"); n >= 0 {
		m.SystemStatus = SystemStatusValue(d.textOf(n))
	}
	return nil
}

func (m *SystemRegisterResponse) encodeXML(e *encoder) {
	e.leaf("sysStatRegisterID", m.SysStatRegisterID)
}

func (m *SystemRegisterResponse) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "sysStatRegisterID"); n >= 0 {
		m.SysStatRegisterID = d.textOf(n)
	}
	return nil
}
