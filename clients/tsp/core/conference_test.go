package tspcore

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// simTruth is the simulator's ground truth (GET /truth): every call and its parties.
type simTruth struct {
	Calls []struct {
		ID      string `json:"id"`
		Parties []struct {
			Device string `json:"device"`
			State  string `json:"state"`
		} `json:"parties"`
	} `json:"calls"`
}

// callOf returns the simulator's calls that device is in, each as "device:state" of every
// party in joining order.
func (tr simTruth) callsOf(device string) [][]string {
	var out [][]string
	for _, c := range tr.Calls {
		var parties []string
		in := false
		for _, p := range c.Parties {
			parties = append(parties, p.Device+":"+p.State)
			in = in || p.Device == device
		}
		if in {
			out = append(out, parties)
		}
	}
	return out
}

func truth(t *testing.T, base string) simTruth {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(base, "/")+"/truth", http.NoBody)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("simulator /truth: %v", err)
	}
	defer resp.Body.Close()
	var tr simTruth
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatalf("simulator /truth: %v", err)
	}
	return tr
}

// expectTruth waits until the simulator's calls of device are exactly want (sorted).
func expectTruth(t *testing.T, what, device string, want ...[]string) {
	t.Helper()
	for _, c := range want {
		slices.Sort(c)
	}
	testkit.EventuallyNil(t, what, func() error {
		got := truth(t, shared.control).callsOf(device)
		for _, c := range got {
			slices.Sort(c)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("the simulator has the calls of %s as %v, want %v", device, got, want)
		}
		return nil
	})
}

// consultation rings 201 from caller, answers with lineAnswer, sets up a transfer with
// consultation call htConsult, dials consulted and has it answer. It returns the hdCalls of
// the original call (htCall 0x101) and the consultation call.
func (s *tsp) consultation(t *testing.T, caller, consulted string, htConsult HTAPICALL) (hd, hc HDRVCALL) {
	t.Helper()
	hd, hc = s.consultationRinging(t, caller, consulted, htConsult)
	s.answerConsultation(t, consulted, htConsult)
	return hd, hc
}

func (s *tsp) answerConsultation(t *testing.T, consulted string, htConsult HTAPICALL) {
	t.Helper()
	ht := fmt.Sprintf("ht=%#x", uintptr(htConsult))
	sim(t, shared.control, "/devices/"+consulted+"/answer", nil)
	s.step(t, consulted+" answers", "", "LINE_CALLINFO "+ht+" CONNECTEDID", "LINE_CALLSTATE "+ht+" CONNECTED mode=0x1")
}

// consultationRinging is consultation up to the consulted party ringing.
func (s *tsp) consultationRinging(t *testing.T, caller, consulted string, htConsult HTAPICALL) (hd, hc HDRVCALL) {
	t.Helper()
	sim(t, shared.control, "/incoming", map[string]string{"from": caller, "to": "201"})
	s.step(t, "ring", "", "LINE_NEWCALL ht=0x101", "LINE_CALLSTATE ht=0x101 OFFERING mode=0x1")
	hd = s.hd(t, 0x101)
	r := s.nextReq()
	must(t, "TSPI_lineAnswer", s.p.Answer(r, hd))
	s.step(t, "lineAnswer", fmt.Sprintf("COMPLETE %d OK", r), "LINE_CALLINFO ht=0x101 CONNECTEDID", "LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1")

	r = s.nextReq()
	hc, err := s.p.SetupTransfer(r, hd, htConsult)
	must(t, "TSPI_lineSetupTransfer", err)
	ht := fmt.Sprintf("ht=%#x", uintptr(htConsult))
	ev := s.rec.waitFor(t, "DIALTONE")
	expectSeq(t, "lineSetupTransfer", ev, []string{fmt.Sprintf("COMPLETE %d OK", r), "LINE_CALLSTATE " + ht + " DIALTONE mode=0x20"})

	r = s.nextReq()
	must(t, "TSPI_lineDial", s.p.Dial(r, hc, "T "+consulted))
	ev = s.rec.waitFor(t, ht+" RINGBACK")
	// The consultation call's states follow the completion; the held call's may come first.
	for i, e := range ev {
		if strings.Contains(e, ht) {
			t.Fatalf("consultation call event %q before the completion of lineDial: %q", e, ev)
		}
		if e == fmt.Sprintf("COMPLETE %d OK", r) {
			ev = append(ev[:i:i], ev[i+1:]...)
			break
		}
	}
	expectSeq(t, "lineDial on the consultation call", ev, []string{
		"LINE_CALLSTATE ht=0x101 ONHOLDPENDTRANSFER",
		"LINE_CALLINFO ht=0x101 RELATEDCALLID",
		"LINE_CALLINFO " + ht + " CALLEDID",
		"LINE_CALLSTATE " + ht + " PROCEEDING",
		"LINE_CALLSTATE " + ht + " RINGBACK",
	})
	return hd, hc
}

