package cti

import (
	"strings"

	"github.com/ctibridge/ctibridge/csta"
)

// A request the PBX refuses comes back as a CSTAErrorCode (category and value, ECMA-269
// §9.3). Users get a sentence that says what it means for the request they made; the raw
// category and value stay in the reply (tapi.Reply.CSTACategory/CSTAValue) for support.
// This file is the one place where that translation is made.

// sentenceKey selects a sentence: a CSTA error value (or, for the fallbacks, a category),
// and optionally the op it answers ("" for every op).
type sentenceKey struct {
	code string
	op   Op
}

// Placeholders in sentences.
const (
	phNumber  = "{number}"  // the request's number (destination, ringing line or digits)
	phService = "{service}" // what the op does, in words (opWords)
)

// stateSentences are the per-op sentences of the state errors: the PBX says the call (or
// connection) is not in a state the service works in.
var stateSentences = map[Op]string{
	OpAnswer:           "the call is not ringing at this line any more",
	OpHold:             "the call is not connected, so it cannot be held",
	OpUnhold:           "the call is not on hold, so it cannot be retrieved",
	OpDrop:             "the call cannot be hung up in its present state",
	OpBlindTransfer:    "only a connected call can be transferred",
	OpSetupTransfer:    "a consultation call can be started only from a connected call",
	OpCompleteTransfer: "to complete a transfer the first call must be on hold and the consultation call connected",
	OpConference:       "to make a conference the first call must be on hold and the second connected",
	OpRedirect:         "only a call that is still ringing can be deflected",
	OpPickup:           "the call is not ringing any more, so it cannot be picked up",
	OpGroupPickup:      "no call is ringing in the pickup group any more",
	OpGenerateDigits:   "digits can be sent only on a connected call",
	OpMakeCall:         "the line cannot start a call now (is it busy or off-hook?)",
}

