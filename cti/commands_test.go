package cti

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

var cmdExts = exts(200, 212)

type cmdFixture struct {
	t *testing.T
	s *sim
	b *bridge
	n uint32
}

func newCmdFixture(t *testing.T) *cmdFixture {
	s := newSim(t, "200-299")
	pc := s.pbxConfig("200-212", "999") // 999 is unknown to the PBX: its monitor fails
	b := startBridge(t, nil, "i1", pc, nil)
	waitFor(t, "link up", b.activeIs("primary"))
	waitFor(t, "999 out of service", func() error {
		if l, ok := b.e.Line("hq/999"); !ok || l.InService {
			return fmt.Errorf("hq/999: %+v", l)
		}
		return nil
	})
	return &cmdFixture{t: t, s: s, b: b}
}

func (f *cmdFixture) do(req Request) tapi.Reply {
	f.t.Helper()
	f.n++
	req.ID = f.n
	rep := f.b.e.Do(context.Background(), req)
	if rep.RequestID != req.ID {
		f.t.Fatalf("reply for request %d carries ID %d", req.ID, rep.RequestID)
	}
	return rep
}

func (f *cmdFixture) ok(req Request) tapi.Reply {
	f.t.Helper()
	rep := f.do(req)
	if rep.Result != 0 {
		f.t.Fatalf("%s on %s: %v %s", req.Op, req.Line, rep.Result, rep.Error)
	}
	return rep
}

func (f *cmdFixture) fails(req Request, want tapi.LineErr, msg string) {
	f.t.Helper()
	rep := f.do(req)
	if rep.Result != want || !strings.Contains(rep.Error, msg) {
		f.t.Fatalf("%s on %s: got %v %q, want %v containing %q", req.Op, req.Line, rep.Result, rep.Error, want, msg)
	}
}

// refusedByPBX checks a request the PBX refused: the result, the sentence, and the CSTA
// error kept in the reply (value "" accepts any value of the category).
func (f *cmdFixture) refusedByPBX(req Request, want tapi.LineErr, sentence, category, value string) {
	f.t.Helper()
	rep := f.do(req)
	if rep.Result != want || rep.Error != sentence || rep.CSTACategory != category ||
		(value != "" && rep.CSTAValue != value) || rep.CSTAValue == "" {
		f.t.Fatalf("%s on %s: got %+v, want %v %q with CSTA %s/%s", req.Op, req.Line, rep, want, sentence, category, value)
	}
}

// callIn waits for line to have a call in state s and returns it.
func (f *cmdFixture) callIn(line string, s tapi.CallState) tapi.Call {
	f.t.Helper()
	var found tapi.Call
	waitFor(f.t, line+" in "+s.String(), func() error {
		for _, c := range f.b.e.Calls("hq/" + line) {
			if c.State == s {
				found = c
				return nil
			}
		}
		return fmt.Errorf("calls %+v", f.b.e.Calls("hq/"+line))
	})
	return found
}

func (f *cmdFixture) truth() {
	f.t.Helper()
	waitFor(f.t, "bridge equals the PBX", f.b.matchesTruth(f.s, f.s.primary, cmdExts))
}