// conference completes the transfer as a conference with htConfCall 0xC3 and checks what TAPI
// receives: the completion first (TAPI must know htConfCall is good before any message names
// it), then the conference call CONNECTED and both calls CONFERENCED into it.
func (s *tsp) conference(t *testing.T, hd, hc HDRVCALL, htConsult HTAPICALL) HDRVCALL {
	t.Helper()
	r := s.nextReq()
	hconf, err := s.p.CompleteTransfer(r, hd, hc, 0xC3, LINETRANSFERMODE_CONFERENCE)
	must(t, "TSPI_lineCompleteTransfer(CONFERENCE)", err)
	if hconf == 0 || hconf == hd || hconf == hc {
		t.Fatalf("lineCompleteTransfer(CONFERENCE) returned hdConfCall %#x (hdCall %#x, hdConsultCall %#x)", hconf, hd, hc)
	}
	ht := fmt.Sprintf("ht=%#x", uintptr(htConsult))
	ev := s.rec.waitFor(t, ht+" CONFERENCED")
	expectSeq(t, "lineCompleteTransfer(CONFERENCE)", ev, []string{
		fmt.Sprintf("COMPLETE %d OK", r),
		"LINE_CALLSTATE ht=0x101 ONHOLDPENDCONF",    // the held call, on hold while joining
		"LINE_CALLSTATE ht=0xc3 CONNECTED mode=0x1", // LINECONNECTEDMODE_ACTIVE
		"LINE_CALLSTATE ht=0x101 CONFERENCED conf=0xc3",
		"LINE_CALLINFO ht=0x101 RELATEDCALLID", // now the conference call's dwCallID
		"LINE_CALLSTATE " + ht + " CONFERENCED conf=0xc3",
	})
	if got := s.hd(t, 0xC3); got != hconf {
		t.Fatalf("htConfCall 0xC3 maps to hdCall %#x, lineCompleteTransfer returned %#x", got, hconf)
	}
	return hconf
}

func callStatus(t *testing.T, s *tsp, hd HDRVCALL) (state, features, features2 uint32) {
	t.Helper()
	b := newBuf(256)
	must(t, "TSPI_lineGetCallStatus", s.p.CallStatus(hd, b))
	return dw(t, lineCallStatusLayout, b, "dwCallState"), dw(t, lineCallStatusLayout, b, "dwCallFeatures"),
		dw(t, lineCallStatusLayout, b, "dwCallFeatures2")
}

func callIDs(t *testing.T, s *tsp, hd HDRVCALL) (id, related uint32, connected string) {
	t.Helper()
	b := newBuf(2048)
	must(t, "TSPI_lineGetCallInfo", s.p.CallInfo(hd, b))
	return dw(t, lineCallInfoLayout, b, "dwCallID"), dw(t, lineCallInfoLayout, b, "dwRelatedCallID"),
		str(t, lineCallInfoLayout, b, "dwConnectedID")
}

