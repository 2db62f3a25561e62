package reducer

import (
	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// disconnectMode maps an ECMA-269 event cause to the mode of LINECALLSTATE_DISCONNECTED.
func disconnectMode(c csta.EventCause) tapi.DisconnectMode {
	switch c {
	case "", csta.CauseNormal, csta.CauseNormalClearing, csta.CauseTransfer,
		csta.CauseSingleStepTransfer, csta.CauseConference, csta.CauseKeyOperation:
		return tapi.LINEDISCONNECTMODE_NORMAL
	case csta.CauseBusy:
		return tapi.LINEDISCONNECTMODE_BUSY
	case csta.CauseCallNotAnswered, csta.CauseAlertTimeExpired:
		return tapi.LINEDISCONNECTMODE_NOANSWER
	case csta.CauseDestNotObtainable, csta.CauseNetworkNotObtainable, csta.CauseReorderTone:
		return tapi.LINEDISCONNECTMODE_UNREACHABLE
	case csta.CauseInvalidNumberFormat:
		return tapi.LINEDISCONNECTMODE_BADADDRESS
	case csta.CauseNetworkCongestion, csta.CauseTrunksBusy:
		return tapi.LINEDISCONNECTMODE_CONGESTION
	case csta.CauseIncompatibleDest:
		return tapi.LINEDISCONNECTMODE_INCOMPATIBLE
	case csta.CauseNumberChanged:
		return tapi.LINEDISCONNECTMODE_NUMBERCHANGED
	case csta.CauseBlocked:
		return tapi.LINEDISCONNECTMODE_BLOCKED
	case csta.CauseDoNotDisturb:
		return tapi.LINEDISCONNECTMODE_DONOTDISTURB
	case csta.CauseCallCancelled:
		return tapi.LINEDISCONNECTMODE_CANCELLED
	case csta.CauseCallPickup:
		return tapi.LINEDISCONNECTMODE_PICKUP
	case csta.CauseCallForward, csta.CauseCallForwardBusy, csta.CauseCallForwardImmediate,
		csta.CauseCallForwardNoAnswer, csta.CauseRedirected:
		return tapi.LINEDISCONNECTMODE_FORWARDED
	case csta.CauseResourcesNotAvailable, csta.CauseNoAvailableAgents:
		return tapi.LINEDISCONNECTMODE_UNAVAIL
	case "callRejected", "rejected":
		return tapi.LINEDISCONNECTMODE_REJECT
	case csta.CauseNetworkSignal:
		return tapi.LINEDISCONNECTMODE_TEMPFAILURE
	}
	return tapi.LINEDISCONNECTMODE_UNKNOWN
}

// divertedMode is the mode of the LINECALLSTATE_DISCONNECTED a call ends with at a line it
// was diverted away from while ringing: PICKUP when another device took it (callPickup),
// NOANSWER when the switch moved it on because nobody answered (a hunt group's member, say),
// and FORWARDED for every other diversion: forwarding (callForward*), deflection and
// redirection (redirected), distribution. tapi.h defines LINEDISCONNECTMODE_FORWARDED and
// _PICKUP for exactly this ("the call was forwarded by the switch", "the call was picked up
// from elsewhere"), so a CRM can tell a call sent on from one missed at the desk.
func divertedMode(c csta.EventCause) tapi.DisconnectMode {
	switch c {
	case csta.CauseCallPickup:
		return tapi.LINEDISCONNECTMODE_PICKUP
	case csta.CauseCallNotAnswered, csta.CauseAlertTimeExpired:
		return tapi.LINEDISCONNECTMODE_NOANSWER
	}
	return tapi.LINEDISCONNECTMODE_FORWARDED
}

// offeringReason maps the cause of a Delivered or Established event at the line to
// LINECALLREASON: why the call came here.
func offeringReason(c csta.EventCause, redirected bool) tapi.CallReason {
	switch c {
	case csta.CauseCallForwardImmediate, csta.CauseCallForward:
		return tapi.LINECALLREASON_FWDUNCOND
	case csta.CauseCallForwardBusy:
		return tapi.LINECALLREASON_FWDBUSY
	case csta.CauseCallForwardNoAnswer:
		return tapi.LINECALLREASON_FWDNOANSWER
	case csta.CauseRedirected:
		return tapi.LINECALLREASON_REDIRECT
	case csta.CauseCallPickup:
		return tapi.LINECALLREASON_PICKUP
	case csta.CauseTransfer, csta.CauseSingleStepTransfer:
		return tapi.LINECALLREASON_TRANSFER
	case csta.CauseRecall:
		return tapi.LINECALLREASON_REMINDER
	}
	if redirected {
		return tapi.LINECALLREASON_REDIRECT
	}
	return tapi.LINECALLREASON_DIRECT
}

// forwardMode maps an ECMA-269 forwarding type to LINEFORWARDMODE.
func forwardMode(t csta.ForwardingType) tapi.ForwardMode {
	switch t {
	case csta.ForwardImmediate:
		return tapi.LINEFORWARDMODE_UNCOND
	case csta.ForwardImmInt:
		return tapi.LINEFORWARDMODE_UNCONDINTERNAL
	case csta.ForwardImmExt:
		return tapi.LINEFORWARDMODE_UNCONDEXTERNAL
	case csta.ForwardBusy:
		return tapi.LINEFORWARDMODE_BUSY
	case csta.ForwardBusyInt:
		return tapi.LINEFORWARDMODE_BUSYINTERNAL
	case csta.ForwardBusyExt:
		return tapi.LINEFORWARDMODE_BUSYEXTERNAL
	case csta.ForwardNoAns:
		return tapi.LINEFORWARDMODE_NOANSW
	case csta.ForwardNoAnsInt:
		return tapi.LINEFORWARDMODE_NOANSWINTERNAL
	case csta.ForwardNoAnsExt:
		return tapi.LINEFORWARDMODE_NOANSWEXTERNAL
	case csta.ForwardBusyNoAns:
		return tapi.LINEFORWARDMODE_BUSYNA
	case csta.ForwardBusyNoAnsInternal:
		return tapi.LINEFORWARDMODE_BUSYNAINTERNAL
	}
	return tapi.LINEFORWARDMODE_UNKNOWN
}
