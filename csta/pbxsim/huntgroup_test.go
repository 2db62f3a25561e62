package pbxsim

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

// A call waiting in a hunt group's queue that a consultation brought there and a transfer
// then joined to the held call is the held call now: when a member is free the group offers
// the call that exists, never the consultation call the transfer ended.
func TestHuntGroupQueueFollowsATransferredCall(t *testing.T) {
	f := newFixture(t, Config{HuntGroups: []HuntGroup{{Number: "500", Members: []string{"203"}}}}, "201", "202", "203")
	f.must(f.p.SetBusy("203", true))
	first := f.connected("202", "201")
	_, err := f.p.Consult("201", "500")
	f.must(err)
	f.must(f.p.Transfer("201"))
	f.rec.take()
	f.must(f.p.SetBusy("203", false))
	// SetBusy does not serve queues by itself; a call ending anywhere does.
	f.connected("205", "206")
	f.must(f.p.HangUp("205"))
	evs := f.rec.take()
	var delivered *csta.DeliveredEvent
	for _, ev := range evs {
		if d, ok := ev.(*csta.DeliveredEvent); ok && f.rec.refs[ev.Common().MonitorCrossRefID] == "203" {
			delivered = d
		}
	}
	if delivered == nil {
		t.Fatalf("the queued call was not offered to 203: %d events", len(evs))
	}
	if delivered.Connection.CallID != first {
		t.Fatalf("203 was offered call %s; the switch's call is %s", delivered.Connection.CallID, first)
	}
	c, ok := f.p.Call(first)
	if !ok || len(c.Parties) != 2 || c.Parties[1].Device != "203" || c.Parties[1].State != csta.StateAlerting {
		t.Fatalf("call after the offer: %+v", c)
	}
}