func TestConference(t *testing.T) {
	s := openAlice(t, Config{})
	const caller, consulted = "+4940556677", "204"

	// What the address offers: LINETRANSFERMODE_CONFERENCE, three parties, no removal.
	caps := newBuf(1024)
	must(t, "TSPI_lineGetAddressCaps", s.p.AddressCaps(s.device, 0, TAPI_VERSION3_0, caps))
	for _, c := range []struct {
		member string
		want   uint32
	}{
		{"dwTransferModes", LINETRANSFERMODE_TRANSFER | LINETRANSFERMODE_CONFERENCE},
		{"dwMaxNumConference", 3},
		{"dwMaxNumTransConf", 3},
		{"dwRemoveFromConfCaps", LINEREMOVEFROMCONF_NONE},
		{"dwCallFeatures2", LINECALLFEATURE2_TRANSFERNORM | LINECALLFEATURE2_TRANSFERCONF},
	} {
		if got := dw(t, lineAddressCapsLayout, caps, c.member); got != c.want {
			t.Errorf("LINEADDRESSCAPS.%s = %#x, want %#x", c.member, got, c.want)
		}
	}
	if f := dw(t, lineAddressCapsLayout, caps, "dwCallFeatures"); f&LINECALLFEATURE_COMPLETETRANSF == 0 {
		t.Errorf("LINEADDRESSCAPS.dwCallFeatures %#x lacks LINECALLFEATURE_COMPLETETRANSF", f)
	}
	if fl := dw(t, lineAddressCapsLayout, caps, "dwAddrCapFlags"); fl&0x00200000 != 0 { // LINEADDRCAPFLAGS_CONFDROP
		t.Errorf("LINEADDRESSCAPS.dwAddrCapFlags %#x claims LINEADDRCAPFLAGS_CONFDROP", fl)
	}

	hd, hc := s.consultation(t, caller, consulted, 0xA2)
	if _, f, f2 := callStatus(t, s, hc); f&LINECALLFEATURE_COMPLETETRANSF == 0 || f2 != LINECALLFEATURE2_TRANSFERNORM|LINECALLFEATURE2_TRANSFERCONF {
		t.Errorf("consultation call: features %#x features2 %#x; want COMPLETETRANSF with TRANSFERNORM|TRANSFERCONF", f, f2)
	}
	if _, err := s.p.CompleteTransfer(s.nextReq(), hd, hc, 0, LINETRANSFERMODE_CONFERENCE); CodeOf(err) != tapi.LINEERR_INVALPOINTER {
		t.Errorf("lineCompleteTransfer(CONFERENCE) without htConfCall: %v, want LINEERR_INVALPOINTER", err)
	}
	if _, err := s.p.CompleteTransfer(s.nextReq(), hd, hd, 0xC3, LINETRANSFERMODE_CONFERENCE); CodeOf(err) != tapi.LINEERR_INVALCONSULTCALLHANDLE {
		t.Errorf("lineCompleteTransfer(CONFERENCE) of a call with itself: %v, want LINEERR_INVALCONSULTCALLHANDLE", err)
	}
	origID, _, _ := callIDs(t, s, hd)
	consultID, _, _ := callIDs(t, s, hc)

	hconf := s.conference(t, hd, hc, 0xA2)
	// Ground truth: one call of 201, the caller and 204, everyone talking.
	expectTruth(t, "after the conference", "201", []string{"201:connected", caller + ":connected", consulted + ":connected"})

	// The conference call is CONNECTED and can be dropped; its parties are CONFERENCED and
	// take no requests.
	if st, f, _ := callStatus(t, s, hconf); st != uint32(tapi.LINECALLSTATE_CONNECTED) || f != LINECALLFEATURE_DROP|LINECALLFEATURE_GENERATEDIGITS {
		t.Errorf("conference call: state %#x features %#x; want CONNECTED with DROP|GENERATEDIGITS", st, f)
	}
	for _, party := range []HDRVCALL{hd, hc} {
		if st, f, _ := callStatus(t, s, party); st != uint32(tapi.LINECALLSTATE_CONFERENCED) || f != 0 {
			t.Errorf("party %#x: state %#x features %#x; want CONFERENCED without features", party, st, f)
		}
	}
	// dwCallID: the conference call has the bridge call of the held call, which carries on
	// as the conference; the parties keep theirs and relate to the conference.
	confID, confRelated, confConnected := callIDs(t, s, hconf)
	if confID != origID || confRelated != 0 || confConnected != caller {
		t.Errorf("conference call: dwCallID %d dwRelatedCallID %d connected %q; want %d, 0, %q", confID, confRelated, confConnected, origID, caller)
	}
	for _, c := range []struct {
		hd        HDRVCALL
		id        uint32
		connected string
	}{{hd, origID, caller}, {hc, consultID, consulted}} {
		if id, rel, conn := callIDs(t, s, c.hd); id != c.id || rel != confID || conn != c.connected {
			t.Errorf("party %#x: dwCallID %d dwRelatedCallID %d connected %q; want %d, %d, %q", c.hd, id, rel, conn, c.id, confID, c.connected)
		}
	}
	ds := newBuf(512)
	must(t, "TSPI_lineGetLineDevStatus", s.p.LineDevStatus(s.hdLine, ds))
	if n := dw(t, lineDevStatusLayout, ds, "dwNumActiveCalls"); n != 1 {
		t.Errorf("LINEDEVSTATUS.dwNumActiveCalls %d during the conference, want 1", n)
	}

	// What is not offered is refused at once, and changes nothing.
	for _, c := range []struct {
		what string
		err  error
		want tapi.LineErr
	}{
		{"lineDrop of a party", s.p.Drop(s.nextReq(), hc), tapi.LINEERR_OPERATIONUNAVAIL},
		{"lineHold of a party", s.p.Hold(s.nextReq(), hd), tapi.LINEERR_INVALCALLSTATE},
		{"lineHold of the conference", s.p.Hold(s.nextReq(), hconf), tapi.LINEERR_OPERATIONUNAVAIL},
		{"lineAddToConference", s.p.AddToConference(s.nextReq(), hconf, hc), tapi.LINEERR_OPERATIONUNAVAIL},
		{"lineAddToConference on a party", s.p.AddToConference(s.nextReq(), hd, hc), tapi.LINEERR_INVALCONFCALLHANDLE},
		{"linePrepareAddToConference", func() error { _, err := s.p.PrepareAddToConference(s.nextReq(), hconf, 0xA5); return err }(), tapi.LINEERR_OPERATIONUNAVAIL},
		{"lineSetupTransfer of the conference", func() error { _, err := s.p.SetupTransfer(s.nextReq(), hconf, 0xA6); return err }(), tapi.LINEERR_OPERATIONUNAVAIL},
		{"lineCompleteTransfer of the parties", func() error {
			_, err := s.p.CompleteTransfer(s.nextReq(), hd, hc, 0xC7, LINETRANSFERMODE_CONFERENCE)
			return err
		}(), tapi.LINEERR_INVALCONSULTCALLHANDLE},
	} {
		if CodeOf(c.err) != c.want {
			t.Errorf("%s: %v, want %s", c.what, c.err, c.want)
		}
	}
	s.quiet(t)

	// Dropping the conference call clears 201's connection: both parties and then the
	// conference go IDLE for TAPI; the caller and 204 stay connected to each other.
	r := s.nextReq()
	must(t, "TSPI_lineDrop of the conference call", s.p.Drop(r, hconf))
	s.step(t, "lineDrop of the conference call", fmt.Sprintf("COMPLETE %d OK", r),
		"LINE_CALLSTATE ht=0x101 IDLE",
		"LINE_CALLSTATE ht=0xa2 IDLE",
		"LINE_CALLSTATE ht=0xc3 IDLE")
	expectTruth(t, "after dropping the conference call", consulted, []string{caller + ":connected", consulted + ":connected"})
	expectTruth(t, "after dropping the conference call", "201")

	// Applications drop every call before deallocating it: idle calls drop at once.
	for _, c := range []HDRVCALL{hd, hc, hconf} {
		r := s.nextReq()
		must(t, "TSPI_lineDrop of an idle call", s.p.Drop(r, c))
		s.step(t, "lineDrop of an idle call", fmt.Sprintf("COMPLETE %d OK", r))
		must(t, "TSPI_lineCloseCall", s.p.CloseCall(c))
	}
	s.quiet(t)
	sim(t, shared.control, "/devices/"+consulted+"/hangup", nil)
	expectTruth(t, "cleaned up", consulted)
}

