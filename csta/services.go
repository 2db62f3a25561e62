package csta

// This file holds the ECMA-269 service requests and their positive responses.

// MonitorStart starts monitoring a device (ECMA-269 §15.1.2).
type MonitorStart struct {
	MonitorObject DeviceID
}

// MonitorStartResponse carries the cross reference ID for the monitor's events.
type MonitorStartResponse struct {
	MonitorCrossRefID MonitorCrossRefID
}

// MonitorStop ends a monitor (ECMA-269 §15.1.3).
type MonitorStop struct {
	MonitorCrossRefID MonitorCrossRefID
}

// MonitorStopResponse confirms MonitorStop.
type MonitorStopResponse struct{}

// SnapshotDevice asks for the calls at a device (ECMA-269 §16.1.2).
type SnapshotDevice struct {
	SnapshotObject DeviceID
}

// SnapshotDeviceItem is one call at the device: the device's connection and its local state.
type SnapshotDeviceItem struct {
	Connection ConnectionID
	// States holds localConnectionState values; a compound call state lists several.
	States []LocalConnectionState
}

// State returns the first local connection state, or "" if none.
func (i SnapshotDeviceItem) State() LocalConnectionState {
	if len(i.States) == 0 {
		return ""
	}
	return i.States[0]
}

// SnapshotDeviceResponse lists the calls at the device; empty when the device is idle.
type SnapshotDeviceResponse struct {
	Items []SnapshotDeviceItem
}

// SnapshotCall asks for the devices in a call (ECMA-269 §16.1.1).
type SnapshotCall struct {
	SnapshotObject ConnectionID
}

// SnapshotCallItem is one device in the call.
type SnapshotCallItem struct {
	Device     DeviceID
	Connection ConnectionID
	State      LocalConnectionState
}

// SnapshotCallResponse lists the devices in a call.
type SnapshotCallResponse struct {
	Items []SnapshotCallItem
}

// MakeCall sets up a call from CallingDevice to CalledDirectoryNumber (ECMA-269 §17.1.8).
// With the default autoOriginate "prompt" the calling device rings first ("ring my phone").
type MakeCall struct {
	CallingDevice         DeviceID
	CalledDirectoryNumber DeviceID
	AutoOriginate         string // "prompt" or "doNotPrompt"; empty leaves the switch default
	CorrelatorData        string
}

// MakeCallResponse returns the calling device's connection.
type MakeCallResponse struct {
	CallingDevice ConnectionID
}

// AnswerCall answers an alerting connection (ECMA-269 §17.1.1).
type AnswerCall struct {
	CallToBeAnswered ConnectionID
}

// AnswerCallResponse confirms AnswerCall.
type AnswerCallResponse struct{}

// ClearConnection releases one connection (ECMA-269 §17.1.3).
type ClearConnection struct {
	ConnectionToBeCleared ConnectionID
}

// ClearConnectionResponse confirms ClearConnection.
type ClearConnectionResponse struct{}

// HoldCall puts a connected call on hold (ECMA-269 §17.1.7).
type HoldCall struct {
	CallToBeHeld ConnectionID
}

// HoldCallResponse confirms HoldCall.
type HoldCallResponse struct{}

// RetrieveCall takes a held call back (ECMA-269 §17.1.11).
type RetrieveCall struct {
	CallToBeRetrieved ConnectionID
}

// RetrieveCallResponse confirms RetrieveCall.
type RetrieveCallResponse struct{}

// ConsultationCall holds ExistingCall and calls ConsultedDevice (ECMA-269 §17.1.5).
type ConsultationCall struct {
	ExistingCall    ConnectionID
	ConsultedDevice DeviceID
}

// ConsultationCallResponse returns the new consultation connection.
type ConsultationCallResponse struct {
	InitiatedCall ConnectionID
}

// TransferCall joins the held and active calls and drops the transferring device (§17.1.14).
type TransferCall struct {
	HeldCall   ConnectionID
	ActiveCall ConnectionID
}

