package csta

// XML encoding and decoding of the ECMA-269 events (ECMA-323 §17, §20, §22).

func init() {
	register([]string{"ServiceInitiatedEvent"}, func() xmlMessage { return &ServiceInitiatedEvent{} })
	register([]string{"OriginatedEvent"}, func() xmlMessage { return &OriginatedEvent{} })
	register([]string{"NetworkReachedEvent"}, func() xmlMessage { return &NetworkReachedEvent{} })
	register([]string{"DeliveredEvent"}, func() xmlMessage { return &DeliveredEvent{} })
	register([]string{"EstablishedEvent"}, func() xmlMessage { return &EstablishedEvent{} })
	register([]string{"HeldEvent"}, func() xmlMessage { return &HeldEvent{} })
	register([]string{"RetrievedEvent"}, func() xmlMessage { return &RetrievedEvent{} })
	register([]string{"ConnectionClearedEvent"}, func() xmlMessage { return &ConnectionClearedEvent{} })
	register([]string{"CallClearedEvent"}, func() xmlMessage { return &CallClearedEvent{} })
	register([]string{"TransferedEvent"}, func() xmlMessage { return &TransferredEvent{} })
	register([]string{"ConferencedEvent"}, func() xmlMessage { return &ConferencedEvent{} })
	register([]string{"DivertedEvent"}, func() xmlMessage { return &DivertedEvent{} })
	register([]string{"FailedEvent"}, func() xmlMessage { return &FailedEvent{} })
	register([]string{"QueuedEvent"}, func() xmlMessage { return &QueuedEvent{} })
	register([]string{"DoNotDisturbEvent"}, func() xmlMessage { return &DoNotDisturbEvent{} })
	register([]string{"ForwardingEvent"}, func() xmlMessage { return &ForwardingEvent{} })
	register([]string{"OutOfServiceEvent"}, func() xmlMessage { return &OutOfServiceEvent{} })
	register([]string{"BackInServiceEvent"}, func() xmlMessage { return &BackInServiceEvent{} })
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

func (m *ServiceInitiatedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "initiatedConnection":
			m.InitiatedConnection = d.connection(n)
		case "initiatingDevice":
			m.InitiatingDevice = d.device(n)
		}
		return nil
	})
}

func (m *OriginatedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("originatedConnection", m.OriginatedConnection)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *OriginatedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "originatedConnection":
			m.OriginatedConnection = d.connection(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		}
		return nil
	})
}

func (m *NetworkReachedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("outboundConnection", m.OutboundConnection)
	e.subject("networkInterfaceUsed", m.NetworkInterfaceUsed)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *NetworkReachedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "outboundConnection":
			m.OutboundConnection = d.connection(n)
		case "networkInterfaceUsed":
			m.NetworkInterfaceUsed = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		}
		return nil
	})
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

func (m *DeliveredEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "connection":
			m.Connection = d.connection(n)
		case "alertingDevice":
			m.AlertingDevice = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		case "lastRedirectionDevice":
			m.LastRedirectionDevice = d.device(n)
		case "networkCallingDevice":
			m.NetworkCallingDevice = d.device(n)
		case "networkCalledDevice":
			m.NetworkCalledDevice = d.device(n)
		case "callCharacteristics":
			if c := d.child(n, "acdCall"); c >= 0 {
				m.ACDCall = d.boolOf(c)
			}
		}
		return nil
	})
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

func (m *EstablishedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "establishedConnection":
			m.EstablishedConnection = d.connection(n)
		case "answeringDevice":
			m.AnsweringDevice = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		case "lastRedirectionDevice":
			m.LastRedirectionDevice = d.device(n)
		}
		return nil
	})
}

func (m *HeldEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("heldConnection", m.HeldConnection)
	e.subject("holdingDevice", m.HoldingDevice)
	e.tail(&m.EventCommon)
}

func (m *HeldEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "heldConnection":
			m.HeldConnection = d.connection(n)
		case "holdingDevice":
			m.HoldingDevice = d.device(n)
		}
		return nil
	})
}

func (m *RetrievedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("retrievedConnection", m.RetrievedConnection)
	e.subject("retrievingDevice", m.RetrievingDevice)
	e.tail(&m.EventCommon)
}

func (m *RetrievedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "retrievedConnection":
			m.RetrievedConnection = d.connection(n)
		case "retrievingDevice":
			m.RetrievingDevice = d.device(n)
		}
		return nil
	})
}

