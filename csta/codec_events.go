package csta

// XML encoding and decoding of the ECMA-269 events (ECMA-323 §17, §20, §22). Each event's
// member method is the one table of its elements: both decoders read an element by it, the
// generic one from the element tree (eventMembers) and the fast one off the bytes
// (codec_fastevent.go).

func init() {
	registerEvent[ServiceInitiatedEvent]("ServiceInitiatedEvent")
	registerEvent[OriginatedEvent]("OriginatedEvent")
	registerEvent[NetworkReachedEvent]("NetworkReachedEvent")
	registerEvent[DeliveredEvent]("DeliveredEvent")
	registerEvent[EstablishedEvent]("EstablishedEvent")
	registerEvent[HeldEvent]("HeldEvent")
	registerEvent[RetrievedEvent]("RetrievedEvent")
	registerEvent[ConnectionClearedEvent]("ConnectionClearedEvent")
	registerEvent[CallClearedEvent]("CallClearedEvent")
	registerEvent[TransferredEvent]("TransferedEvent")
	registerEvent[ConferencedEvent]("ConferencedEvent")
	registerEvent[DivertedEvent]("DivertedEvent")
	registerEvent[FailedEvent]("FailedEvent")
	registerEvent[QueuedEvent]("QueuedEvent")
	registerEvent[DoNotDisturbEvent]("DoNotDisturbEvent")
	registerEvent[ForwardingEvent]("ForwardingEvent")
	registerEvent[OutOfServiceEvent]("OutOfServiceEvent")
	registerEvent[BackInServiceEvent]("BackInServiceEvent")
	internNames("transferringDevice", "transferredToDevice", "transferredConnections",
		"primaryOldCall", "secondaryOldCall", "conferencingDevice", "addedParty",
		"conferenceConnections", "divertingDevice", "newDestination", "failedConnection",
		"failingDevice", "queuedConnection", "queue", "numberQueued", "device", "doNotDisturbOn",
		"forwardingType", "forwardStatus", "forwardTo", "agentDevice", "agentID")
}

func (m *ServiceInitiatedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("initiatedConnection", m.InitiatedConnection)
	e.subject("initiatingDevice", m.InitiatingDevice)
	e.tail(&m.EventCommon)
}

func (m *ServiceInitiatedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *ServiceInitiatedEvent) member(name string) fieldRef {
	switch name {
	case "initiatedConnection":
		return connMember(&m.InitiatedConnection)
	case "initiatingDevice":
		return deviceMember(&m.InitiatingDevice)
	}
	return fieldRef{}
}

func (m *OriginatedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("originatedConnection", m.OriginatedConnection)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *OriginatedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *OriginatedEvent) member(name string) fieldRef {
	switch name {
	case "originatedConnection":
		return connMember(&m.OriginatedConnection)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	}
	return fieldRef{}
}

func (m *NetworkReachedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("outboundConnection", m.OutboundConnection)
	e.subject("networkInterfaceUsed", m.NetworkInterfaceUsed)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *NetworkReachedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *NetworkReachedEvent) member(name string) fieldRef {
	switch name {
	case "outboundConnection":
		return connMember(&m.OutboundConnection)
	case "networkInterfaceUsed":
		return deviceMember(&m.NetworkInterfaceUsed)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	}
	return fieldRef{}
}

func (m *DeliveredEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("connection", m.Connection)
	e.subject("alertingDevice", m.AlertingDevice)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.subject("lastRedirectionDevice", m.LastRedirectionDevice)
	e.subject("networkCallingDevice", m.NetworkCallingDevice)
	e.subject("networkCalledDevice", m.NetworkCalledDevice)
	if m.ACDCall {
		e.open("callCharacteristics")
		e.boolLeaf("acdCall", true)
		e.close("callCharacteristics")
	}
	e.tail(&m.EventCommon)
}

