package csta

// This file holds the ECMA-269 events. Each event's connection member names the connection the
// event is about; the device members say who did what. Members a switch did not send stay zero.

// ServiceInitiatedEvent: a device went off-hook or a MakeCall started (§17.2.15).
type ServiceInitiatedEvent struct {
	EventCommon
	InitiatedConnection ConnectionID
	InitiatingDevice    DeviceID
}

// OriginatedEvent: the initiating device has dialled (§17.2.13).
type OriginatedEvent struct {
	EventCommon
	OriginatedConnection ConnectionID
	CallingDevice        DeviceID
	CalledDevice         DeviceID
}

// NetworkReachedEvent: the call left the switch on a trunk (§17.2.12).
type NetworkReachedEvent struct {
	EventCommon
	OutboundConnection   ConnectionID
	NetworkInterfaceUsed DeviceID
	CallingDevice        DeviceID
	CalledDevice         DeviceID
}

// DeliveredEvent: a device is alerting (§17.2.5). Sent to both the alerting and calling side.
type DeliveredEvent struct {
	EventCommon
	Connection            ConnectionID // the alerting connection
	AlertingDevice        DeviceID
	CallingDevice         DeviceID
	CalledDevice          DeviceID
	LastRedirectionDevice DeviceID
	NetworkCallingDevice  DeviceID
	NetworkCalledDevice   DeviceID
	ACDCall               bool // callCharacteristics/acdCall
}

// EstablishedEvent: a device answered (§17.2.7).
type EstablishedEvent struct {
	EventCommon
	EstablishedConnection ConnectionID
	AnsweringDevice       DeviceID
	CallingDevice         DeviceID
	CalledDevice          DeviceID
	LastRedirectionDevice DeviceID
}

// HeldEvent: a connection was put on hold (§17.2.9).
type HeldEvent struct {
	EventCommon
	HeldConnection ConnectionID
	HoldingDevice  DeviceID
}

// RetrievedEvent: a held connection was retrieved (§17.2.14).
type RetrievedEvent struct {
	EventCommon
	RetrievedConnection ConnectionID
	RetrievingDevice    DeviceID
}

// ConnectionClearedEvent: one device left the call (§17.2.4).
type ConnectionClearedEvent struct {
	EventCommon
	DroppedConnection ConnectionID
	ReleasingDevice   DeviceID
}

// CallClearedEvent: the whole call ended (§17.2.2).
type CallClearedEvent struct {
	EventCommon
	ClearedCall ConnectionID
}

// TransferredEvent: two calls were joined and the transferring device left (§17.2.17).
// The ECMA-323 element is spelt "TransferedEvent"; both spellings decode.
type TransferredEvent struct {
	EventCommon
	PrimaryOldCall         ConnectionID
	SecondaryOldCall       ConnectionID
	TransferringDevice     DeviceID
	TransferredToDevice    DeviceID
	TransferredConnections []ConnectionListItem
}

// ConferencedEvent: two calls were joined into a conference (§17.2.3).
type ConferencedEvent struct {
	EventCommon
	PrimaryOldCall        ConnectionID
	SecondaryOldCall      ConnectionID
	ConferencingDevice    DeviceID
	AddedParty            DeviceID
	ConferenceConnections []ConnectionListItem
}

// DivertedEvent: a call was diverted away from a device (§17.2.6).
type DivertedEvent struct {
	EventCommon
	Connection            ConnectionID // the connection that was diverted
	DivertingDevice       DeviceID
	NewDestination        DeviceID
	CallingDevice         DeviceID
	CalledDevice          DeviceID
	LastRedirectionDevice DeviceID
}

// FailedEvent: a call could not be completed, e.g. busy (§17.2.8).
type FailedEvent struct {
	EventCommon
	FailedConnection ConnectionID
	FailingDevice    DeviceID
	CallingDevice    DeviceID
	CalledDevice     DeviceID
}

// QueuedEvent: a call was queued at a hunt group or ACD (§17.2.13a).
type QueuedEvent struct {
	EventCommon
	QueuedConnection ConnectionID
	Queue            DeviceID
	CallingDevice    DeviceID
	CalledDevice     DeviceID
	NumberQueued     int
}

// DoNotDisturbEvent: DND changed at a device (§22.2.2).
type DoNotDisturbEvent struct {
	EventCommon
	Device         DeviceID
	DoNotDisturbOn bool
}

// ForwardingEvent: forwarding changed at a device (§22.2.3).
type ForwardingEvent struct {
	EventCommon
	Device         DeviceID
	ForwardingType ForwardingType
	ForwardStatus  bool
	ForwardTo      DeviceID
}

// OutOfServiceEvent: a device went out of service (§20.2.3).
type OutOfServiceEvent struct {
	EventCommon
	Device DeviceID
}

// BackInServiceEvent: a device came back into service (§20.2.1).
type BackInServiceEvent struct {
	EventCommon
	Device DeviceID
}

func (*ServiceInitiatedEvent) MessageName() string  { return "ServiceInitiatedEvent" }
func (*OriginatedEvent) MessageName() string        { return "OriginatedEvent" }
func (*NetworkReachedEvent) MessageName() string    { return "NetworkReachedEvent" }
func (*DeliveredEvent) MessageName() string         { return "DeliveredEvent" }
func (*EstablishedEvent) MessageName() string       { return "EstablishedEvent" }
func (*HeldEvent) MessageName() string              { return "HeldEvent" }
func (*RetrievedEvent) MessageName() string         { return "RetrievedEvent" }
func (*ConnectionClearedEvent) MessageName() string { return "ConnectionClearedEvent" }
func (*CallClearedEvent) MessageName() string       { return "CallClearedEvent" }
func (*TransferredEvent) MessageName() string       { return "TransferedEvent" }
func (*ConferencedEvent) MessageName() string       { return "ConferencedEvent" }
func (*DivertedEvent) MessageName() string          { return "DivertedEvent" }
func (*FailedEvent) MessageName() string            { return "FailedEvent" }
func (*QueuedEvent) MessageName() string            { return "QueuedEvent" }
func (*DoNotDisturbEvent) MessageName() string      { return "DoNotDisturbEvent" }
func (*ForwardingEvent) MessageName() string        { return "ForwardingEvent" }
func (*OutOfServiceEvent) MessageName() string      { return "OutOfServiceEvent" }
func (*BackInServiceEvent) MessageName() string     { return "BackInServiceEvent" }
