package reducer

import (
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

var (
	fuzzLines   = []string{"201", "202", "203", "299"} // 299 is not monitored
	fuzzCallIDs = []string{"C1", "C2", "C3", "C4", ""}
	fuzzDevices = []string{"201", "202", "203", "205", "N<+4930555123>;noa=nk", ""}
	fuzzCauses  = []csta.EventCause{"", csta.CauseNormalClearing, csta.CauseBusy, csta.CauseConsultation,
		csta.CauseCallForwardNoAnswer, csta.CauseRedirected, csta.CauseCallPickup, csta.CauseTransfer,
		csta.CauseCallNotAnswered, csta.CauseSingleStepTransfer}
)

// fuzzReader hands out bytes of the fuzz input, then zeros.
type fuzzReader struct {
	b []byte
	i int
}

func (r *fuzzReader) next() int {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return int(r.b[r.i-1])
}

func (r *fuzzReader) pick(n int) int { return r.next() % n }
func (r *fuzzReader) dev() csta.DeviceID {
	return csta.Device(fuzzDevices[r.pick(len(fuzzDevices))])
}
func (r *fuzzReader) conn() csta.ConnectionID {
	return csta.ConnectionID{CallID: fuzzCallIDs[r.pick(len(fuzzCallIDs))], DeviceID: r.dev()}
}
func (r *fuzzReader) items() []csta.ConnectionListItem {
	n := r.pick(4)
	out := make([]csta.ConnectionListItem, n)
	for i := range out {
		out[i] = csta.ConnectionListItem{NewConnection: r.conn(), OldConnection: r.conn(), Endpoint: r.dev()}
	}
	return out
}

// fuzzEvent builds one CSTA event from the input; the bool is false for the bridge-level
// operations (link loss, cold reset) that go through State methods instead.
func fuzzEvent(r *fuzzReader) (csta.Event, int) {
	kind := r.pick(21)
	common := csta.EventCommon{Cause: fuzzCauses[r.pick(len(fuzzCauses))]}
	switch kind {
	case 0:
		return &csta.ServiceInitiatedEvent{EventCommon: common, InitiatedConnection: r.conn(), InitiatingDevice: r.dev()}, kind
	case 1:
		return &csta.OriginatedEvent{EventCommon: common, OriginatedConnection: r.conn(), CallingDevice: r.dev(), CalledDevice: r.dev()}, kind
	case 2:
		return &csta.NetworkReachedEvent{EventCommon: common, OutboundConnection: r.conn(), NetworkInterfaceUsed: r.dev(),
			CallingDevice: r.dev(), CalledDevice: r.dev()}, kind
	case 3:
		return &csta.DeliveredEvent{EventCommon: common, Connection: r.conn(), AlertingDevice: r.dev(),
			CallingDevice: r.dev(), CalledDevice: r.dev(), LastRedirectionDevice: r.dev()}, kind
	case 4:
		return &csta.EstablishedEvent{EventCommon: common, EstablishedConnection: r.conn(), AnsweringDevice: r.dev(),
			CallingDevice: r.dev(), CalledDevice: r.dev()}, kind
	case 5:
		return &csta.HeldEvent{EventCommon: common, HeldConnection: r.conn(), HoldingDevice: r.dev()}, kind
	case 6:
		return &csta.RetrievedEvent{EventCommon: common, RetrievedConnection: r.conn(), RetrievingDevice: r.dev()}, kind
	case 7:
		return &csta.ConnectionClearedEvent{EventCommon: common, DroppedConnection: r.conn(), ReleasingDevice: r.dev()}, kind
	case 8:
		return &csta.CallClearedEvent{EventCommon: common, ClearedCall: r.conn()}, kind
	case 9:
		return &csta.FailedEvent{EventCommon: common, FailedConnection: r.conn(), FailingDevice: r.dev(),
			CallingDevice: r.dev(), CalledDevice: r.dev()}, kind
	case 10:
		return &csta.DivertedEvent{EventCommon: common, Connection: r.conn(), DivertingDevice: r.dev(),
			NewDestination: r.dev(), CallingDevice: r.dev(), CalledDevice: r.dev()}, kind
	case 11:
		return &csta.TransferredEvent{EventCommon: common, PrimaryOldCall: r.conn(), SecondaryOldCall: r.conn(),
			TransferringDevice: r.dev(), TransferredToDevice: r.dev(), TransferredConnections: r.items()}, kind
	case 12:
		return &csta.ConferencedEvent{EventCommon: common, PrimaryOldCall: r.conn(), SecondaryOldCall: r.conn(),
			ConferencingDevice: r.dev(), AddedParty: r.dev(), ConferenceConnections: r.items()}, kind
	case 13:
		return &csta.QueuedEvent{EventCommon: common, QueuedConnection: r.conn(), Queue: r.dev(), CallingDevice: r.dev()}, kind
	case 14:
		return &csta.DoNotDisturbEvent{EventCommon: common, Device: r.dev(), DoNotDisturbOn: r.pick(2) == 1}, kind
	case 15:
		return &csta.ForwardingEvent{EventCommon: common, Device: r.dev(), ForwardingType: csta.ForwardBusy,
			ForwardStatus: r.pick(2) == 1, ForwardTo: r.dev()}, kind
	case 16:
		return &csta.OutOfServiceEvent{Device: r.dev()}, kind
	case 17:
		return &csta.BackInServiceEvent{Device: r.dev()}, kind
	case 18:
		return &csta.AgentStateEvent{Kind: "AgentReady"}, kind
	}
	return nil, kind // 19: link loss/restore, 20: cold reset
}

// FuzzReducer applies random event sequences: the reducer must never panic, never bring a
// call back from IDLE, never emit an invalid event and keep its indexes consistent.
func FuzzReducer(f *testing.F) {
	f.Add([]byte{3, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 0, 0, 1, 0, 0, 5, 3, 0, 0, 0, 0, 3, 0, 11, 0, 0, 0, 0, 1, 0, 0, 1, 2})
	f.Add([]byte("transfer conference deflect hold retrieve busy noanswer"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := NewState("hq")
		for _, l := range fuzzLines[:3] {
			s.AddLine(l, "")
		}
		h := newHistory()
		r := &fuzzReader{b: data}
		now := t0
		for step := 0; r.i < len(r.b) && step < 200; step++ {
			now = now.Add(time.Second)
			line := fuzzLines[r.pick(len(fuzzLines))]
			ev, kind := fuzzEvent(r)
			var res Result
			switch {
			case ev != nil:
				res = s.Apply(line, ev, now)
			case kind == 19:
				res = s.SetInService(r.pick(2) == 1, now)
			default:
				res = s.Reset("cold resync", now)
			}
			if err := h.check(s, res); err != nil {
				t.Fatalf("step %d (kind %d at %s): %v", step, kind, line, err)
			}
		}
	})
}
