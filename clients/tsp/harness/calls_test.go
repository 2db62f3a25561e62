//go:build linux

package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
)

// What tapisrv would use: the permanent provider ID, dwLineDeviceIDBase and the htLine it
// gives the line.
const (
	providerID = 7
	lineBase   = 100
	htLine     = 0x55
)

// Constants of tapi.h the checks need.
const (
	lineDevStatusFlagsInService = 0x4
	lineCallFeatureAnswer       = 0x4
	lineCallOriginExternal      = 0x4
	lineTransferModeTransfer    = 0x1
	lineErrNoDriver             = -0x7fffffbd // LINEERR_NODRIVER 0x80000043
)

// openAlice does what tapisrv does at start and what an application's lineOpen adds: load
// the provider from system32, negotiate, enumerate, initialize, open alice's line (demo/201).
// The configuration is written first through the DLL's ConfigureW (as rundll32 does) with
// the given options and -quiet: with Wine's null display driver a message box would wait
// for a click forever.
func openAlice(t *testing.T, h *host, options string) {
	t.Helper()
	h.ok("load ctibridge.tsp")
	h.ok("configure -quiet %s -token %s", options, clienttest.AliceToken)
	if r := h.ok("negotiate"); r.attrs["version"] != "0x30000" {
		t.Fatalf("TSPI_lineNegotiateTSPIVersion(INITIALIZE_NEGOTIATION): %s, want 0x30000", r.attrs["version"])
	}
	if r := h.ok("enum %d", providerID); r.attrs["lines"] != "1" || r.attrs["phones"] != "0" {
		t.Fatalf("TSPI_providerEnumDevices: %s; want 1 line (alice controls demo/201 only), no phone", r.line)
	}
	if r := h.ok("init %d %d 1", providerID, lineBase); r.attrs["options"] != "0" {
		t.Fatalf("TSPI_providerInit: dwTSPIOptions %s, want 0 (reentrant)", r.attrs["options"])
	}
	h.ok("negotiate %d", lineBase)
	h.ok("open %d %#x", lineBase, htLine)
}

// inSequence waits for each pattern in turn, each after the line the previous one matched,
// starting at from; it returns the index of the last.
func (h *host) inSequence(from int, patterns ...string) int {
	h.t.Helper()
	i := from - 1
	for _, p := range patterns {
		i, _ = h.waitFor(i+1, p)
	}
	return i
}