// TransferCallResponse returns the resulting call.
type TransferCallResponse struct {
	TransferredCall ConnectionID
}

// ConferenceCall joins the held and active calls into one (ECMA-269 §17.1.4).
type ConferenceCall struct {
	HeldCall   ConnectionID
	ActiveCall ConnectionID
}

// ConferenceCallResponse returns the conference connection.
type ConferenceCallResponse struct {
	ConferenceCall ConnectionID
}

// SingleStepTransferCall transfers ActiveCall to TransferredTo in one step (§17.1.13).
type SingleStepTransferCall struct {
	ActiveCall    ConnectionID
	TransferredTo DeviceID
}

// SingleStepTransferCallResponse returns the resulting call.
type SingleStepTransferCallResponse struct {
	TransferredCall ConnectionID
}

// DeflectCall diverts an alerting call to NewDestination (ECMA-269 §17.1.6).
type DeflectCall struct {
	CallToBeDiverted ConnectionID
	NewDestination   DeviceID
}

// DeflectCallResponse confirms DeflectCall.
type DeflectCallResponse struct{}

// DirectedPickupCall moves the call alerting at CallToBePickedUp's device to RequestingDevice,
// which is connected to it (ECMA-269 Directed Pickup Call service; the members are those of
// the ECMA-285 DirectedPickupCallArgument, whose names ECMA-323 uses).
type DirectedPickupCall struct {
	CallToBePickedUp ConnectionID
	RequestingDevice DeviceID
}

// DirectedPickupCallResponse returns the requesting device's connection in the picked call
// (pickedCall, optional).
type DirectedPickupCallResponse struct {
	PickedCall ConnectionID
}

// GroupPickupCall connects NewDestination to a call alerting in its pickup group, or in
// PickupDevice's group when given (ECMA-269 Group Pickup Call service; the ASN.1 member is
// pickGroup, some switches write pickupDevice: both decode).
type GroupPickupCall struct {
	NewDestination DeviceID
	PickupDevice   DeviceID
}

// GroupPickupCallResponse returns the new destination's connection in the picked call
// (pickedCall, optional).
type GroupPickupCallResponse struct {
	PickedCall ConnectionID
}

// GenerateDigits sends DTMF on a connection (ECMA-269 §18.1.2).
type GenerateDigits struct {
	ConnectionToSendDigits ConnectionID
	CharactersToSend       string
}

// GenerateDigitsResponse confirms GenerateDigits.
type GenerateDigitsResponse struct{}

// SetForwarding switches a forwarding type on or off (ECMA-269 §22.1.13).
type SetForwarding struct {
	Device          DeviceID
	ForwardingType  ForwardingType
	ActivateForward bool
	ForwardDN       DeviceID
	RingCount       int // for no-answer forwarding; 0 leaves the switch default
}

// SetForwardingResponse confirms SetForwarding.
type SetForwardingResponse struct{}

// GetForwarding asks for a device's forwarding settings (ECMA-269 §22.1.6).
type GetForwarding struct {
	Device DeviceID
}

// ForwardListItem is one forwarding setting.
type ForwardListItem struct {
	ForwardingType ForwardingType
	ForwardStatus  bool
	ForwardDN      DeviceID
	RingCount      int
}

// GetForwardingResponse lists the forwarding settings.
type GetForwardingResponse struct {
	Forwards []ForwardListItem
}

// SetDoNotDisturb switches DND (ECMA-269 §22.1.12).
type SetDoNotDisturb struct {
	Device         DeviceID
	DoNotDisturbOn bool
}

// SetDoNotDisturbResponse confirms SetDoNotDisturb.
type SetDoNotDisturbResponse struct{}

// SystemStatus reports the switch's (or application's) status (ECMA-269 §12.2.24).
// Switches send it first on some links and expect a SystemStatusResponse; applications use it
// as a cheap heartbeat request.
type SystemStatus struct {
	SystemStatus SystemStatusValue
}

// SystemStatusResponse acknowledges SystemStatus.
type SystemStatusResponse struct{}