func (m *DeliveredEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *DeliveredEvent) member(name string) fieldRef {
	switch name {
	case "connection":
		return connMember(&m.Connection)
	case "alertingDevice":
		return deviceMember(&m.AlertingDevice)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	case "lastRedirectionDevice":
		return deviceMember(&m.LastRedirectionDevice)
	case "networkCallingDevice":
		return deviceMember(&m.NetworkCallingDevice)
	case "networkCalledDevice":
		return deviceMember(&m.NetworkCalledDevice)
	case "callCharacteristics":
		return callCharMember(&m.ACDCall)
	}
	return fieldRef{}
}

func (m *EstablishedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("establishedConnection", m.EstablishedConnection)
	e.subject("answeringDevice", m.AnsweringDevice)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.subject("lastRedirectionDevice", m.LastRedirectionDevice)
	e.tail(&m.EventCommon)
}

func (m *EstablishedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *EstablishedEvent) member(name string) fieldRef {
	switch name {
	case "establishedConnection":
		return connMember(&m.EstablishedConnection)
	case "answeringDevice":
		return deviceMember(&m.AnsweringDevice)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	case "lastRedirectionDevice":
		return deviceMember(&m.LastRedirectionDevice)
	}
	return fieldRef{}
}

func (m *HeldEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("heldConnection", m.HeldConnection)
	e.subject("holdingDevice", m.HoldingDevice)
	e.tail(&m.EventCommon)
}

func (m *HeldEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *HeldEvent) member(name string) fieldRef {
	switch name {
	case "heldConnection":
		return connMember(&m.HeldConnection)
	case "holdingDevice":
		return deviceMember(&m.HoldingDevice)
	}
	return fieldRef{}
}

func (m *RetrievedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("retrievedConnection", m.RetrievedConnection)
	e.subject("retrievingDevice", m.RetrievingDevice)
	e.tail(&m.EventCommon)
}

func (m *RetrievedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *RetrievedEvent) member(name string) fieldRef {
	switch name {
	case "retrievedConnection":
		return connMember(&m.RetrievedConnection)
	case "retrievingDevice":
		return deviceMember(&m.RetrievingDevice)
	}
	return fieldRef{}
}

func (m *ConnectionClearedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("droppedConnection", m.DroppedConnection)
	e.subject("releasingDevice", m.ReleasingDevice)
	e.tail(&m.EventCommon)
}

func (m *ConnectionClearedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *ConnectionClearedEvent) member(name string) fieldRef {
	switch name {
	case "droppedConnection":
		return connMember(&m.DroppedConnection)
	case "releasingDevice":
		return deviceMember(&m.ReleasingDevice)
	}
	return fieldRef{}
}

func (m *CallClearedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("clearedCall", m.ClearedCall)
	e.tail(&m.EventCommon)
}

func (m *CallClearedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *CallClearedEvent) member(name string) fieldRef {
	switch name {
	case "clearedCall":
		return connMember(&m.ClearedCall)
	}
	return fieldRef{}
}

func (m *TransferredEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("primaryOldCall", m.PrimaryOldCall)
	e.conn("secondaryOldCall", m.SecondaryOldCall)
	e.subject("transferringDevice", m.TransferringDevice)
	e.subject("transferredToDevice", m.TransferredToDevice)
	e.connectionList("transferredConnections", m.TransferredConnections)
	e.tail(&m.EventCommon)
}

func (m *TransferredEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *TransferredEvent) member(name string) fieldRef {
	switch name {
	case "primaryOldCall":
		return connMember(&m.PrimaryOldCall)
	case "secondaryOldCall":
		return connMember(&m.SecondaryOldCall)
	case "transferringDevice":
		return deviceMember(&m.TransferringDevice)
	case "transferredToDevice":
		return deviceMember(&m.TransferredToDevice)
	case "transferredConnections":
		return connListMember(&m.TransferredConnections)
	}
	return fieldRef{}
}

func (m *ConferencedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("primaryOldCall", m.PrimaryOldCall)
	e.conn("secondaryOldCall", m.SecondaryOldCall)
	e.subject("conferencingDevice", m.ConferencingDevice)
	e.subject("addedParty", m.AddedParty)
	e.connectionList("conferenceConnections", m.ConferenceConnections)
	e.tail(&m.EventCommon)
}

