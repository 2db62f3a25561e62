package tspcore

import (
	"encoding/binary"
	"fmt"
	"testing"
	"unicode/utf16"

	"github.com/ctibridge/ctibridge/tapi"
)

// Offsets of members in the structures, from the layouts checked against tapi.h.
func dw(t *testing.T, l *layout, buf []byte, name string) uint32 {
	t.Helper()
	off, ok := l.offset[name]
	if !ok {
		t.Fatalf("%s has no member %s", l.name, name)
	}
	return binary.LittleEndian.Uint32(buf[off:])
}

func str(t *testing.T, l *layout, buf []byte, prefix string) string {
	t.Helper()
	size, off := dw(t, l, buf, prefix+"Size"), dw(t, l, buf, prefix+"Offset")
	if size == 0 {
		return ""
	}
	u := make([]uint16, size/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(buf[int(off)+2*i:])
	}
	if u[len(u)-1] != 0 {
		t.Fatalf("%s%s is not NUL-terminated", l.name, prefix)
	}
	return string(utf16.Decode(u[:len(u)-1]))
}

func newBuf(size int) []byte {
	b := make([]byte, size)
	binary.LittleEndian.PutUint32(b, uint32(size))
	return b
}

func TestInboundCall(t *testing.T) {
	s := openAlice(t, Config{})
	sim(t, shared.control, "/incoming", map[string]string{"from": "+4989123456", "to": "201"})
	// A call the application did not start: LINE_NEWCALL first, then its state.
	s.step(t, "external call rings at 201", "",
		"LINE_NEWCALL ht=0x101",
		"LINE_CALLSTATE ht=0x101 OFFERING mode=0x1") // LINEOFFERINGMODE_ACTIVE
	hd := s.hd(t, 0x101)

	info := newBuf(2048)
	must(t, "TSPI_lineGetCallInfo", s.p.CallInfo(hd, info))
	if got := str(t, lineCallInfoLayout, info, "dwCallerID"); got != "+4989123456" {
		t.Errorf("caller ID %q, want +4989123456", got)
	}
	if got := dw(t, lineCallInfoLayout, info, "dwOrigin"); got != uint32(tapi.LINECALLORIGIN_EXTERNAL) {
		t.Errorf("dwOrigin %#x, want LINECALLORIGIN_EXTERNAL", got)
	}
	if got := dw(t, lineCallInfoLayout, info, "dwLineDeviceID"); got != s.device {
		t.Errorf("dwLineDeviceID %d, want %d", got, s.device)
	}
	status := newBuf(256)
	must(t, "TSPI_lineGetCallStatus", s.p.CallStatus(hd, status))
	if st, f := dw(t, lineCallStatusLayout, status, "dwCallState"), dw(t, lineCallStatusLayout, status, "dwCallFeatures"); st != uint32(tapi.LINECALLSTATE_OFFERING) || f&LINECALLFEATURE_ANSWER == 0 {
		t.Errorf("call status: state %#x features %#x; want OFFERING with LINECALLFEATURE_ANSWER", st, f)
	}

	must(t, "TSPI_lineAnswer", s.p.Answer(11, hd))
	s.step(t, "lineAnswer", "COMPLETE 11 OK",
		"LINE_CALLINFO ht=0x101 CONNECTEDID",
		"LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1") // LINECONNECTEDMODE_ACTIVE

	must(t, "TSPI_lineDrop", s.p.Drop(12, hd))
	s.step(t, "lineDrop", "COMPLETE 12 OK", "LINE_CALLSTATE ht=0x101 IDLE")
	must(t, "TSPI_lineCloseCall", s.p.CloseCall(hd))
	if err := s.p.Answer(13, hd); CodeOf(err) != tapi.LINEERR_INVALCALLHANDLE {
		t.Errorf("lineAnswer on a closed call: %v, want LINEERR_INVALCALLHANDLE", err)
	}
	s.quiet(t)
}

