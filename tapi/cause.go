package tapi

import "github.com/ctibridge/ctibridge/csta"

// disconnectMode maps an ECMA-269 event cause to the mode of LINECALLSTATE_DISCONNECTED.
func disconnectMode(c csta.EventCause) DisconnectMode {
	switch c {
	case "", csta.CauseNormal, csta.CauseNormalClearing, csta.CauseTransfer,
		csta.CauseSingleStepTransfer, csta.CauseConference, csta.CauseKeyOperation:
		return LINEDISCONNECTMODE_NORMAL
	case csta.CauseBusy:
		return LINEDISCONNECTMODE_BUSY
	case csta.CauseCallNotAnswered, csta.CauseAlertTimeExpired:
		return LINEDISCONNECTMODE_NOANSWER
	case csta.CauseDestNotObtainable, csta.CauseNetworkNotObtainable, csta.CauseReorderTone:
		return LINEDISCONNECTMODE_UNREACHABLE
	case csta.CauseInvalidNumberFormat:
		return LINEDISCONNECTMODE_BADADDRESS
	case csta.CauseNetworkCongestion, csta.CauseTrunksBusy:
		return LINEDISCONNECTMODE_CONGESTION
	case csta.CauseIncompatibleDest:
		return LINEDISCONNECTMODE_INCOMPATIBLE
	case csta.CauseNumberChanged:
		return LINEDISCONNECTMODE_NUMBERCHANGED
	case csta.CauseBlocked:
		return LINEDISCONNECTMODE_BLOCKED
	case csta.CauseDoNotDisturb:
		return LINEDISCONNECTMODE_DONOTDISTURB
	case csta.CauseCallCancelled:
		return LINEDISCONNECTMODE_CANCELLED
	case csta.CauseCallPickup:
		return LINEDISCONNECTMODE_PICKUP
	case csta.CauseCallForward, csta.CauseCallForwardBusy, csta.CauseCallForwardImmediate,
		csta.CauseCallForwardNoAnswer, csta.CauseRedirected:
		return LINEDISCONNECTMODE_FORWARDED
	case csta.CauseResourcesNotAvailable, csta.CauseNoAvailableAgents:
		return LINEDISCONNECTMODE_UNAVAIL
	case "callRejected", "rejected":
		return LINEDISCONNECTMODE_REJECT
	case csta.CauseNetworkSignal:
		return LINEDISCONNECTMODE_TEMPFAILURE
	}
	return LINEDISCONNECTMODE_UNKNOWN
}

// offeringReason maps the cause of a Delivered or Established event at the line to
// LINECALLREASON: why the call came here.
func offeringReason(c csta.EventCause, redirected bool) CallReason {
	switch c {
	case csta.CauseCallForwardImmediate, csta.CauseCallForward:
		return LINECALLREASON_FWDUNCOND
	case csta.CauseCallForwardBusy:
		return LINECALLREASON_FWDBUSY
	case csta.CauseCallForwardNoAnswer:
		return LINECALLREASON_FWDNOANSWER
	case csta.CauseRedirected:
		return LINECALLREASON_REDIRECT
	case csta.CauseCallPickup:
		return LINECALLREASON_PICKUP
	case csta.CauseTransfer, csta.CauseSingleStepTransfer:
		return LINECALLREASON_TRANSFER
	case csta.CauseRecall:
		return LINECALLREASON_REMINDER
	}
	if redirected {
		return LINECALLREASON_REDIRECT
	}
	return LINECALLREASON_DIRECT
}

// forwardMode maps an ECMA-269 forwarding type to LINEFORWARDMODE.
func forwardMode(t csta.ForwardingType) ForwardMode {
	switch t {
	case csta.ForwardImmediate:
		return LINEFORWARDMODE_UNCOND
	case csta.ForwardImmInt:
		return LINEFORWARDMODE_UNCONDINTERNAL
	case csta.ForwardImmExt:
		return LINEFORWARDMODE_UNCONDEXTERNAL
	case csta.ForwardBusy:
		return LINEFORWARDMODE_BUSY
	case csta.ForwardBusyInt:
		return LINEFORWARDMODE_BUSYINTERNAL
	case csta.ForwardBusyExt:
		return LINEFORWARDMODE_BUSYEXTERNAL
	case csta.ForwardNoAns:
		return LINEFORWARDMODE_NOANSW
	case csta.ForwardNoAnsInt:
		return LINEFORWARDMODE_NOANSWINTERNAL
	case csta.ForwardNoAnsExt:
		return LINEFORWARDMODE_NOANSWEXTERNAL
	case csta.ForwardBusyNoAns:
		return LINEFORWARDMODE_BUSYNA
	case csta.ForwardBusyNoAnsInternal:
		return LINEFORWARDMODE_BUSYNAINTERNAL
	}
	return LINEFORWARDMODE_UNKNOWN
}