// SystemRegister registers for system status reports (ECMA-269 §12.2.22).
type SystemRegister struct{}

// SystemRegisterResponse returns the registration ID.
type SystemRegisterResponse struct {
	SysStatRegisterID string
}

func (*MonitorStart) MessageName() string                   { return "MonitorStart" }
func (*MonitorStartResponse) MessageName() string           { return "MonitorStartResponse" }
func (*MonitorStop) MessageName() string                    { return "MonitorStop" }
func (*MonitorStopResponse) MessageName() string            { return "MonitorStopResponse" }
func (*SnapshotDevice) MessageName() string                 { return "SnapshotDevice" }
func (*SnapshotDeviceResponse) MessageName() string         { return "SnapshotDeviceResponse" }
func (*SnapshotCall) MessageName() string                   { return "SnapshotCall" }
func (*SnapshotCallResponse) MessageName() string           { return "SnapshotCallResponse" }
func (*MakeCall) MessageName() string                       { return "MakeCall" }
func (*MakeCallResponse) MessageName() string               { return "MakeCallResponse" }
func (*AnswerCall) MessageName() string                     { return "AnswerCall" }
func (*AnswerCallResponse) MessageName() string             { return "AnswerCallResponse" }
func (*ClearConnection) MessageName() string                { return "ClearConnection" }
func (*ClearConnectionResponse) MessageName() string        { return "ClearConnectionResponse" }
func (*HoldCall) MessageName() string                       { return "HoldCall" }
func (*HoldCallResponse) MessageName() string               { return "HoldCallResponse" }
func (*RetrieveCall) MessageName() string                   { return "RetrieveCall" }
func (*RetrieveCallResponse) MessageName() string           { return "RetrieveCallResponse" }
func (*ConsultationCall) MessageName() string               { return "ConsultationCall" }
func (*ConsultationCallResponse) MessageName() string       { return "ConsultationCallResponse" }
func (*TransferCall) MessageName() string                   { return "TransferCall" }
func (*TransferCallResponse) MessageName() string           { return "TransferCallResponse" }
func (*ConferenceCall) MessageName() string                 { return "ConferenceCall" }
func (*ConferenceCallResponse) MessageName() string         { return "ConferenceCallResponse" }
func (*SingleStepTransferCall) MessageName() string         { return "SingleStepTransferCall" }
func (*SingleStepTransferCallResponse) MessageName() string { return "SingleStepTransferCallResponse" }
func (*DeflectCall) MessageName() string                    { return "DeflectCall" }
func (*DeflectCallResponse) MessageName() string            { return "DeflectCallResponse" }
func (*DirectedPickupCall) MessageName() string             { return "DirectedPickupCall" }
func (*DirectedPickupCallResponse) MessageName() string     { return "DirectedPickupCallResponse" }
func (*GroupPickupCall) MessageName() string                { return "GroupPickupCall" }
func (*GroupPickupCallResponse) MessageName() string        { return "GroupPickupCallResponse" }
func (*GenerateDigits) MessageName() string                 { return "GenerateDigits" }
func (*GenerateDigitsResponse) MessageName() string         { return "GenerateDigitsResponse" }
func (*SetForwarding) MessageName() string                  { return "SetForwarding" }
func (*SetForwardingResponse) MessageName() string          { return "SetForwardingResponse" }
func (*GetForwarding) MessageName() string                  { return "GetForwarding" }
func (*GetForwardingResponse) MessageName() string          { return "GetForwardingResponse" }
func (*SetDoNotDisturb) MessageName() string                { return "SetDoNotDisturb" }
func (*SetDoNotDisturbResponse) MessageName() string        { return "SetDoNotDisturbResponse" }
func (*SystemStatus) MessageName() string                   { return "SystemStatus" }
func (*SystemStatusResponse) MessageName() string           { return "SystemStatusResponse" }
func (*SystemRegister) MessageName() string                 { return "SystemRegister" }
func (*SystemRegisterResponse) MessageName() string         { return "SystemRegisterResponse" }