func TestOutboundCall(t *testing.T) {
	s := openAlice(t, Config{})
	hd, err := s.p.MakeCall(21, s.hdLine, 0xA1, "T 2-0 2") // tone prefix and separators go
	must(t, "TSPI_lineMakeCall", err)
	// TAPI already has htCall 0xA1: no LINE_NEWCALL, and the request completes before the
	// call's first state.
	ev := s.rec.waitFor(t, "RINGBACK")
	expectSeq(t, "lineMakeCall to 202", ev, []string{
		"COMPLETE 21 OK",
		"LINE_CALLSTATE ht=0xa1 DIALTONE mode=0x20", // LINEDIALTONEMODE_UNAVAIL: the PBX dials
		"LINE_CALLINFO ht=0xa1 CALLEDID",
		"LINE_CALLSTATE ht=0xa1 PROCEEDING",
		"LINE_CALLSTATE ht=0xa1 RINGBACK",
	})
	if got := s.hd(t, 0xA1); got != hd {
		t.Fatalf("htCall 0xA1 maps to hdCall %#x, lineMakeCall returned %#x", got, hd)
	}
	sim(t, shared.control, "/devices/202/answer", nil)
	s.step(t, "202 answers", "",
		"LINE_CALLINFO ht=0xa1 CONNECTEDID",
		"LINE_CALLSTATE ht=0xa1 CONNECTED mode=0x1")
	sim(t, shared.control, "/devices/202/hangup", nil)
	// The PBX clears 201's side itself once the far end is gone.
	s.step(t, "202 hangs up", "",
		"LINE_CALLSTATE ht=0xa1 DISCONNECTED mode=0x1", // LINEDISCONNECTMODE_NORMAL
		"LINE_CALLSTATE ht=0xa1 IDLE")
	// Applications drop every call before deallocating it; an idle one drops at once.
	must(t, "TSPI_lineDrop", s.p.Drop(22, hd))
	s.step(t, "lineDrop of the idle call", "COMPLETE 22 OK")
	s.quiet(t)

	if _, err := s.p.MakeCall(23, s.hdLine, 0xA3, "T 20W2"); CodeOf(err) != tapi.LINEERR_INVALADDRESS {
		t.Errorf("lineMakeCall with a wait modifier: %v, want LINEERR_INVALADDRESS", err)
	}
	if _, err := s.p.MakeCall(24, 0x99, 0xA4, "202"); CodeOf(err) != tapi.LINEERR_INVALLINEHANDLE {
		t.Errorf("lineMakeCall on a bad hdLine: %v, want LINEERR_INVALLINEHANDLE", err)
	}
}

func TestHoldUnhold(t *testing.T) {
	s := openAlice(t, Config{})
	sim(t, shared.control, "/incoming", map[string]string{"from": "+4940777", "to": "201"})
	s.step(t, "ring", "", "LINE_NEWCALL ht=0x101", "LINE_CALLSTATE ht=0x101 OFFERING mode=0x1")
	hd := s.hd(t, 0x101)
	sim(t, shared.control, "/devices/201/answer", nil) // answered at the phone
	s.step(t, "answered at the phone", "", "LINE_CALLINFO ht=0x101 CONNECTEDID", "LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1")

	must(t, "TSPI_lineHold", s.p.Hold(31, hd))
	s.step(t, "lineHold", "COMPLETE 31 OK", "LINE_CALLSTATE ht=0x101 ONHOLD")
	must(t, "TSPI_lineUnhold", s.p.Unhold(32, hd))
	s.step(t, "lineUnhold", "COMPLETE 32 OK", "LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1")
	// Unholding a connected call: the bridge refuses, TAPI gets the LINEERR_* code.
	must(t, "TSPI_lineUnhold again", s.p.Unhold(33, hd))
	if got := s.rec.waitFor(t, "COMPLETE 33"); got[len(got)-1] == "COMPLETE 33 OK" {
		t.Fatalf("lineUnhold of a connected call completed OK")
	}
	must(t, "TSPI_lineDrop", s.p.Drop(34, hd))
	s.step(t, "lineDrop", "COMPLETE 34 OK", "LINE_CALLSTATE ht=0x101 IDLE")
	s.quiet(t)
}

func TestConsultationTransfer(t *testing.T) {
	s := openAlice(t, Config{})
	hd, hc := s.consultation(t, "+4989123456", "203", 0xA2)

	// dwTransferMode is one LINETRANSFERMODE_* value.
	if _, err := s.p.CompleteTransfer(s.nextReq(), hd, hc, 0xA3, LINETRANSFERMODE_TRANSFER|LINETRANSFERMODE_CONFERENCE); CodeOf(err) != tapi.LINEERR_INVALTRANSFERMODE {
		t.Errorf("lineCompleteTransfer(TRANSFER|CONFERENCE): %v, want LINEERR_INVALTRANSFERMODE", err)
	}
	// htConfCall is ignored for a transfer: no conference call is made.
	r := s.nextReq()
	_, err := s.p.CompleteTransfer(r, hd, hc, 0xA3, LINETRANSFERMODE_TRANSFER)
	must(t, "TSPI_lineCompleteTransfer", err)
	s.step(t, "lineCompleteTransfer", fmt.Sprintf("COMPLETE %d OK", r),
		"LINE_CALLSTATE ht=0x101 IDLE",
		"LINE_CALLSTATE ht=0xa2 IDLE")
	s.quiet(t)
	sim(t, shared.control, "/devices/203/hangup", nil)
}
