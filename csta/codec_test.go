package csta

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the encoder")

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "xml", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDecode(t testing.TB, b []byte) Message {
	t.Helper()
	m, err := Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return m
}

// The golden table: vendor-shaped fixtures and the typed value each must decode to.
var goldenCases = []struct {
	file string
	want Message
}{
	{"osv-ServiceInitiatedEvent.xml", &ServiceInitiatedEvent{
		EventCommon: EventCommon{
			MonitorCrossRefID: "1169730071", LocalConnectionInfo: StateInitiated, Cause: CauseMakeCall,
			Extensions: []byte(`<extensions><privateData><private xmlns:scx="http://www.siemens.com/schema/csta"><scx:extendedServicesPermitted/></private></privateData></extensions>`),
		},
		InitiatedConnection: ConnectionID{CallID: "FF000100000000002D65C85C1C7A0000", DeviceID: DeviceID{Raw: "493012345201", Number: "493012345201"}},
		InitiatingDevice:    DeviceID{Raw: "N<+493012345201>;noa=nk", Number: "+493012345201"},
	}},
	{"osv-DeliveredEvent.xml", &DeliveredEvent{
		EventCommon: EventCommon{
			MonitorCrossRefID: "1173673911", LocalConnectionInfo: StateAlerting, Cause: CauseEnteringDistribution,
			Extensions: []byte(`<extensions>
      <privateData>
         <private xmlns:scx="http://www.siemens.com/schema/csta">
            <scx:cdrTrunkSeizureDateTime>2026/11/23 09:14:02</scx:cdrTrunkSeizureDateTime>
            <scx:extendedServicesPermitted/>
         </private>
      </privateData>
   </extensions>`),
		},
		Connection:            ConnectionID{CallID: "FF00010000000000EC6114647E5A0000", DeviceID: DeviceID{Raw: "493012345202", Number: "493012345202"}},
		AlertingDevice:        DeviceID{Raw: "N<+493012345202>;noa=nk", Number: "+493012345202"},
		CallingDevice:         DeviceID{Raw: "N<+4989765432>Mueller & Sohn;displayNumber=+4989765432;uid=FF00010000000000EC6114647E5A0000", Number: "+4989765432", Name: "Mueller & Sohn"},
		CalledDevice:          DeviceID{Raw: "N<+493012345202>;noa=nk", Number: "+493012345202"},
		LastRedirectionDevice: DeviceID{Absent: "notRequired"},
		NetworkCalledDevice:   DeviceID{Raw: "02912", Number: "02912"},
		ACDCall:               true,
	}},
	{"StartApplicationSessionPosResponse.xml", &StartApplicationSessionPosResponse{
		SessionID: "004411927", ActualProtocolVersion: "http://www.ecma-international.org/standards/ecma-323/csta/ed4",
		ActualSessionDuration: 300, Extensions: []byte(`<extensions><actualHBT>0</actualHBT></extensions>`),
	}},
	{"MonitorStartResponse.xml", &MonitorStartResponse{MonitorCrossRefID: "1169730071"}},
	{"SnapshotDeviceResponse-empty.xml", &SnapshotDeviceResponse{}},
	{"SnapshotDeviceResponse.xml", &SnapshotDeviceResponse{Items: []SnapshotDeviceItem{
		{Connection: ConnectionID{CallID: "0A11", DeviceID: Device("201")}, States: []LocalConnectionState{StateHold}},
		{Connection: ConnectionID{CallID: "0A12", DeviceID: Device("201")}, States: []LocalConnectionState{StateConnected}},
	}}},
	{"CSTAErrorCode.xml", &Error{Category: ErrCatStateIncompatibility, Value: ErrInvalidConnectionState}},
	{"client-MonitorStart-prefixed.xml", &MonitorStart{MonitorObject: Device("3012345201")}},
	{"client-DeflectCall-nonamespace.xml", &DeflectCall{
		CallToBeDiverted: ConnectionID{CallID: "FF000100000000006BB1234C3A000000", DeviceID: Device("SUB_A")},
		NewDestination:   Device("SUB_B"),
	}},
	{"client-SystemStatus-ed2.xml", &SystemStatus{SystemStatus: SystemDisabled}},
	{"client-DirectedPickupCall.xml", &DirectedPickupCall{
		CallToBePickedUp: ConnectionID{CallID: "FF000100000000006BB1234C3A000000", DeviceID: Device("202")},
		RequestingDevice: Device("203"),
	}},
	{"DirectedPickupCallResponse.xml", &DirectedPickupCallResponse{
		PickedCall: ConnectionID{CallID: "FF000100000000006BB1234C3A000000", DeviceID: Device("203")},
	}},
	// pickupDevice is how some switches name the ASN.1 pickGroup member; it decodes the same.
	{"client-GroupPickupCall-pickupDevice.xml", &GroupPickupCall{NewDestination: Device("203"), PickupDevice: Device("8001")}},
	{"GroupPickupCallResponse.xml", &GroupPickupCallResponse{
		PickedCall: ConnectionID{CallID: "FF000100000000006BB1234C3A000001", DeviceID: Device("203")},
	}},
}

func TestDecodeGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			got := mustDecode(t, readFixture(t, tc.file))
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decoded\n%#v\nwant\n%#v", got, tc.want)
			}
		})
	}
}

// TestRoundTripGolden checks encode->decode gives the same value and a second encode the same
// bytes, and compares the ed4 encoding with testdata/golden (go test -update rewrites it).
func TestRoundTripGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.file, func(t *testing.T) {
			first, err := Encode(nil, tc.want, Ed4)
			if err != nil {
				t.Fatal(err)
			}
			back := mustDecode(t, first)
			if !reflect.DeepEqual(back, tc.want) {
				t.Fatalf("round trip changed the value:\n%#v\nwant\n%#v\nxml %s", back, tc.want, first)
			}
			second, err := Encode(nil, back, Ed4)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Fatalf("encoding not stable:\n%s\n%s", first, second)
			}
			golden := filepath.Join("testdata", "golden", strings.TrimSuffix(tc.file, ".xml")+".ed4.xml")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, first, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update once)", err)
			}
			if !bytes.Equal(first, want) {
				t.Fatalf("encoding differs from %s:\n got %s\nwant %s", golden, first, want)
			}
		})
	}
}

// TestRoundTripAllMessages encodes a populated value of every message type in every edition.
func TestRoundTripAllMessages(t *testing.T) {
	conn := ConnectionID{CallID: "C1", DeviceID: Device("201")}
	conn2 := ConnectionID{CallID: "C2", DeviceID: Device("202")}
	ext := Device("N<+4930555>;noa=nk")
	common := EventCommon{MonitorCrossRefID: "7", LocalConnectionInfo: StateConnected, Cause: "someVendorCause"}
	list := []ConnectionListItem{{NewConnection: conn2, OldConnection: conn, Endpoint: Device("203")}}
	msgs := []Message{
		&MonitorStart{MonitorObject: Device("201")}, &MonitorStartResponse{MonitorCrossRefID: "9"},
		&MonitorStop{MonitorCrossRefID: "9"}, &MonitorStopResponse{},
		&SnapshotDevice{SnapshotObject: Device("201")},
		&SnapshotDeviceResponse{Items: []SnapshotDeviceItem{{Connection: conn, States: []LocalConnectionState{StateAlerting}}}},
		&SnapshotCall{SnapshotObject: conn},
		&SnapshotCallResponse{Items: []SnapshotCallItem{{Device: Device("201"), Connection: conn, State: StateConnected}, {Device: ext, Connection: conn2, State: StateHold}}},
		&MakeCall{CallingDevice: Device("201"), CalledDirectoryNumber: Device("0049 30 555"), AutoOriginate: "prompt", CorrelatorData: "crm<42>"},
		&MakeCallResponse{CallingDevice: conn}, &AnswerCall{CallToBeAnswered: conn}, &AnswerCallResponse{},
		&ClearConnection{ConnectionToBeCleared: conn}, &ClearConnectionResponse{},
		&HoldCall{CallToBeHeld: conn}, &HoldCallResponse{}, &RetrieveCall{CallToBeRetrieved: conn}, &RetrieveCallResponse{},
		&ConsultationCall{ExistingCall: conn, ConsultedDevice: Device("203")}, &ConsultationCallResponse{InitiatedCall: conn2},
		&TransferCall{HeldCall: conn, ActiveCall: conn2}, &TransferCallResponse{TransferredCall: conn},
		&ConferenceCall{HeldCall: conn, ActiveCall: conn2}, &ConferenceCallResponse{ConferenceCall: conn},
		&SingleStepTransferCall{ActiveCall: conn, TransferredTo: Device("204")}, &SingleStepTransferCallResponse{TransferredCall: conn2},
		&DeflectCall{CallToBeDiverted: conn, NewDestination: Device("205")}, &DeflectCallResponse{},
		&DirectedPickupCall{CallToBePickedUp: conn, RequestingDevice: Device("206")}, &DirectedPickupCallResponse{PickedCall: ConnectionID{CallID: "C1", DeviceID: Device("206")}},
		&GroupPickupCall{NewDestination: Device("206"), PickupDevice: Device("8001")}, &GroupPickupCall{NewDestination: Device("206")},
		&GroupPickupCallResponse{PickedCall: conn2}, &GroupPickupCallResponse{},
		&GenerateDigits{ConnectionToSendDigits: conn, CharactersToSend: "12#*"}, &GenerateDigitsResponse{},
		&SetForwarding{Device: Device("201"), ForwardingType: ForwardNoAns, ActivateForward: true, ForwardDN: Device("299"), RingCount: 4},
		&SetForwardingResponse{}, &GetForwarding{Device: Device("201")},
		&GetForwardingResponse{Forwards: []ForwardListItem{{ForwardingType: ForwardImmediate, ForwardStatus: true, ForwardDN: Device("299")}, {ForwardingType: ForwardBusy}}},
		&SetDoNotDisturb{Device: Device("201"), DoNotDisturbOn: true}, &SetDoNotDisturbResponse{},
		&SystemStatus{SystemStatus: SystemNormal}, &SystemStatusResponse{}, &SystemRegister{}, &SystemRegisterResponse{SysStatRegisterID: "r1"},
		&StartApplicationSession{ApplicationID: "ctibridge", UserID: "cti", Password: "s&cret", RequestedProtocolVersions: []string{Ed4.Namespace()}, RequestedSessionDuration: 180},
		&StartApplicationSessionPosResponse{SessionID: "s1", ActualProtocolVersion: Ed4.Namespace(), ActualSessionDuration: 180},
		&StartApplicationSessionNegResponse{ErrorCode: "invalidApplicationInfo"},
		&ResetApplicationSessionTimer{SessionID: "s1", RequestedSessionDuration: 180},
		&ResetApplicationSessionTimerPosResponse{ActualSessionDuration: 180},
		&ResetApplicationSessionTimerNegResponse{ErrorCode: "invalidSessionID"},
		&StopApplicationSession{SessionID: "s1", EndingReason: "normal"}, &StopApplicationSessionPosResponse{},
		&ServiceInitiatedEvent{EventCommon: common, InitiatedConnection: conn, InitiatingDevice: Device("201")},
		&OriginatedEvent{EventCommon: common, OriginatedConnection: conn, CallingDevice: Device("201"), CalledDevice: ext},
		&NetworkReachedEvent{EventCommon: common, OutboundConnection: conn2, NetworkInterfaceUsed: Device("T1"), CallingDevice: Device("201"), CalledDevice: ext},
		&DeliveredEvent{EventCommon: common, Connection: conn2, AlertingDevice: Device("202"), CallingDevice: ext, CalledDevice: Device("202"), LastRedirectionDevice: DeviceID{Absent: "notKnown"}, NetworkCallingDevice: ext, NetworkCalledDevice: Device("02912")},
		&EstablishedEvent{EventCommon: common, EstablishedConnection: conn2, AnsweringDevice: Device("202"), CallingDevice: ext, CalledDevice: Device("202"), LastRedirectionDevice: Device("201")},
		&HeldEvent{EventCommon: common, HeldConnection: conn, HoldingDevice: Device("201")},
		&RetrievedEvent{EventCommon: common, RetrievedConnection: conn, RetrievingDevice: Device("201")},
		&ConnectionClearedEvent{EventCommon: common, DroppedConnection: conn, ReleasingDevice: Device("201")},
		&CallClearedEvent{EventCommon: common, ClearedCall: ConnectionID{CallID: "C1"}},
		&TransferredEvent{EventCommon: common, PrimaryOldCall: conn, SecondaryOldCall: conn2, TransferringDevice: Device("201"), TransferredToDevice: Device("203"), TransferredConnections: list},
		&ConferencedEvent{EventCommon: common, PrimaryOldCall: conn, SecondaryOldCall: conn2, ConferencingDevice: Device("201"), AddedParty: Device("203"), ConferenceConnections: list},
		&DivertedEvent{EventCommon: common, Connection: conn, DivertingDevice: Device("201"), NewDestination: Device("209"), CallingDevice: ext, CalledDevice: Device("201"), LastRedirectionDevice: Device("201")},
		&FailedEvent{EventCommon: common, FailedConnection: conn2, FailingDevice: Device("202"), CallingDevice: Device("201"), CalledDevice: Device("202")},
		&QueuedEvent{EventCommon: common, QueuedConnection: conn, Queue: Device("600"), CallingDevice: ext, CalledDevice: Device("600"), NumberQueued: 3},
		&DoNotDisturbEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Device: Device("201"), DoNotDisturbOn: true},
		&ForwardingEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Device: Device("201"), ForwardingType: ForwardImmediate, ForwardStatus: true, ForwardTo: Device("299")},
		&OutOfServiceEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Device: Device("201")},
		&BackInServiceEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Device: Device("201")},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Kind: "AgentReady", AgentDevice: Device("201"), AgentID: "a1"},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Kind: AgentEventLoggedOn, AgentDevice: Device("201"), AgentID: "a1", ACDGroup: Device("600")},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7", Cause: CauseNormal, Extensions: []byte(`<extensions><privateData><private><reasonCode>12</reasonCode></private></privateData></extensions>`)},
			Kind: AgentEventLoggedOff, AgentDevice: Device("201"), AgentID: "a1", ACDGroup: Device("600"), ReasonCode: "12"},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7", Extensions: []byte(`<extensions><privateData><private><reasonCode>3&amp;4</reasonCode></private></privateData></extensions>`)},
			Kind: AgentEventNotReady, AgentDevice: Device("201"), ACDGroup: Device("600"), ReasonCode: "3&4"},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Kind: AgentEventWorkingAfterCall, AgentDevice: Device("201"), AgentID: "a1", ACDGroup: Device("600"), PendingAgentState: AgentReady},
		&AgentStateEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, Kind: AgentEventBusy, AgentDevice: Device("201"), ACDGroup: Device("600"), PendingAgentState: AgentNotReady},
		&SetAgentState{Device: Device("201"), RequestedAgentState: ReqLoggedOn, AgentID: "a1", Password: "p<w>", Group: Device("600")},
		&SetAgentState{Device: Device("201"), RequestedAgentState: ReqNotReady, ReasonCode: "12"},
		&SetAgentStateResponse{}, &SetAgentStateResponse{PendingAgentState: AgentNotReady},
		&GetAgentState{Device: Device("201")}, &GetAgentState{Device: Device("201"), ACDGroup: Device("600")},
		&GetAgentStateResponse{Agents: []AgentStateEntry{{LoggedOn: false}}},
		&GetAgentStateResponse{Agents: []AgentStateEntry{{AgentID: "a1", LoggedOn: true, Info: []AgentInfo{
			{ACDGroup: Device("600"), State: AgentBusy, Pending: AgentWorkingAfterCall}, {ACDGroup: Device("601"), State: AgentReady}}}}},
		&Error{Category: ErrCatOperation, Value: ErrInvalidCallID},
	}
	for _, ed := range []Edition{Ed2, Ed3, Ed4, Ed5, Ed6} {
		for _, m := range msgs {
			b, err := Encode(nil, m, ed)
			if err != nil {
				t.Fatalf("%s: %v", m.MessageName(), err)
			}
			if !bytes.Contains(b, []byte(ed.Namespace())) && !isSessionMessage(m.MessageName()) {
				t.Fatalf("%s: ed%d namespace missing: %s", m.MessageName(), ed, b)
			}
			back, err := Decode(b)
			if err != nil {
				t.Fatalf("%s: decode own encoding: %v\n%s", m.MessageName(), err, b)
			}
			if !reflect.DeepEqual(back, m) {
				t.Fatalf("%s ed%d round trip:\n got %#v\nwant %#v\nxml %s", m.MessageName(), ed, back, m, b)
			}
		}
	}
	// every registered decoder is covered
	seen := map[string]bool{}
	for _, m := range msgs {
		seen[m.MessageName()] = true
	}
	for name := range decoders {
		if !seen[name] {
			t.Errorf("no round-trip case for %s", name)
		}
	}
}