func TestCommandsEndToEnd(t *testing.T) {
	f := newCmdFixture(t)
	// makeCall 200 -> 201; answer at 201.
	rep := f.ok(Request{Op: OpMakeCall, Line: "hq/200", Number: "201"})
	if rep.Handle == "" {
		t.Fatal("makeCall reply carries no handle")
	}
	if c, ok := f.b.e.pbxs["hq"].view.call(rep.Handle); !ok || c.Line != "hq/200" {
		t.Fatalf("makeCall handle %s: %+v", rep.Handle, c)
	}
	ring := f.callIn("201", tapi.LINECALLSTATE_OFFERING)
	f.ok(Request{Op: OpAnswer, Line: "hq/201", Handle: ring.Handle})
	f.callIn("201", tapi.LINECALLSTATE_CONNECTED)
	f.truth()

	// hold / unhold / digits at 200.
	f.ok(Request{Op: OpHold, Line: "hq/200", Handle: rep.Handle})
	f.callIn("200", tapi.LINECALLSTATE_ONHOLD)
	f.ok(Request{Op: OpUnhold, Line: "hq/200", Handle: rep.Handle})
	f.callIn("200", tapi.LINECALLSTATE_CONNECTED)
	f.ok(Request{Op: OpGenerateDigits, Line: "hq/200", Handle: rep.Handle, Number: "12*#"})
	f.fails(Request{Op: OpGenerateDigits, Line: "hq/200", Handle: rep.Handle, Number: "12x"}, tapi.LINEERR_INVALDIGITS, "not allowed")

	// setupTransfer 201 -> 202, answered, completeTransfer: 200 talks to 202.
	cons := f.ok(Request{Op: OpSetupTransfer, Line: "hq/201", Handle: ring.Handle, Number: "202"})
	if cons.Handle == "" || cons.Handle == ring.Handle {
		t.Fatalf("setupTransfer handle %q", cons.Handle)
	}
	f.callIn("201", tapi.LINECALLSTATE_ONHOLDPENDTRANSFER)
	if err := f.s.p.Answer("202"); err != nil {
		t.Fatal(err)
	}
	f.callIn("202", tapi.LINECALLSTATE_CONNECTED)
	f.ok(Request{Op: OpCompleteTransfer, Line: "hq/201", Handle: ring.Handle, Handle2: cons.Handle})
	f.truth()
	if n := len(f.b.e.Calls("hq/201")); n != 0 {
		t.Fatalf("201 still has %d calls after transferring", n)
	}

	// conference: 203 calls 204, consults 205, joins all three.
	c1 := f.ok(Request{Op: OpMakeCall, Line: "hq/203", Number: "204"})
	f.s.p.Answer("204")
	f.callIn("203", tapi.LINECALLSTATE_CONNECTED)
	c2 := f.ok(Request{Op: OpSetupTransfer, Line: "hq/203", Handle: c1.Handle, Number: "205"})
	f.s.p.Answer("205")
	f.callIn("205", tapi.LINECALLSTATE_CONNECTED)
	f.ok(Request{Op: OpConference, Line: "hq/203", Handle: c1.Handle, Handle2: c2.Handle})
	f.callIn("203", tapi.LINECALLSTATE_CONFERENCED)
	f.truth()

	// blindTransfer: 206 calls 207, 207 transfers to 208; redirect 208 -> 209; pickup by 210.
	f.ok(Request{Op: OpMakeCall, Line: "hq/206", Number: "207"})
	in := f.callIn("207", tapi.LINECALLSTATE_OFFERING)
	f.ok(Request{Op: OpAnswer, Line: "hq/207", Handle: in.Handle})
	f.callIn("207", tapi.LINECALLSTATE_CONNECTED)
	f.ok(Request{Op: OpBlindTransfer, Line: "hq/207", Handle: in.Handle, Number: "208"})
	r8 := f.callIn("208", tapi.LINECALLSTATE_OFFERING)
	f.ok(Request{Op: OpRedirect, Line: "hq/208", Handle: r8.Handle, Number: "209"})
	f.callIn("209", tapi.LINECALLSTATE_OFFERING)
	pick := f.ok(Request{Op: OpPickup, Line: "hq/210", Number: "209"})
	if pick.Handle == "" {
		t.Error("pickup reply carries no handle")
	}
	// DirectedPickupCall connects 210 at once (Diverted, then Established with callPickup).
	if c := f.callIn("210", tapi.LINECALLSTATE_CONNECTED); c.Handle != pick.Handle || c.Info.Reason != tapi.LINECALLREASON_PICKUP {
		t.Errorf("picked call %+v, reply handle %s", c, pick.Handle)
	}
	f.truth()

	// drop ends the call at the PBX.
	f.ok(Request{Op: OpDrop, Line: "hq/200", Handle: rep.Handle})
	f.truth()

	// forward and DND change the line.
	f.ok(Request{Op: OpForward, Line: "hq/211", ForwardMode: "LINEFORWARDMODE_UNCOND", Enable: true, Number: "212"})
	waitFor(t, "forwarding on the line", func() error {
		l, _ := f.b.e.Line("hq/211")
		if len(l.Forwarding) != 1 || l.Forwarding[0].Destination != "212" {
			return fmt.Errorf("forwarding %+v", l.Forwarding)
		}
		return nil
	})
	if d, _ := f.s.p.Device("211"); len(d.Forwards) != 1 || d.Forwards[0].Type != csta.ForwardImmediate {
		t.Fatalf("PBX forwarding %+v", d.Forwards)
	}
	f.ok(Request{Op: OpForward, Line: "hq/211", ForwardMode: "LINEFORWARDMODE_UNCOND", Enable: false})
	f.ok(Request{Op: OpDND, Line: "hq/212", Enable: true})
	waitFor(t, "DND on the line", func() error {
		if l, _ := f.b.e.Line("hq/212"); !l.DND {
			return fmt.Errorf("line %+v", l)
		}
		return nil
	})
	f.b.rec.checkSequences(t)

	// The journal has the transferred call of 201 and the dropped call of 200.
	j, err := f.b.e.Journal(context.Background(), "hq/200", 0, 10)
	if err != nil || len(j) == 0 || j[0].Outcome != "answered" {
		t.Fatalf("journal of 200: %+v %v", j, err)
	}
	checkHistory(t, f.b.e)
}