// cstaSentences translates CSTA error values, then categories (the fallback for a value not
// listed), with optional per-op overrides.
var cstaSentences = func() map[sentenceKey]string {
	m := map[sentenceKey]string{
		// State incompatibility.
		{csta.ErrInvalidObjectState, ""}:        "the call is not in a state that allows this",
		{csta.ErrInvalidConnectionState, ""}:    "the call is not in a state that allows this",
		{"incorrectObjectState", ""}:            "the call is not in a state that allows this",
		{csta.ErrNoCallToAnswer, ""}:            "there is no ringing call to answer at this line",
		{csta.ErrNoCallToAnswer, OpGroupPickup}: "no call is ringing in the pickup group",
		{csta.ErrNoCallToAnswer, OpPickup}:      "no call is ringing at " + phNumber,
		{csta.ErrNoActiveCall, ""}:              "there is no connected call at this line to act on",
		{csta.ErrNoHeldCall, ""}:                "there is no held call at this line",
		{csta.ErrNoHeldCall, OpUnhold}:          "the call is not on hold, so it cannot be retrieved",
		{csta.ErrNoCallToClear, ""}:             "there is no call to hang up at this line",
		{"noConnectionToClear", ""}:             "there is no call to hang up at this line",
		{"noCallToComplete", ""}:                "there is no consultation call to complete the transfer with",
		// Operation: the request names something the PBX does not accept.
		{csta.ErrInvalidCallID, ""}:                "the PBX no longer knows this call (it may have ended)",
		{csta.ErrInvalidConnectionID, ""}:          "the PBX no longer knows this call at this line (it may have ended)",
		{csta.ErrInvalidCalledDeviceID, ""}:        "the number " + phNumber + " cannot be reached: check it and try again",
		{csta.ErrInvalidDestination, ""}:           "the number " + phNumber + " cannot be reached: check it and try again",
		{csta.ErrInvalidCallingDeviceID, ""}:       "the PBX does not accept this line as the caller (is the extension set up for CTI on the PBX?)",
		{csta.ErrInvalidForwardingDestination, ""}: "calls cannot be forwarded to " + phNumber,
		{"invalidDeviceIDForForwarding", ""}:       "this line cannot be forwarded on the PBX",
		{csta.ErrInvalidDeviceID, ""}:              "the PBX does not know this device",
		{csta.ErrInvalidDeviceID, OpPickup}:        "the PBX does not know the device " + phNumber,
		{csta.ErrInvalidDeviceID, OpGroupPickup}:   "the PBX knows no pickup group for this line or number",
		{csta.ErrInvalidMonitorObject, ""}:         "the PBX does not know this device",
		{csta.ErrInvalidMonitorCrossRefID, ""}:     "the PBX has lost the bridge's monitor of this line; it is being set up again",
		{csta.ErrInvalidAgentState, ""}:            "the agent cannot go into that state now (log on first?)",
		{csta.ErrInvalidAgentGroup, ""}:            "this line is not an agent position of that group",
		{csta.ErrInvalidAgentIdentifier, ""}:       "the agent ID is not accepted (logged on at another line?)",
		{csta.ErrInvalidAgentPassword, ""}:         "the agent's password is not accepted",
		{csta.ErrObjectNotKnown, ""}:               "the PBX does not know this call or device (it may have ended)",
		{csta.ErrRequestAborted, ""}:               "the PBX aborted the request; try again",
		// Services.
		{csta.ErrRequestedServiceNotSupported, ""}:   "this PBX does not offer " + phService,
		{"requestedServiceNotSupported", ""}:         "this PBX does not offer " + phService,
		{csta.ErrRequestIncompatibleWithObject, ""}:  "this line or call does not support " + phService,
		{"requestIncompatibleWithDevice", ""}:        "this line does not support " + phService,
		{"requestIncompatibleWithCallingDevice", ""}: "this line does not support " + phService,
		{"requestIncompatibleWithCalledDevice", ""}:  "the number " + phNumber + " does not support " + phService,
		// Security.
		{csta.ErrSecurityViolation, ""}: "the PBX refused the request: the CTI user lacks the right (check the dialect and credentials)",
		// Resources.
		{csta.ErrResourceBusy, ""}:               "the PBX is busy; try again in a moment",
		{csta.ErrServiceBusy, ""}:                "the PBX is busy; try again in a moment",
		{"networkBusy", ""}:                      "the network is busy; try again in a moment",
		{csta.ErrResourceLimitExceeded, ""}:      "the PBX has reached a limit (too many calls or requests); try again later",
		{csta.ErrObjectMonitorLimitExceeded, ""}: "the PBX has reached its limit of monitored devices",
		{"resourceOutOfService", ""}:             "the device is out of service on the PBX",
		{"noAvailableAgents", ""}:                "no agent is available",

		// Categories, for values not listed above.
		{csta.ErrCatStateIncompatibility, ""}: "the call is not in a state that allows this",
		{csta.ErrCatSystemResource, ""}:       "the PBX is short of resources; try again later",
		{csta.ErrCatSubscribedResource, ""}:   "this line is not subscribed to " + phService + " on the PBX",
		{csta.ErrCatPerformance, ""}:          "the PBX is overloaded; try again later",
		{csta.ErrCatSecurity, ""}:             "the PBX refused the request: the CTI user lacks the right (check the dialect and credentials)",
		{csta.ErrCatPrivateData, ""}:          "the PBX refused the request with a vendor-specific error",
		{csta.ErrCatOperation, ""}:            "the PBX refused the request",
		{csta.ErrCatUnspecified, ""}:          "the PBX refused the request without saying why",
	}
	for op, s := range stateSentences {
		for _, v := range []string{csta.ErrInvalidObjectState, csta.ErrInvalidConnectionState, "incorrectObjectState", csta.ErrCatStateIncompatibility} {
			m[sentenceKey{v, op}] = s
		}
	}
	return m
}()

// opWords names what an op does, for "this PBX does not offer ...".
var opWords = map[Op]string{
	OpMakeCall:         "dialling from this line",
	OpAnswer:           "answering calls from the bridge",
	OpDrop:             "hanging up calls from the bridge",
	OpHold:             "holding calls",
	OpUnhold:           "retrieving held calls",
	OpBlindTransfer:    "blind transfer",
	OpSetupTransfer:    "consultation calls",
	OpCompleteTransfer: "completing transfers",
	OpConference:       "conferences",
	OpRedirect:         "deflecting calls",
	OpPickup:           "call pickup",
	OpGroupPickup:      "group pickup",
	OpGenerateDigits:   "sending DTMF digits",
	OpForward:          "call forwarding",
	OpDND:              "do not disturb",
	OpSetAgentState:    "agent states",
}

// CSTASentence says what a CSTA refusal of a request means, for people: the sentence of
// (value, op), else (value), else (category, op), else (category), else "the PBX refused the
// request". number fills in the request's number where the sentence names it.
func CSTASentence(op Op, number, category, value string) string {
	s, ok := "", false
	for _, k := range []sentenceKey{{value, op}, {value, ""}, {category, op}, {category, ""}} {
		if k.code == "" {
			continue
		}
		if s, ok = cstaSentences[k]; ok {
			break
		}
	}
	if !ok {
		s = "the PBX refused the request"
	}
	what := opWords[op]
	if what == "" {
		what = "this service"
	}
	if number == "" {
		s = strings.ReplaceAll(s, "the number "+phNumber, "the number")
		number = "that number"
	}
	return strings.NewReplacer(phNumber, number, phService, what).Replace(s)
}