// TestCalls runs the DLL through a day's calls as the Telephony service drives it: an
// external call rings, is answered, held and dropped; a click-to-dial call rings the far end,
// which answers and hangs up; a consultation transfer; then provider shutdown and unload.
func TestCalls(t *testing.T) {
	needWine(t)
	b := startBridge(t)
	h := startHost(t)
	openAlice(t, h, "-urls "+b.ws)

	caps := h.ok("devcaps %d", lineBase)
	if caps.attrs["numAddresses"] != "1" || caps.attrs["name"] == "" || caps.attrs["provider"] == "" {
		t.Errorf("LINEDEVCAPS: %s; want one address, a line name and provider info", caps.line)
	}
	if addr := h.ok("addrcaps %d", lineBase); !strings.Contains(addr.attrs["address"], "201") {
		t.Errorf("LINEADDRESSCAPS: %s; want address 201", addr.line)
	}
	if st := h.ok("linestatus %d", lineBase); flags(t, st.attrs["flags"])&lineDevStatusFlagsInService == 0 {
		t.Errorf("LINEDEVSTATUS: %s; want LINEDEVSTATUSFLAGS_INSERVICE", st.line)
	}

	// An external call: LINE_NEWCALL, then OFFERING; the caller in LINECALLINFO.
	from := h.mark()
	sim(t, b.control, "/incoming", map[string]string{"from": "+4989123456", "to": "201"})
	h.inSequence(from, `^EV LINE_NEWCALL line=0x55 ht=0x101 hd=0x[0-9a-f]+$`, `^EV LINE_CALLSTATE ht=0x101 OFFERING p2=0x1 `)
	info := h.ok("callinfo 0x101")
	if info.attrs["caller"] != "+4989123456" || flags(t, info.attrs["origin"]) != lineCallOriginExternal {
		t.Errorf("LINECALLINFO: %s; want caller +4989123456, LINECALLORIGIN_EXTERNAL", info.line)
	}
	if st := h.ok("callstatus 0x101"); st.attrs["state"] != "OFFERING" || flags(t, st.attrs["features"])&lineCallFeatureAnswer == 0 {
		t.Errorf("LINECALLSTATUS: %s; want OFFERING with LINECALLFEATURE_ANSWER", st.line)
	}
	sent := h.requestOK("answer 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 CONNECTED p2=0x1 `)
	sent = h.requestOK("hold 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 ONHOLD `)
	sent = h.requestOK("unhold 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 CONNECTED p2=0x1 `)
	sent = h.requestOK("drop 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 IDLE `)
	h.ok("closecall 0x101")

	// Click-to-dial: the request completes, the far end rings, answers, hangs up.
	from = h.mark()
	r := h.call("makecall %d 0x201 T20-2", lineBase) // the tone prefix and separators go
	if fmt.Sprint(r.rc) != r.req {
		t.Fatalf("TSPI_lineMakeCall: %s; want the request ID", r.line)
	}
	h.inSequence(from, `^COMPLETE `+r.req+` OK$`, `^EV LINE_CALLSTATE ht=0x201 DIALTONE`, `^EV LINE_CALLSTATE ht=0x201 RINGBACK `)
	eventually(t, "202 ringing at the PBX", func() bool { return deviceState(t, b.control, "202") == "alerting" })
	if info := h.ok("callinfo 0x201"); info.attrs["called"] != "202" {
		t.Errorf("LINECALLINFO of the dialled call: %s; want called 202", info.line)
	}
	from = h.mark()
	sim(t, b.control, "/devices/202/answer", nil)
	h.waitFor(from, `^EV LINE_CALLSTATE ht=0x201 CONNECTED p2=0x1 `)
	from = h.mark()
	sim(t, b.control, "/devices/202/hangup", nil)
	h.inSequence(from, `^EV LINE_CALLSTATE ht=0x201 DISCONNECTED p2=0x1 `, `^EV LINE_CALLSTATE ht=0x201 IDLE `)
	h.requestOK("drop 0x201") // applications drop every call before deallocating it
	h.ok("closecall 0x201")

	// Consultation transfer: 0x102 is the caller, 0x301 the consultation call to 203.
	from = h.mark()
	sim(t, b.control, "/incoming", map[string]string{"from": "+4940777", "to": "201"})
	h.inSequence(from, `^EV LINE_NEWCALL line=0x55 ht=0x102 `, `^EV LINE_CALLSTATE ht=0x102 OFFERING `)
	sent = h.requestOK("answer 0x102")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x102 CONNECTED `)
	sent = h.requestOK("setuptransfer 0x102 0x301")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x301 DIALTONE `)
	sent = h.requestOK("dial 0x301 203")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x102 ONHOLDPENDTRANSFER `)
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x301 RINGBACK `)
	from = h.mark()
	sim(t, b.control, "/devices/203/answer", nil)
	h.waitFor(from, `^EV LINE_CALLSTATE ht=0x301 CONNECTED `)
	sent = h.requestOK("completetransfer 0x102 0x301 %d", lineTransferModeTransfer)
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x102 IDLE `)
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x301 IDLE `)
	sim(t, b.control, "/devices/203/hangup", nil)

	shutdown(t, h, b.addr)
}

// shutdown does what tapisrv does when the last application is gone: close the line, shut
// the provider down, unload it. The provider must leave the bridge, call TAPI no more, and
// the process must end cleanly.
func shutdown(t *testing.T, h *host, bridgeAddr string) {
	t.Helper()
	h.ok("close %d", lineBase)
	h.ok("shutdown %d", providerID)
	eventually(t, "the provider's session to leave the bridge", func() bool { return sessions(t, bridgeAddr, "alice") == 0 })
	if r := h.ok("free"); r.attrs["freed"] != "1" {
		t.Errorf("FreeLibrary: %s", r.line)
	}
	h.send("quit")
	h.waitFor(0, `^BYE$`)
	select {
	case <-h.exit:
	case <-time.After(waitTimeout):
		t.Fatalf("tsphost did not exit within %v after quit: a thread of the provider keeps the process alive", waitTimeout)
	}
	if h.err != nil {
		t.Errorf("tsphost exit: %v", h.err)
	}
	if late := h.since(0, `^LATE `); len(late) > 0 {
		t.Errorf("callbacks after TSPI_providerShutdown: %q", late)
	}
}

func flags(t *testing.T, s string) uint32 {
	t.Helper()
	var v uint32
	if _, err := fmt.Sscanf(s, "%v", &v); err != nil {
		t.Fatalf("number %q: %v", s, err)
	}
	return v
}

// deviceState is the state of a device's first connection at the simulator ("" if none).
func deviceState(t *testing.T, control, number string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, control+"/devices/"+number, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("simulator GET /devices/%s: %v", number, err)
	}
	defer resp.Body.Close()
	var d struct {
		Connections []struct {
			State string `json:"state"`
		} `json:"connections"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatalf("simulator GET /devices/%s: %v", number, err)
	}
	if len(d.Connections) == 0 {
		return ""
	}
	return d.Connections[0].State
}
