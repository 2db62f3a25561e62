package tapi

// CategoryTransport is the pseudo error category the engine passes to LineErrFromCSTA when a
// request failed because the CSTA link dropped or timed out (no CSTAErrorCode came back).
const CategoryTransport = "transport"

// LineErrFromCSTA maps a CSTAErrorCode (ECMA-269 §9.3: category is the CHOICE element, value
// its content, as in csta.Error) to the LINEERR_* code a TAPI application expects in
// LINE_REPLY. Unknown values fall back to the category's code; unknown categories to
// LINEERR_OPERATIONFAILED.
func LineErrFromCSTA(category, value string) LineErr {
	switch value {
	case "invalidCallID", "invalidConnectionID":
		return LINEERR_INVALCALLHANDLE
	case "invalidConnectionState", "invalidObjectState", "incorrectObjectState",
		"noActiveCall", "noHeldCall", "noCallToAnswer", "noCallToClear",
		"noConnectionToClear", "noCallToComplete":
		return LINEERR_INVALCALLSTATE
	case "invalidCalledDeviceID", "invalidDestination", "invalidCallingDeviceID",
		"invalidForwardingDestination", "invalidDeviceIDForForwarding":
		return LINEERR_INVALADDRESS
	case "invalidDeviceID", "invalidMonitorObject":
		return LINEERR_BADDEVICEID
	case "resourceBusy", "serviceBusy", "resourceLimitExceeded", "objectMonitorLimitExceeded",
		"resourceOutOfService", "networkBusy", "noAvailableAgents":
		return LINEERR_RESOURCEUNAVAIL
	case "serviceNotSupported", "requestIncompatibleWithObject", "securityViolation",
		"requestIncompatibleWithDevice", "requestIncompatibleWithCallingDevice",
		"requestIncompatibleWithCalledDevice":
		return LINEERR_OPERATIONUNAVAIL
	case "invalidMonitorCrossRefID":
		return LINEERR_INVALLINEHANDLE
	case "invalidAgentState":
		return LINEERR_INVALAGENTSTATE
	case "invalidAgentGroup":
		return LINEERR_INVALAGENTGROUP
	case "invalidAgentIdentifier", "invalidAgentPassword":
		return LINEERR_INVALAGENTID
	}
	switch category {
	case "stateIncompatibility":
		return LINEERR_INVALCALLSTATE
	case "systemResourceAvailability", "performanceManagement":
		return LINEERR_RESOURCEUNAVAIL
	case "security", "subscribedResourceAvailability":
		return LINEERR_OPERATIONUNAVAIL
	}
	// operation/generic, privateData, unspecified, transport loss and anything unknown.
	return LINEERR_OPERATIONFAILED
}