// TestConferencePartyLeaves: when one party hangs up, the bridge turns the conference back
// into a two-party call; TAPI sees the conference dissolve into the remaining party's call.
func TestConferencePartyLeaves(t *testing.T) {
	for _, tc := range []struct {
		name            string
		caller, consult string
		leaves, stays   string
		events          []string
	}{{
		name: "consulted party", caller: "+4940998877", consult: "205", leaves: "205", stays: "+4940998877",
		events: []string{
			// The bridge's call is now connected to the caller only, as the conference call's
			// connected ID already said: no LINE_CALLINFO for it.
			"LINE_CALLSTATE ht=0xa2 IDLE",
			"LINE_CALLINFO ht=0x101 RELATEDCALLID", // no conference to relate to any more
			"LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1",
			"LINE_CALLSTATE ht=0xc3 IDLE",
		},
	}, {
		name: "original caller", caller: "+4940998866", consult: "206", leaves: "+4940998866", stays: "206",
		events: []string{
			"LINE_CALLINFO ht=0xc3 CONNECTEDID", // the bridge's call: connected to 206 now
			"LINE_CALLSTATE ht=0x101 IDLE",
			// The consultation call's party takes over the bridge call that carried the
			// conference, with that call's record.
			// (caller, called and origin of the caller's call; it was and is connected to 206).
			"LINE_CALLINFO ht=0xa2 RELATEDCALLID|ORIGIN|CALLERID|CALLEDID",
			"LINE_CALLSTATE ht=0xa2 CONNECTED mode=0x1",
			"LINE_CALLSTATE ht=0xc3 IDLE",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := openAlice(t, Config{})
			hd, hc := s.consultation(t, tc.caller, tc.consult, 0xA2)
			origID, _, _ := callIDs(t, s, hd)
			hconf := s.conference(t, hd, hc, 0xA2)
			expectTruth(t, "after the conference", "201", []string{"201:connected", tc.caller + ":connected", tc.consult + ":connected"})

			sim(t, shared.control, "/devices/"+tc.leaves+"/hangup", nil)
			s.step(t, tc.leaves+" leaves the conference", "", tc.events...)
			expectTruth(t, "after "+tc.leaves+" left", "201", []string{"201:connected", tc.stays + ":connected"})
			kept, gone := hd, hc
			if tc.leaves == tc.caller {
				kept, gone = hc, hd
			}
			if st, f, _ := callStatus(t, s, kept); st != uint32(tapi.LINECALLSTATE_CONNECTED) || f&LINECALLFEATURE_HOLD == 0 {
				t.Errorf("remaining call: state %#x features %#x; want CONNECTED with its features back", st, f)
			}
			// It is the bridge call that carried the conference now.
			if id, rel, conn := callIDs(t, s, kept); id != origID || rel != 0 || conn != tc.stays {
				t.Errorf("remaining call: dwCallID %d dwRelatedCallID %d connected %q; want %d, 0, %q", id, rel, conn, origID, tc.stays)
			}

			// The remaining call is an ordinary call again.
			r := s.nextReq()
			must(t, "TSPI_lineHold", s.p.Hold(r, kept))
			s.step(t, "lineHold of the remaining call", fmt.Sprintf("COMPLETE %d OK", r), fmt.Sprintf("LINE_CALLSTATE ht=%#x ONHOLD", uintptr(s.ht(t, kept))))
			r = s.nextReq()
			must(t, "TSPI_lineDrop", s.p.Drop(r, kept))
			s.step(t, "lineDrop of the remaining call", fmt.Sprintf("COMPLETE %d OK", r), fmt.Sprintf("LINE_CALLSTATE ht=%#x IDLE", uintptr(s.ht(t, kept))))
			for _, c := range []HDRVCALL{gone, hconf} {
				r := s.nextReq()
				must(t, "TSPI_lineDrop of an idle call", s.p.Drop(r, c))
				s.step(t, "lineDrop of an idle call", fmt.Sprintf("COMPLETE %d OK", r))
			}
			s.quiet(t)
			// 201 leaving a two-party call ends it.
			expectTruth(t, "cleaned up", "201")
			expectTruth(t, "cleaned up", tc.stays)
		})
	}
}

