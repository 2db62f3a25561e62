package csta

import (
	"strconv"
	"strings"
)

// MonitorCrossRefID ties events to the MonitorStart that produced them.
type MonitorCrossRefID string

// LocalConnectionState is a connection's state as seen at one device (ECMA-269 §6.1.3).
// Values a switch sends outside the standard set are kept as they are.
type LocalConnectionState string

// The ECMA-269 local connection states.
const (
	StateNull      LocalConnectionState = "null"
	StateInitiated LocalConnectionState = "initiated"
	StateAlerting  LocalConnectionState = "alerting"
	StateConnected LocalConnectionState = "connected"
	StateHold      LocalConnectionState = "hold"
	StateQueued    LocalConnectionState = "queued"
	StateFail      LocalConnectionState = "fail"
)

// EventCause is the cause of an event (ECMA-269 §12.2.10). Unknown values are kept.
type EventCause string

// The event causes a bridge acts on; switches send others, which are kept verbatim.
const (
	CauseActiveParticipation   EventCause = "activeParticipation"
	CauseAlertTimeExpired      EventCause = "alertTimeExpired"
	CauseBlocked               EventCause = "blocked"
	CauseBusy                  EventCause = "busy"
	CauseCallCancelled         EventCause = "callCancelled"
	CauseCallForward           EventCause = "callForward"
	CauseCallForwardBusy       EventCause = "callForwardBusy"
	CauseCallForwardImmediate  EventCause = "callForwardImmediate"
	CauseCallForwardNoAnswer   EventCause = "callForwardNoAnswer"
	CauseCallNotAnswered       EventCause = "callNotAnswered"
	CauseCallPickup            EventCause = "callPickup"
	CauseConference            EventCause = "conference"
	CauseConsultation          EventCause = "consultation"
	CauseDestNotObtainable     EventCause = "destNotObtainable"
	CauseDistributed           EventCause = "distributed"
	CauseDoNotDisturb          EventCause = "doNotDisturb"
	CauseEnteringDistribution  EventCause = "enteringDistribution"
	CauseIncompatibleDest      EventCause = "incompatibleDestination"
	CauseInvalidNumberFormat   EventCause = "invalidNumberFormat"
	CauseKeyOperation          EventCause = "keyOperation"
	CauseMakeCall              EventCause = "makeCall"
	CauseNetworkCongestion     EventCause = "networkCongestion"
	CauseNetworkNotObtainable  EventCause = "networkNotObtainable"
	CauseNetworkSignal         EventCause = "networkSignal"
	CauseNewCall               EventCause = "newCall"
	CauseNoAvailableAgents     EventCause = "noAvailableAgents"
	CauseNormal                EventCause = "normal"
	CauseNormalClearing        EventCause = "normalClearing"
	CauseNumberChanged         EventCause = "numberChanged"
	CauseOverflow              EventCause = "overflow"
	CauseRecall                EventCause = "recall"
	CauseRedirected            EventCause = "redirected"
	CauseReorderTone           EventCause = "reorderTone"
	CauseResourcesNotAvailable EventCause = "resourcesNotAvailable"
	CauseSingleStepTransfer    EventCause = "singleStepTransfer"
	CauseTransfer              EventCause = "transfer"
	CauseTrunksBusy            EventCause = "trunksBusy"
)

// ForwardingType is the kind of call forwarding (ECMA-269 §12.2.18).
type ForwardingType string

// The forwarding types of ECMA-269.
const (
	ForwardImmediate         ForwardingType = "forwardImmediate"
	ForwardBusy              ForwardingType = "forwardBusy"
	ForwardNoAns             ForwardingType = "forwardNoAns"
	ForwardBusyInt           ForwardingType = "forwardBusyInt"
	ForwardBusyExt           ForwardingType = "forwardBusyExt"
	ForwardDND               ForwardingType = "forwardDND"
	ForwardImmInt            ForwardingType = "forwardImmInt"
	ForwardImmExt            ForwardingType = "forwardImmExt"
	ForwardNoAnsInt          ForwardingType = "forwardNoAnsInt"
	ForwardNoAnsExt          ForwardingType = "forwardNoAnsExt"
	ForwardBusyNoAns         ForwardingType = "forwardBusyNoAns"
	ForwardBusyNoAnsInternal ForwardingType = "forwardBusyNoAnsInt"
)

// SystemStatusValue is the value of a SystemStatus (ECMA-269 §12.2.24).
type SystemStatusValue string

// System status values.
const (
	SystemInitializing      SystemStatusValue = "initializing"
	SystemEnabled           SystemStatusValue = "enabled"
	SystemNormal            SystemStatusValue = "normal"
	SystemMessagesLost      SystemStatusValue = "messagesLost"
	SystemDisabled          SystemStatusValue = "disabled"
	SystemPartiallyDisabled SystemStatusValue = "partiallyDisabled"
	SystemOverloadImminent  SystemStatusValue = "overloadImminent"
	SystemOverloadReached   SystemStatusValue = "overloadReached"
	SystemOverloadRelieved  SystemStatusValue = "overloadRelieved"
)

// Edition is an ECMA-323 edition; it selects the namespace used when encoding.
type Edition int

// ECMA-323 editions.
const (
	Ed2 Edition = 2
	Ed3 Edition = 3
	Ed4 Edition = 4
	Ed5 Edition = 5
	Ed6 Edition = 6
)

// Namespace returns the CSTA XML namespace of the edition (ed4 for unknown values).
func (e Edition) Namespace() string {
	switch e {
	case Ed2:
		return "http://www.ecma.ch/standards/ecma-323/csta/ed2"
	case Ed3:
		return "http://www.ecma-international.org/standards/ecma-323/csta/ed3"
	case Ed5:
		return "http://www.ecma-international.org/standards/ecma-323/csta/ed5"
	case Ed6:
		return "http://www.ecma-international.org/standards/ecma-323/csta/ed6"
	}
	return "http://www.ecma-international.org/standards/ecma-323/csta/ed4"
}

// Editions lists the ECMA-323 editions the codec speaks, newest first.
func Editions() []Edition { return []Edition{Ed6, Ed5, Ed4, Ed3, Ed2} }

// EditionOf returns the edition whose namespace is ns (as a switch names it in
// actualProtocolVersion), or false for a namespace the codec does not know.
func EditionOf(ns string) (Edition, bool) {
	ns = strings.TrimSpace(ns)
	for _, e := range Editions() {
		if ns == e.Namespace() {
			return e, true
		}
	}
	return 0, false
}

// String names the edition as ECMA-323 does ("ed4").
func (e Edition) String() string { return "ed" + strconv.Itoa(int(e)) }

// ProtocolVersions is the requestedProtocolVersions list of a StartApplicationSession:
// first's namespace, then the other editions the codec speaks, newest first.
func ProtocolVersions(first Edition) []string {
	out := []string{first.Namespace()}
	for _, e := range Editions() {
		if e != first {
			out = append(out, e.Namespace())
		}
	}
	return out
}

// NamespaceACSE is the ECMA-354 application session namespace.
const NamespaceACSE = "http://www.ecma-international.org/standards/ecma-354/appl_session"
