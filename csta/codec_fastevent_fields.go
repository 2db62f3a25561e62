package csta

// The members of each event for the fast path (codec_fastevent.go): the same element names
// and readers as the event's decodeXML in codec_events.go.

func init() {
	registerFast("ServiceInitiatedEvent", func() fastEvent { return &ServiceInitiatedEvent{} })
	registerFast("OriginatedEvent", func() fastEvent { return &OriginatedEvent{} })
	registerFast("NetworkReachedEvent", func() fastEvent { return &NetworkReachedEvent{} })
	registerFast("DeliveredEvent", func() fastEvent { return &DeliveredEvent{} })
	registerFast("EstablishedEvent", func() fastEvent { return &EstablishedEvent{} })
	registerFast("HeldEvent", func() fastEvent { return &HeldEvent{} })
	registerFast("RetrievedEvent", func() fastEvent { return &RetrievedEvent{} })
	registerFast("ConnectionClearedEvent", func() fastEvent { return &ConnectionClearedEvent{} })
	registerFast("CallClearedEvent", func() fastEvent { return &CallClearedEvent{} })
	registerFast("TransferedEvent", func() fastEvent { return &TransferredEvent{} })
	registerFast("ConferencedEvent", func() fastEvent { return &ConferencedEvent{} })
	registerFast("DivertedEvent", func() fastEvent { return &DivertedEvent{} })
	registerFast("FailedEvent", func() fastEvent { return &FailedEvent{} })
	registerFast("QueuedEvent", func() fastEvent { return &QueuedEvent{} })
	registerFast("DoNotDisturbEvent", func() fastEvent { return &DoNotDisturbEvent{} })
	registerFast("ForwardingEvent", func() fastEvent { return &ForwardingEvent{} })
	registerFast("OutOfServiceEvent", func() fastEvent { return &OutOfServiceEvent{} })
	registerFast("BackInServiceEvent", func() fastEvent { return &BackInServiceEvent{} })
	registerFast("TransferredEvent", func() fastEvent { return &TransferredEvent{} })
}

func (m *ServiceInitiatedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "initiatedConnection":
		return fieldRef{kind: fkConn, conn: &m.InitiatedConnection}
	case "initiatingDevice":
		return fieldRef{kind: fkDevice, dev: &m.InitiatingDevice}
	}
	return fieldRef{}
}

func (m *OriginatedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "originatedConnection":
		return fieldRef{kind: fkConn, conn: &m.OriginatedConnection}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	}
	return fieldRef{}
}

func (m *NetworkReachedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "outboundConnection":
		return fieldRef{kind: fkConn, conn: &m.OutboundConnection}
	case "networkInterfaceUsed":
		return fieldRef{kind: fkDevice, dev: &m.NetworkInterfaceUsed}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	}
	return fieldRef{}
}

func (m *DeliveredEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "connection":
		return fieldRef{kind: fkConn, conn: &m.Connection}
	case "alertingDevice":
		return fieldRef{kind: fkDevice, dev: &m.AlertingDevice}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	case "lastRedirectionDevice":
		return fieldRef{kind: fkDevice, dev: &m.LastRedirectionDevice}
	case "networkCallingDevice":
		return fieldRef{kind: fkDevice, dev: &m.NetworkCallingDevice}
	case "networkCalledDevice":
		return fieldRef{kind: fkDevice, dev: &m.NetworkCalledDevice}
	case "callCharacteristics":
		return fieldRef{kind: fkCallChar, flag: &m.ACDCall}
	}
	return fieldRef{}
}

func (m *EstablishedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "establishedConnection":
		return fieldRef{kind: fkConn, conn: &m.EstablishedConnection}
	case "answeringDevice":
		return fieldRef{kind: fkDevice, dev: &m.AnsweringDevice}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	case "lastRedirectionDevice":
		return fieldRef{kind: fkDevice, dev: &m.LastRedirectionDevice}
	}
	return fieldRef{}
}

func (m *HeldEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "heldConnection":
		return fieldRef{kind: fkConn, conn: &m.HeldConnection}
	case "holdingDevice":
		return fieldRef{kind: fkDevice, dev: &m.HoldingDevice}
	}
	return fieldRef{}
}