// TestConferenceRefused: the PBX refuses to conference a consulted party that still rings.
// TAPI gets the bridge's LINEERR_*, no message about htConfCall, and the calls carry on.
func TestConferenceRefused(t *testing.T) {
	s := openAlice(t, Config{})
	const caller, consulted = "+4940556600", "208"
	hd, hc := s.consultationRinging(t, caller, consulted, 0xA2)
	r := s.nextReq()
	hconf, err := s.p.CompleteTransfer(r, hd, hc, 0xC3, LINETRANSFERMODE_CONFERENCE)
	must(t, "TSPI_lineCompleteTransfer(CONFERENCE)", err)
	// The simulator refuses ConferenceCall with invalidConnectionState while a party rings.
	s.step(t, "lineCompleteTransfer(CONFERENCE) while "+consulted+" rings", fmt.Sprintf("COMPLETE %d LINEERR_INVALCALLSTATE", r))
	if err := s.p.CallStatus(hconf, newBuf(256)); CodeOf(err) != tapi.LINEERR_INVALCALLHANDLE {
		t.Errorf("the refused conference call's hdCall %#x: lineGetCallStatus %v, want LINEERR_INVALCALLHANDLE", hconf, err)
	}
	s.quiet(t)

	// The calls are what they were: 208 answers, the transfer completes as a transfer.
	s.answerConsultation(t, consulted, 0xA2)
	r = s.nextReq()
	_, err = s.p.CompleteTransfer(r, hd, hc, 0, LINETRANSFERMODE_TRANSFER)
	must(t, "TSPI_lineCompleteTransfer(TRANSFER)", err)
	s.step(t, "lineCompleteTransfer(TRANSFER)", fmt.Sprintf("COMPLETE %d OK", r),
		"LINE_CALLSTATE ht=0x101 IDLE",
		"LINE_CALLSTATE ht=0xa2 IDLE")
	s.quiet(t)
	expectTruth(t, "after the transfer", consulted, []string{caller + ":connected", consulted + ":connected"})
	sim(t, shared.control, "/devices/"+consulted+"/hangup", nil)
	expectTruth(t, "cleaned up", consulted)
}