func TestCommandErrors(t *testing.T) {
	f := newCmdFixture(t)
	f.fails(Request{Op: OpMakeCall, Line: "hq/250", Number: "201"}, tapi.LINEERR_BADDEVICEID, "not monitored")
	f.fails(Request{Op: OpMakeCall, Line: "nowhere/201", Number: "201"}, tapi.LINEERR_BADDEVICEID, "unknown line")
	f.fails(Request{Op: OpMakeCall, Line: "hq/200"}, tapi.LINEERR_INVALADDRESS, "destination")
	f.fails(Request{Op: "fly", Line: "hq/200"}, tapi.LINEERR_OPERATIONUNAVAIL, "unknown op")
	f.fails(Request{Op: OpDrop, Line: "hq/200", Handle: "hq:9999"}, tapi.LINEERR_INVALCALLHANDLE, "no call hq:9999")
	f.fails(Request{Op: OpDrop, Line: "hq/200"}, tapi.LINEERR_INVALCALLHANDLE, "required")
	f.fails(Request{Op: OpForward, Line: "hq/200", ForwardMode: "sideways", Enable: true, Number: "1"}, tapi.LINEERR_INVALPARAM, "forwardMode")
	// Device the PBX does not know: its monitor failed, the PBX refuses the call.
	if l, _ := f.b.e.Line("hq/999"); l.InService {
		t.Fatal("hq/999 in service although its MonitorStart failed")
	}
	f.refusedByPBX(Request{Op: OpMakeCall, Line: "hq/999", Number: "201"}, tapi.LINEERR_INVALADDRESS,
		"the PBX does not accept this line as the caller (is the extension set up for CTI on the PBX?)", csta.ErrCatOperation, csta.ErrInvalidCallingDeviceID)

	// A call on another line, and a CSTA state error: holding a ringing call.
	rep := f.ok(Request{Op: OpMakeCall, Line: "hq/200", Number: "201"})
	ring := f.callIn("201", tapi.LINECALLSTATE_OFFERING)
	f.fails(Request{Op: OpAnswer, Line: "hq/202", Handle: ring.Handle}, tapi.LINEERR_INVALCALLHANDLE, "is on line hq/201")
	// Issue 16: the PBX's refusal is a sentence for people, its CSTA error kept as members.
	f.refusedByPBX(Request{Op: OpHold, Line: "hq/201", Handle: ring.Handle}, tapi.LINEERR_INVALCALLSTATE,
		"the call is not connected, so it cannot be held", csta.ErrCatStateIncompatibility, "")
	f.fails(Request{Op: OpCompleteTransfer, Line: "hq/200", Handle: rep.Handle}, tapi.LINEERR_INVALCONSULTCALLHANDLE, "handle2")
	// Answering a call that is connected already.
	f.ok(Request{Op: OpAnswer, Line: "hq/201", Handle: ring.Handle})
	f.callIn("201", tapi.LINECALLSTATE_CONNECTED)
	f.refusedByPBX(Request{Op: OpAnswer, Line: "hq/201", Handle: ring.Handle}, tapi.LINEERR_INVALCALLSTATE,
		"the call is not ringing at this line any more", csta.ErrCatStateIncompatibility, "")
	f.ok(Request{Op: OpDrop, Line: "hq/201", Handle: ring.Handle})

	// Busy destination: the call is placed and goes BUSY.
	if err := f.s.p.SetBusy("+4930555000", true); err != nil {
		t.Fatal(err)
	}
	busy := f.ok(Request{Op: OpMakeCall, Line: "hq/205", Number: "+4930555000"})
	f.callIn("205", tapi.LINECALLSTATE_BUSY)
	f.ok(Request{Op: OpDrop, Line: "hq/205", Handle: busy.Handle})
	waitFor(t, "busy call in the journal", func() error {
		j, err := f.b.e.Journal(context.Background(), "hq/205", 0, 1)
		if err != nil || len(j) != 1 || j[0].Outcome != "busy" {
			return fmt.Errorf("journal %+v %v", j, err)
		}
		return nil
	})

	// Link down: the command waits for the link (a switchover), and fails without sending
	// once no node has answered for the out-of-service grace.
	f.s.primary.Kill()
	f.s.standby.Kill()
	waitFor(t, "no active node", func() error {
		if a := f.b.e.Links()[0].Active; a != "" {
			return fmt.Errorf("active %q", a)
		}
		return nil
	})
	f.fails(Request{Op: OpMakeCall, Line: "hq/203", Number: "204"}, tapi.LINEERR_RESOURCEUNAVAIL, "not sent")
	f.b.rec.checkSequences(t)
}