func TestDecodeErrorCodeAsError(t *testing.T) {
	m := mustDecode(t, readFixture(t, "CSTAErrorCode.xml"))
	var err error = m.(*Error)
	var ce *Error
	if !errors.As(err, &ce) || ce.Category != ErrCatStateIncompatibility {
		t.Fatalf("errors.As failed: %v", err)
	}
	if !IsCSTAError(err, ErrInvalidConnectionState) {
		t.Fatal("IsCSTAError false")
	}
	if got := err.Error(); got != "csta error: stateIncompatibility/invalidConnectionState" {
		t.Fatalf("message %q", got)
	}
}

func TestDecodeUnknownMessage(t *testing.T) {
	raw := readFixture(t, "unknown-VendorSkillChangedEvent.xml")
	m := mustDecode(t, raw)
	u, ok := m.(*UnknownMessage)
	if !ok {
		t.Fatalf("got %T", m)
	}
	if u.Name != "VendorSkillChangedEvent" || u.Namespace != Ed6.Namespace() || !bytes.Equal(u.Raw, raw) {
		t.Fatalf("unknown message %+v", u)
	}
}

func TestDecodeTransferredSpellings(t *testing.T) {
	for _, name := range []string{"TransferedEvent", "TransferredEvent"} {
		m := mustDecode(t, []byte(`<`+name+`><monitorCrossRefID>1</monitorCrossRefID><transferringDevice><deviceIdentifier>201</deviceIdentifier></transferringDevice></`+name+`>`))
		ev, ok := m.(*TransferredEvent)
		if !ok || ev.TransferringDevice.Number != "201" {
			t.Fatalf("%s: %#v", name, m)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	cases := map[string]string{
		"empty":             ``,
		"text only":         `hello`,
		"unclosed":          `<MakeCall><callingDevice>201</callingDevice>`,
		"mismatched":        `<MakeCall><a></b></MakeCall>`,
		"two roots":         `<A/><B/>`,
		"doctype":           `<!DOCTYPE x [<!ENTITY a "b">]><MakeCall/>`,
		"bad entity":        `<MakeCall><callingDevice>&bogus;</callingDevice></MakeCall>`,
		"unquoted attr":     `<MakeCall a=b/>`,
		"bad integer":       `<QueuedEvent><numberQueued>many</numberQueued></QueuedEvent>`,
		"late declaration":  `<A><?xml version="1.0"?></A>`,
		"invalid utf8":      "<A>\xff</A>",
		"duplicate attr":    `<A x="1" x="2"/>`,
		"bad char ref":      `<A>&#0;</A>`,
		"unterminated cdat": `<A><![CDATA[x</A>`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			m, err := Decode([]byte(in))
			var de *DecodeError
			if err == nil || !errors.As(err, &de) {
				t.Fatalf("want *DecodeError, got %v, %#v", err, m)
			}
			if de.Reason == "" {
				t.Fatal("error without reason")
			}
		})
	}
}

func TestDeviceNormalisation(t *testing.T) {
	cases := []struct{ raw, number, name string }{
		{"201", "201", ""},
		{"N<+4930123>;noa=nk", "+4930123", ""},
		{"N<7868772298>Line71001;displayNumber=7868772298;uid=FF", "7868772298", ""}, // a line label, not a name
		{"N<+4989765432>Mueller & Sohn;displayNumber=+4989765432", "+4989765432", "Mueller & Sohn"},
		{"N<202>Bob;noa=nk", "202", "Bob"},
		{"N<202>T1", "202", ""},
		{"+4930123;ext=5", "+4930123", ""},
		{" 3021 ", "3021", ""},
		{"N<unterminated", "N<unterminated", ""},
	}
	for _, c := range cases {
		d := Device(c.raw)
		if d.Number != c.number || d.Name != c.name || d.Raw != c.raw {
			t.Errorf("Device(%q) = %+v", c.raw, d)
		}
	}
}