func (m *ConferencedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *ConferencedEvent) member(name string) fieldRef {
	switch name {
	case "primaryOldCall":
		return connMember(&m.PrimaryOldCall)
	case "secondaryOldCall":
		return connMember(&m.SecondaryOldCall)
	case "conferencingDevice":
		return deviceMember(&m.ConferencingDevice)
	case "addedParty":
		return deviceMember(&m.AddedParty)
	case "conferenceConnections":
		return connListMember(&m.ConferenceConnections)
	}
	return fieldRef{}
}

func (m *DivertedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("connection", m.Connection)
	e.subject("divertingDevice", m.DivertingDevice)
	e.subject("newDestination", m.NewDestination)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.subject("lastRedirectionDevice", m.LastRedirectionDevice)
	e.tail(&m.EventCommon)
}

func (m *DivertedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *DivertedEvent) member(name string) fieldRef {
	switch name {
	case "connection":
		return connMember(&m.Connection)
	case "divertingDevice":
		return deviceMember(&m.DivertingDevice)
	case "newDestination":
		return deviceMember(&m.NewDestination)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	case "lastRedirectionDevice":
		return deviceMember(&m.LastRedirectionDevice)
	}
	return fieldRef{}
}

func (m *FailedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("failedConnection", m.FailedConnection)
	e.subject("failingDevice", m.FailingDevice)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *FailedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *FailedEvent) member(name string) fieldRef {
	switch name {
	case "failedConnection":
		return connMember(&m.FailedConnection)
	case "failingDevice":
		return deviceMember(&m.FailingDevice)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	}
	return fieldRef{}
}

func (m *QueuedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("queuedConnection", m.QueuedConnection)
	e.subject("queue", m.Queue)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.intLeaf("numberQueued", m.NumberQueued)
	e.tail(&m.EventCommon)
}

func (m *QueuedEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *QueuedEvent) member(name string) fieldRef {
	switch name {
	case "queuedConnection":
		return connMember(&m.QueuedConnection)
	case "queue":
		return deviceMember(&m.Queue)
	case "callingDevice":
		return deviceMember(&m.CallingDevice)
	case "calledDevice":
		return deviceMember(&m.CalledDevice)
	case "numberQueued":
		return intMember(&m.NumberQueued)
	}
	return fieldRef{}
}

func (m *DoNotDisturbEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.boolLeaf("doNotDisturbOn", m.DoNotDisturbOn)
	e.tail(&m.EventCommon)
}

func (m *DoNotDisturbEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *DoNotDisturbEvent) member(name string) fieldRef {
	switch name {
	case "device":
		return deviceMember(&m.Device)
	case "doNotDisturbOn":
		return boolMember(&m.DoNotDisturbOn)
	}
	return fieldRef{}
}

func (m *ForwardingEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.leaf("forwardingType", string(m.ForwardingType))
	e.boolLeaf("forwardStatus", m.ForwardStatus)
	e.device("forwardTo", m.ForwardTo)
	e.tail(&m.EventCommon)
}

func (m *ForwardingEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *ForwardingEvent) member(name string) fieldRef {
	switch name {
	case "device":
		return deviceMember(&m.Device)
	case "forwardingType":
		return textMember((*string)(&m.ForwardingType))
	case "forwardStatus":
		return boolMember(&m.ForwardStatus)
	case "forwardTo":
		return deviceMember(&m.ForwardTo)
	}
	return fieldRef{}
}

func (m *OutOfServiceEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.tail(&m.EventCommon)
}

func (m *OutOfServiceEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *OutOfServiceEvent) member(name string) fieldRef {
	switch name {
	case "device":
		return deviceMember(&m.Device)
	}
	return fieldRef{}
}

func (m *BackInServiceEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.tail(&m.EventCommon)
}

func (m *BackInServiceEvent) decodeXML(d *xdoc, root int32) error { return d.eventMembers(root, m) }

func (m *BackInServiceEvent) member(name string) fieldRef {
	switch name {
	case "device":
		return deviceMember(&m.Device)
	}
	return fieldRef{}
}
