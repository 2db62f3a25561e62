package pbxsim

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

func TestDirectedPickup(t *testing.T) {
	f := newFixture(t, Config{}, "201", "202", "203")
	id := f.makeCall("201", "202")
	f.rec.take()
	resp := f.exec(&csta.DirectedPickupCall{CallToBePickedUp: cid(id, "202"), RequestingDevice: csta.Device("203")})
	if got := resp.(*csta.DirectedPickupCallResponse).PickedCall; got != cid(id, "203") {
		t.Fatalf("pickedCall %+v, want 203's connection in %s", got, id)
	}
	evs := f.expect(map[string][]string{
		"201": {"DivertedEvent connected callPickup", "EstablishedEvent connected callPickup"},
		"202": {"DivertedEvent null callPickup"},
		"203": {"EstablishedEvent connected callPickup"},
	})
	dv := f.find(evs, "202", "DivertedEvent").(*csta.DivertedEvent)
	if dv.DivertingDevice.Number != "202" || dv.NewDestination.Number != "203" || dv.Connection != cid(id, "202") {
		t.Fatalf("Diverted %+v", dv)
	}
	es := f.find(evs, "203", "EstablishedEvent").(*csta.EstablishedEvent)
	if es.AnsweringDevice.Number != "203" || es.LastRedirectionDevice.Number != "202" || es.CallingDevice.Number != "201" {
		t.Fatalf("Established %+v", es)
	}
	c, _ := f.p.Call(id)
	if len(c.Parties) != 2 || c.Parties[0].Device != "201" || c.Parties[1].Device != "203" {
		t.Fatalf("call after pickup %+v", c)
	}
	// Nothing rings at 202 any more; a connected call cannot be picked up.
	f.refuse(&csta.DirectedPickupCall{CallToBePickedUp: cid(id, "202"), RequestingDevice: csta.Device("204")},
		csta.ErrCatOperation, csta.ErrInvalidConnectionID)
	f.refuse(&csta.DirectedPickupCall{CallToBePickedUp: cid(id, "203"), RequestingDevice: csta.Device("204")},
		csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState)
}

func TestGroupPickupTakesTheLongestRinging(t *testing.T) {
	f := newFixture(t, Config{PickupGroups: []PickupGroup{{Number: "8001", Members: []string{"202", "203", "204"}}}},
		"201", "202", "203", "204", "205")
	first := f.makeCall("201", "203")
	second := f.makeCall("205", "202")
	f.rec.take()
	resp := f.exec(&csta.GroupPickupCall{NewDestination: csta.Device("204")})
	if got := resp.(*csta.GroupPickupCallResponse).PickedCall; got != cid(first, "204") {
		t.Fatalf("picked %+v, want the call ringing longest (%s at 203)", got, first)
	}
	f.expect(map[string][]string{
		"201": {"DivertedEvent connected callPickup", "EstablishedEvent connected callPickup"},
		"203": {"DivertedEvent null callPickup"},
		"204": {"EstablishedEvent connected callPickup"},
	})
	// 204 is busy now; 203, idle again, takes the other call, naming the group.
	f.refuse(&csta.GroupPickupCall{NewDestination: csta.Device("204")}, csta.ErrCatStateIncompatibility, csta.ErrInvalidObjectState)
	f.exec(&csta.GroupPickupCall{NewDestination: csta.Device("203"), PickupDevice: csta.Device("8001")})
	if c, _ := f.p.Call(second); len(c.Parties) != 2 || c.Parties[1].Device != "203" {
		t.Fatalf("second call %+v", c)
	}
	f.rec.take()
	// Nothing rings in the group; 201 is in no group.
	f.refuse(&csta.GroupPickupCall{NewDestination: csta.Device("202")}, csta.ErrCatStateIncompatibility, csta.ErrNoCallToAnswer)
	f.refuse(&csta.GroupPickupCall{NewDestination: csta.Device("201")}, csta.ErrCatOperation, csta.ErrInvalidDeviceID)
}

func TestPickupRefusedByMinimalProfile(t *testing.T) {
	f := newFixture(t, Config{Profile: "minimal", PickupGroups: []PickupGroup{{Members: []string{"202", "203"}}}}, "202")
	f.makeCall("201", "202")
	f.rec.take()
	f.refuse(&csta.DirectedPickupCall{CallToBePickedUp: csta.ConnectionID{DeviceID: csta.Device("202")},
		RequestingDevice: csta.Device("203")}, csta.ErrCatOperation, csta.ErrRequestedServiceNotSupported)
	f.refuse(&csta.GroupPickupCall{NewDestination: csta.Device("203")}, csta.ErrCatOperation, csta.ErrRequestedServiceNotSupported)
	f.expect(nil)
}

func TestPickupGroupConfig(t *testing.T) {
	for _, groups := range [][]PickupGroup{
		{{Number: "8001"}},
		{{Members: []string{"299"}}},
		{{Members: []string{"201"}}, {Members: []string{"201", "202"}}},
		{{Number: "205", Members: []string{"201"}}},
	} {
		if _, err := New(Config{Extensions: []string{"201-209"}, PickupGroups: groups}); err == nil {
			t.Errorf("pickup groups %+v accepted", groups)
		}
	}
}