func (m *RetrievedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "retrievedConnection":
		return fieldRef{kind: fkConn, conn: &m.RetrievedConnection}
	case "retrievingDevice":
		return fieldRef{kind: fkDevice, dev: &m.RetrievingDevice}
	}
	return fieldRef{}
}

func (m *ConnectionClearedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "droppedConnection":
		return fieldRef{kind: fkConn, conn: &m.DroppedConnection}
	case "releasingDevice":
		return fieldRef{kind: fkDevice, dev: &m.ReleasingDevice}
	}
	return fieldRef{}
}

func (m *CallClearedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "clearedCall":
		return fieldRef{kind: fkConn, conn: &m.ClearedCall}
	}
	return fieldRef{}
}

func (m *TransferredEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "primaryOldCall":
		return fieldRef{kind: fkConn, conn: &m.PrimaryOldCall}
	case "secondaryOldCall":
		return fieldRef{kind: fkConn, conn: &m.SecondaryOldCall}
	case "transferringDevice":
		return fieldRef{kind: fkDevice, dev: &m.TransferringDevice}
	case "transferredToDevice":
		return fieldRef{kind: fkDevice, dev: &m.TransferredToDevice}
	case "transferredConnections":
		return fieldRef{kind: fkConnList, list: &m.TransferredConnections}
	}
	return fieldRef{}
}

func (m *ConferencedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "primaryOldCall":
		return fieldRef{kind: fkConn, conn: &m.PrimaryOldCall}
	case "secondaryOldCall":
		return fieldRef{kind: fkConn, conn: &m.SecondaryOldCall}
	case "conferencingDevice":
		return fieldRef{kind: fkDevice, dev: &m.ConferencingDevice}
	case "addedParty":
		return fieldRef{kind: fkDevice, dev: &m.AddedParty}
	case "conferenceConnections":
		return fieldRef{kind: fkConnList, list: &m.ConferenceConnections}
	}
	return fieldRef{}
}

func (m *DivertedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "connection":
		return fieldRef{kind: fkConn, conn: &m.Connection}
	case "divertingDevice":
		return fieldRef{kind: fkDevice, dev: &m.DivertingDevice}
	case "newDestination":
		return fieldRef{kind: fkDevice, dev: &m.NewDestination}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	case "lastRedirectionDevice":
		return fieldRef{kind: fkDevice, dev: &m.LastRedirectionDevice}
	}
	return fieldRef{}
}

func (m *FailedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "failedConnection":
		return fieldRef{kind: fkConn, conn: &m.FailedConnection}
	case "failingDevice":
		return fieldRef{kind: fkDevice, dev: &m.FailingDevice}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	}
	return fieldRef{}
}

func (m *QueuedEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "queuedConnection":
		return fieldRef{kind: fkConn, conn: &m.QueuedConnection}
	case "queue":
		return fieldRef{kind: fkDevice, dev: &m.Queue}
	case "callingDevice":
		return fieldRef{kind: fkDevice, dev: &m.CallingDevice}
	case "calledDevice":
		return fieldRef{kind: fkDevice, dev: &m.CalledDevice}
	case "numberQueued":
		return fieldRef{kind: fkInt, num: &m.NumberQueued}
	}
	return fieldRef{}
}

func (m *DoNotDisturbEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "device":
		return fieldRef{kind: fkDevice, dev: &m.Device}
	case "doNotDisturbOn":
		return fieldRef{kind: fkBool, flag: &m.DoNotDisturbOn}
	}
	return fieldRef{}
}

func (m *ForwardingEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "device":
		return fieldRef{kind: fkDevice, dev: &m.Device}
	case "forwardingType":
		return fieldRef{kind: fkText, text: (*string)(&m.ForwardingType)}
	case "forwardStatus":
		return fieldRef{kind: fkBool, flag: &m.ForwardStatus}
	case "forwardTo":
		return fieldRef{kind: fkDevice, dev: &m.ForwardTo}
	}
	return fieldRef{}
}

func (m *OutOfServiceEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "device":
		return fieldRef{kind: fkDevice, dev: &m.Device}
	}
	return fieldRef{}
}

func (m *BackInServiceEvent) fastField(local []byte) fieldRef {
	switch string(local) {
	case "device":
		return fieldRef{kind: fkDevice, dev: &m.Device}
	}
	return fieldRef{}
}
