//go:build linux

package harness

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestAgents runs the agent functions through the DLL as Windows would: tsphost plays the
// agent proxy and passes lineGetAgentCaps, lineSetAgentState and lineGetAgentStatus on as
// LINEPROXYREQUESTs through TSPI_lineDevSpecific (the structure offsets are those of mingw's
// tapi.h, compiled), against pbxsim's ACD group 600; the agent's changes arrive as
// LINE_AGENTSTATUS.
func TestAgents(t *testing.T) {
	needWine(t)
	sim := startProc(t, "pbxsim", "-extensions", "200-219", "-acd", "600=201,202,203", "-dialect", "generic",
		"-primary", "127.0.0.1:0", "-standby", "127.0.0.1:0", "-control", "127.0.0.1:0")
	primary := sim.waitLine(t, `primary CSTA node: (\S+)`)
	standby := sim.waitLine(t, `standby CSTA node: (\S+)`)
	path := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(path, []byte(clienttest.ACDConfig(primary, standby, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testkit.FreeAddr(t)
	startProc(t, "ctibridge", "-config", path, "-listen", addr, "-log-level", "warn")
	if err := clienttest.AwaitInService("http://"+addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	h := startHost(t)
	openAlice(t, h, "-urls ws://"+addr+"/ws")

	from := h.mark()
	caps := h.call("agentcaps %d", lineBase)
	h.waitFor(from, `^COMPLETE `+caps.req+` OK$`)
	if caps.attrs["payload"] != "32" || caps.attrs["features"] != "0x2" || caps.attrs["states"] != "0x87" || caps.attrs["handler"] == "" {
		t.Fatalf("LINEAGENTCAPS: %s; want the structure at 32, LINEAGENTFEATURE_SETAGENTSTATE, LOGGEDOFF|NOTREADY|READY|WORKINGAFTERCALL", caps.line)
	}
	from = h.mark()
	st := h.call("agentstatus %d", lineBase)
	h.waitFor(from, `^COMPLETE `+st.req+` OK$`)
	if st.attrs["state"] != "0x1" || st.attrs["groups"] != "0" {
		t.Fatalf("LINEAGENTSTATUS before log-on: %s; want LOGGEDOFF, no group", st.line)
	}

	// READY: logged on to group 600, then ready; LINE_AGENTSTATUS dwParam3 is the new state.
	sent := h.requestOK("setagentstate %d 0x4 0", lineBase)
	h.inSequence(sent, `^EV LINE_AGENTSTATUS line=0x55 ht=0 p1=0 p2=0x3 p3=0x2$`, `^EV LINE_AGENTSTATUS line=0x55 ht=0 p1=0 p2=0x2 p3=0x4$`)
	from = h.mark()
	st = h.call("agentstatus %d", lineBase)
	h.waitFor(from, `^COMPLETE `+st.req+` OK$`)
	if st.attrs["state"] != "0x4" || st.attrs["groups"] != "1" || st.attrs["group"] != "600" || st.attrs["groupID"] != "600" {
		t.Fatalf("LINEAGENTSTATUS when ready: %s; want READY in group 600", st.line)
	}
	// A state the PBX decides cannot be asked for: refused at once.
	if r := h.call("setagentstate %d 0x8 0", lineBase); uint32(r.rc) != 0x8000005A {
		t.Fatalf("lineSetAgentState BUSYACD: %s; want LINEERR_INVALAGENTSTATE", r.line)
	}
	sent = h.requestOK("setagentstate %d 0x1 0", lineBase)
	h.waitFor(sent, `^EV LINE_AGENTSTATUS line=0x55 ht=0 p1=0 p2=0x3 p3=0x1$`)

	shutdown(t, h, addr)
}
