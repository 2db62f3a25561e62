package cti

import (
	"context"
	"slices"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// wantCallFunc extracts, from a service's response, the call ID of the call the service
// creates (for the reply's handle); noCall for services that create none.
type wantCallFunc = func(csta.Message) string

// builder makes the CSTA service of one op for the acting device dev.
type builder func(o *router, ctx context.Context, dev csta.DeviceID, ext string, req Request) (csta.Message, wantCallFunc, *commandError)

// builders is the CSTA side of the op table: one builder per op of wire.Ops. The service of
// each op, and whether it creates a call, are those of wire.Ops; TestOpTable holds them in step.
var builders = map[Op]builder{
	OpMakeCall:         buildMakeCall,
	OpAnswer:           buildOnCall,
	OpDrop:             buildOnCall,
	OpHold:             buildOnCall,
	OpUnhold:           buildOnCall,
	OpBlindTransfer:    buildToNumber,
	OpSetupTransfer:    buildToNumber,
	OpRedirect:         buildToNumber,
	OpCompleteTransfer: buildJoin,
	OpConference:       buildJoin,
	OpGenerateDigits:   buildGenerateDigits,
	OpPickup:           buildPickup,
	OpGroupPickup:      buildGroupPickup,
	OpForward:          buildForward,
	OpDND:              buildDND,
	OpSetAgentState:    buildSetAgentState,
}

// build validates a request and returns its CSTA service, with the function that extracts
// the call ID of the call the service creates.
func (o *router) build(ctx context.Context, ext string, req Request) (csta.Message, wantCallFunc, *commandError) {
	if req.Op == "" {
		return nil, nil, refuse(tapi.LINEERR_OPERATIONUNAVAIL, "request has no op")
	}
	b, ok := builders[req.Op]
	if !ok {
		return nil, nil, refuse(tapi.LINEERR_OPERATIONUNAVAIL, "unknown op %q", req.Op)
	}
	return b(o, ctx, csta.Device(ext), ext, req)
}

// responseCallID returns a wantCallFunc reading the created call from a response of type R.
func responseCallID[R csta.Message](get func(R) string) wantCallFunc {
	return func(m csta.Message) string {
		if r, ok := m.(R); ok {
			return get(r)
		}
		return ""
	}
}

func buildMakeCall(_ *router, _ context.Context, dev csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	if req.Number == "" {
		return nil, nil, refuse(tapi.LINEERR_INVALADDRESS, "makeCall needs a destination number")
	}
	auto := "doNotPrompt"
	if req.Prompt {
		auto = "prompt"
	}
	return &csta.MakeCall{CallingDevice: dev, CalledDirectoryNumber: csta.Device(req.Number), AutoOriginate: auto},
		responseCallID(func(r *csta.MakeCallResponse) string { return r.CallingDevice.CallID }), nil
}

// buildOnCall: answer, drop, hold and unhold act on one call of the line.
func buildOnCall(o *router, ctx context.Context, _ csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	cn, cerr := o.callConn(ctx, req.Line, req.Handle, tapi.LINEERR_INVALCALLHANDLE, "handle")
	if cerr != nil {
		return nil, nil, cerr
	}
	switch req.Op {
	case OpAnswer:
		return &csta.AnswerCall{CallToBeAnswered: cn}, noCall, nil
	case OpDrop:
		return &csta.ClearConnection{ConnectionToBeCleared: cn}, noCall, nil
	case OpHold:
		return &csta.HoldCall{CallToBeHeld: cn}, noCall, nil
	}
	return &csta.RetrieveCall{CallToBeRetrieved: cn}, noCall, nil
}

// buildToNumber: blind transfer, consultation and deflection send a call of the line to a number.
func buildToNumber(o *router, ctx context.Context, _ csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	cn, cerr := o.callConn(ctx, req.Line, req.Handle, tapi.LINEERR_INVALCALLHANDLE, "handle")
	if cerr != nil {
		return nil, nil, cerr
	}
	if req.Number == "" {
		return nil, nil, refuse(tapi.LINEERR_INVALADDRESS, "%s needs a destination number", req.Op)
	}
	to := csta.Device(req.Number)
	switch req.Op {
	case OpBlindTransfer:
		return &csta.SingleStepTransferCall{ActiveCall: cn, TransferredTo: to}, noCall, nil
	case OpRedirect:
		return &csta.DeflectCall{CallToBeDiverted: cn, NewDestination: to}, noCall, nil
	}
	return &csta.ConsultationCall{ExistingCall: cn, ConsultedDevice: to},
		responseCallID(func(r *csta.ConsultationCallResponse) string { return r.InitiatedCall.CallID }), nil
}

// buildJoin: complete transfer and conference join the held call (handle) and the active one
// (handle2).
func buildJoin(o *router, ctx context.Context, _ csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	held, cerr := o.callConn(ctx, req.Line, req.Handle, tapi.LINEERR_INVALCALLHANDLE, "handle")
	if cerr != nil {
		return nil, nil, cerr
	}
	code := tapi.LINEERR_INVALCONSULTCALLHANDLE
	if req.Op == OpConference {
		code = tapi.LINEERR_INVALCONFCALLHANDLE
	}
	active, cerr := o.callConn(ctx, req.Line, req.Handle2, code, "handle2")
	if cerr != nil {
		return nil, nil, cerr
	}
	if req.Handle == req.Handle2 {
		return nil, nil, refuse(code, "handle and handle2 are the same call %s", req.Handle)
	}
	if req.Op == OpConference {
		return &csta.ConferenceCall{HeldCall: held, ActiveCall: active}, noCall, nil
	}
	return &csta.TransferCall{HeldCall: held, ActiveCall: active}, noCall, nil
}

func buildGenerateDigits(o *router, ctx context.Context, _ csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	cn, cerr := o.callConn(ctx, req.Line, req.Handle, tapi.LINEERR_INVALCALLHANDLE, "handle")
	if cerr != nil {
		return nil, nil, cerr
	}
	if req.Number == "" {
		return nil, nil, refuse(tapi.LINEERR_INVALDIGITS, "generateDigits needs the digits in number")
	}
	digits, err := wire.CleanDigits(req.Number)
	if err != nil {
		return nil, nil, refuse(tapi.LINEERR_INVALDIGITS, "generateDigits: %v", err)
	}
	return &csta.GenerateDigits{ConnectionToSendDigits: cn, CharactersToSend: digits}, noCall, nil
}

func buildPickup(o *router, ctx context.Context, _ csta.DeviceID, ext string, req Request) (csta.Message, wantCallFunc, *commandError) {
	return o.buildPickup(ctx, ext, req)
}

func buildGroupPickup(_ *router, _ context.Context, dev csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	m := &csta.GroupPickupCall{NewDestination: dev}
	if req.Number != "" {
		m.PickupDevice = csta.Device(req.Number) // a group number, or a member of the group
	}
	return m, responseCallID(func(r *csta.GroupPickupCallResponse) string { return r.PickedCall.CallID }), nil
}

func buildForward(_ *router, _ context.Context, dev csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	var mode tapi.ForwardMode
	if err := mode.UnmarshalText([]byte(req.ForwardMode)); err != nil {
		return nil, nil, refuse(tapi.LINEERR_INVALPARAM, "forwardMode %q: %v", req.ForwardMode, err)
	}
	ft, ok := forwardingType(mode)
	if !ok {
		return nil, nil, refuse(tapi.LINEERR_INVALPARAM, "forwardMode %s has no CSTA forwarding type", mode)
	}
	if req.Enable && req.Number == "" {
		return nil, nil, refuse(tapi.LINEERR_INVALADDRESS, "forward needs a destination number to enable forwarding")
	}
	if err := wire.CheckRingCount(req.RingCount); err != nil {
		return nil, nil, refuse(tapi.LINEERR_INVALPARAM, "%v", err)
	}
	m := &csta.SetForwarding{Device: dev, ForwardingType: ft, ActivateForward: req.Enable, RingCount: req.RingCount}
	if req.Number != "" {
		m.ForwardDN = csta.Device(req.Number)
	}
	return m, noCall, nil
}

func buildDND(_ *router, _ context.Context, dev csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	return &csta.SetDoNotDisturb{Device: dev, DoNotDisturbOn: req.Enable}, noCall, nil
}

func buildSetAgentState(_ *router, _ context.Context, dev csta.DeviceID, _ string, req Request) (csta.Message, wantCallFunc, *commandError) {
	if !slices.Contains(wire.AgentStates, req.AgentState) {
		return nil, nil, refuse(tapi.LINEERR_INVALAGENTSTATE, "agentState %q: want one of %v", req.AgentState, wire.AgentStates)
	}
	m := &csta.SetAgentState{Device: dev, RequestedAgentState: csta.RequestedAgentState(req.AgentState),
		AgentID: req.AgentID, ReasonCode: req.ReasonCode}
	if req.Group != "" {
		m.Group = csta.Device(req.Group)
	}
	return m, noCall, nil
}