func (m *ConnectionClearedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("droppedConnection", m.DroppedConnection)
	e.subject("releasingDevice", m.ReleasingDevice)
	e.tail(&m.EventCommon)
}

func (m *ConnectionClearedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "droppedConnection":
			m.DroppedConnection = d.connection(n)
		case "releasingDevice":
			m.ReleasingDevice = d.device(n)
		}
		return nil
	})
}

func (m *CallClearedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("clearedCall", m.ClearedCall)
	e.tail(&m.EventCommon)
}

func (m *CallClearedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		if name == "clearedCall" {
			m.ClearedCall = d.connection(n)
		}
		return nil
	})
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

func (m *TransferredEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "primaryOldCall":
			m.PrimaryOldCall = d.connection(n)
		case "secondaryOldCall":
			m.SecondaryOldCall = d.connection(n)
		case "transferringDevice":
			m.TransferringDevice = d.device(n)
		case "transferredToDevice":
			m.TransferredToDevice = d.device(n)
		case "transferredConnections":
			m.TransferredConnections = d.connectionList(n)
		}
		return nil
	})
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

func (m *ConferencedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "primaryOldCall":
			m.PrimaryOldCall = d.connection(n)
		case "secondaryOldCall":
			m.SecondaryOldCall = d.connection(n)
		case "conferencingDevice":
			m.ConferencingDevice = d.device(n)
		case "addedParty":
			m.AddedParty = d.device(n)
		case "conferenceConnections":
			m.ConferenceConnections = d.connectionList(n)
		}
		return nil
	})
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

func (m *DivertedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "connection":
			m.Connection = d.connection(n)
		case "divertingDevice":
			m.DivertingDevice = d.device(n)
		case "newDestination":
			m.NewDestination = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		case "lastRedirectionDevice":
			m.LastRedirectionDevice = d.device(n)
		}
		return nil
	})
}

func (m *FailedEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.conn("failedConnection", m.FailedConnection)
	e.subject("failingDevice", m.FailingDevice)
	e.subject("callingDevice", m.CallingDevice)
	e.subject("calledDevice", m.CalledDevice)
	e.tail(&m.EventCommon)
}

func (m *FailedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "failedConnection":
			m.FailedConnection = d.connection(n)
		case "failingDevice":
			m.FailingDevice = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		}
		return nil
	})
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

func (m *QueuedEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		var err error
		switch name {
		case "queuedConnection":
			m.QueuedConnection = d.connection(n)
		case "queue":
			m.Queue = d.device(n)
		case "callingDevice":
			m.CallingDevice = d.device(n)
		case "calledDevice":
			m.CalledDevice = d.device(n)
		case "numberQueued":
			m.NumberQueued, err = d.intOf(n, name)
		}
		return err
	})
}

func (m *DoNotDisturbEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.boolLeaf("doNotDisturbOn", m.DoNotDisturbOn)
	e.tail(&m.EventCommon)
}

func (m *DoNotDisturbEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "device":
			m.Device = d.device(n)
		case "doNotDisturbOn":
			m.DoNotDisturbOn = d.boolOf(n)
		}
		return nil
	})
}

func (m *ForwardingEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.leaf("forwardingType", string(m.ForwardingType))
	e.boolLeaf("forwardStatus", m.ForwardStatus)
	e.device("forwardTo", m.ForwardTo)
	e.tail(&m.EventCommon)
}

func (m *ForwardingEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		switch name {
		case "device":
			m.Device = d.device(n)
		case "forwardingType":
			m.ForwardingType = ForwardingType(d.textOf(n))
		case "forwardStatus":
			m.ForwardStatus = d.boolOf(n)
		case "forwardTo":
			m.ForwardTo = d.device(n)
		}
		return nil
	})
}

func (m *OutOfServiceEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.tail(&m.EventCommon)
}

func (m *OutOfServiceEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		if name == "device" {
			m.Device = d.device(n)
		}
		return nil
	})
}

func (m *BackInServiceEvent) encodeXML(e *encoder) {
	e.head(&m.EventCommon)
	e.subject("device", m.Device)
	e.tail(&m.EventCommon)
}

func (m *BackInServiceEvent) decodeXML(d *xdoc, root int32) error {
	return d.eventFields(root, &m.EventCommon, func(name string, n int32) error {
		if name == "device" {
			m.Device = d.device(n)
		}
		return nil
	})
}
