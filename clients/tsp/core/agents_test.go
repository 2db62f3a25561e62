package tspcore

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// acdBridge runs cmd/pbxsim with ACD group 600 (agent positions 201-203) and a bridge that
// monitors the group; it returns the bridge's WebSocket URL and the simulator's control API.
func acdBridge(t *testing.T) (wsURL, control string) {
	t.Helper()
	primary, standby, ctl := testkit.FreeAddr(t), testkit.FreeAddr(t), testkit.FreeAddr(t)
	sim := startProc(t, "pbxsim", "-extensions", "200-219", "-acd", "600=201,202,203", "-dialect", "generic",
		"-primary", primary, "-standby", standby, "-control", ctl, "-traffic", "0")
	if _, err := sim.waitLine(`control API`); err != nil {
		t.Fatal(err)
	}
	alice := sha256.Sum256([]byte("alice-demo-token"))
	cfg := fmt.Sprintf(`pbxs:
  - name: demo
    dialect: generic
    primary: %q
    standby: %q
    devices: ["200-219"]
    groups: ["600"]
    numbering: {country: "49", area: "30", outside_prefix: "0", extension_digits: 3}
users:
  - name: alice
    token_sha256: %q
    role: user
    lines: ["demo/201"]
  - name: admin
    token_sha256: %q
    role: admin
`, primary, standby, hex.EncodeToString(alice[:]), clienttest.TokenSHA256(clienttest.AdminToken))
	path := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testkit.FreeAddr(t)
	b := startProc(t, "ctibridge", "-config", path, "-listen", addr, "-log-level", "warn")
	if _, err := b.waitLine(`listening on`); err != nil {
		t.Fatal(err)
	}
	// Open the line once it is in service, so that TAPI hears of agents only.
	if err := clienttest.AwaitInService("http://"+addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return "ws://" + addr + "/ws", "http://" + ctl
}

// proxyReq builds a LINEPROXYREQUEST of type typ for address 0 with room for a payload
// structure of payload bytes (its dwTotalSize set), or SetAgentState's two states.
func proxyReq(typ uint32, payload int, state, next uint32) []byte {
	pl := lineProxyRequestLayout
	b := make([]byte, proxyPayload+max(payload, 8))
	put := func(name string, v uint32) { binary.LittleEndian.PutUint32(b[pl.offset[name]:], v) }
	put("dwSize", uint32(len(b)))
	put("dwClientAppAPIVersion", TAPI_VERSION2_2)
	put("dwRequestType", typ)
	if typ == LINEPROXYREQUEST_SETAGENTSTATE {
		put("dwAgentState", state)
		put("dwNextAgentState", next)
	} else {
		binary.LittleEndian.PutUint32(b[proxyPayload:], uint32(payload))
	}
	return b
}

// agentStatus asks the provider for the line's LINEAGENTSTATUS as a proxy would and returns
// its state, next state and the group names.
func (s *tsp) agentStatus(t *testing.T) (state, next tapi.AgentState, groups []string) {
	t.Helper()
	req := proxyReq(LINEPROXYREQUEST_GETAGENTSTATUS, 512, 0, 0)
	id := s.nextReq()
	must(t, "lineGetAgentStatus", s.p.ProxyRequest(id, s.hdLine, req))
	s.step(t, "lineGetAgentStatus", fmt.Sprintf("COMPLETE %d OK", id))
	st := req[proxyPayload:]
	sl, el := lineAgentStatusLayout, lineAgentGroupEntryLayout
	if used, need := dw(t, sl, st, "dwUsedSize"), dw(t, sl, st, "dwNeededSize"); used != need {
		t.Fatalf("LINEAGENTSTATUS: dwUsedSize %d, dwNeededSize %d", used, need)
	}
	n, off := dw(t, sl, st, "dwNumEntries"), dw(t, sl, st, "dwGroupListOffset")
	if size := dw(t, sl, st, "dwGroupListSize"); size != n*uint32(el.fixedSize(0)) {
		t.Fatalf("dwGroupListSize %d for %d entries", size, n)
	}
	for i := range n {
		e := st[off+i*uint32(el.fixedSize(0)):]
		nameOff, nameSize := dw(t, el, e, "dwNameOffset"), dw(t, el, e, "dwNameSize")
		u := make([]uint16, nameSize/2-1)
		for k := range u {
			u[k] = binary.LittleEndian.Uint16(st[nameOff+uint32(2*k):])
		}
		name := string(utf16.Decode(u))
		if id := dw(t, el, e, "dwGroupID1"); fmt.Sprint(id) != name {
			t.Fatalf("group %q has GroupID1 %d, want its number", name, id)
		}
		groups = append(groups, name)
	}
	return tapi.AgentState(dw(t, sl, st, "dwState")), tapi.AgentState(dw(t, sl, st, "dwNextState")), groups
}

// setAgent sends LINEPROXYREQUEST_SETAGENTSTATE and expects its completion.
func (s *tsp) setAgent(t *testing.T, state, next tapi.AgentState) uint32 {
	t.Helper()
	id := s.nextReq()
	must(t, "lineSetAgentState", s.p.ProxyRequest(id, s.hdLine, proxyReq(LINEPROXYREQUEST_SETAGENTSTATE, 0, uint32(state), uint32(next))))
	return id
}

// TestAgentProxyRequests: an agent proxy passes lineGetAgentCaps, lineSetAgentState and
// lineGetAgentStatus to the provider; the agent logs on and gets ready, takes an ACD call
// (BUSYACD), asks for not ready while busy (next state), enters it when the call ends and
// logs off. Each change reaches TAPI as LINE_AGENTSTATUS, against the simulator's ACD.
func TestAgentProxyRequests(t *testing.T) {
	ws, control := acdBridge(t)
	s := openAlice(t, Config{URLs: []string{ws}})

	caps := proxyReq(LINEPROXYREQUEST_GETAGENTCAPS, 256, 0, 0)
	id := s.nextReq()
	must(t, "lineGetAgentCaps", s.p.ProxyRequest(id, s.hdLine, caps))
	s.step(t, "lineGetAgentCaps", fmt.Sprintf("COMPLETE %d OK", id))
	cl := lineAgentCapsLayout
	c := caps[proxyPayload:]
	if f, st := dw(t, cl, c, "dwFeatures"), dw(t, cl, c, "dwStates"); f != LINEAGENTFEATURE_SETAGENTSTATE || st != 0x87 {
		t.Fatalf("LINEAGENTCAPS dwFeatures %#x dwStates %#x, want SETAGENTSTATE and LOGGEDOFF|NOTREADY|READY|WORKINGAFTERCALL", f, st)
	}
	if info := str(t, cl, c, "dwAgentHandlerInfo"); !strings.Contains(info, "ctibridge") {
		t.Fatalf("dwAgentHandlerInfo %q", info)
	}
	if st, _, groups := s.agentStatus(t); st != tapi.LINEAGENTSTATE_LOGGEDOFF || len(groups) != 0 {
		t.Fatalf("before log-on: state %s groups %q", st, groups)
	}

	// READY from logged off: logged on (not ready) first, then ready.
	id = s.setAgent(t, tapi.LINEAGENTSTATE_READY, 0)
	ev, comp := split(s.rec.waitAll(t, fmt.Sprintf("COMPLETE %d OK", id), "state=READY"))
	expectSeq(t, "lineSetAgentState READY", ev, []string{
		"LINE_AGENTSTATUS address=0 GROUP|STATE state=NOTREADY",
		"LINE_AGENTSTATUS address=0 STATE state=READY"})
	expectSeq(t, "lineSetAgentState READY (ASYNC_COMPLETION)", comp, []string{fmt.Sprintf("COMPLETE %d OK", id)})
	if st, next, groups := s.agentStatus(t); st != tapi.LINEAGENTSTATE_READY || next != 0 || strings.Join(groups, ",") != "600" {
		t.Fatalf("ready: state %s next %s groups %q", st, next, groups)
	}

	// An ACD call: distributed to the only ready agent.
	sim(t, control, "/incoming", map[string]string{"from": "+4989123456", "to": "600"})
	s.rec.waitAll(t, "LINE_NEWCALL ht=0x101", "state=BUSYACD")
	id = s.nextReq()
	must(t, "TSPI_lineAnswer", s.p.Answer(id, s.hd(t, 0x101)))
	s.rec.waitAll(t, "LINE_CALLSTATE ht=0x101 CONNECTED", fmt.Sprintf("COMPLETE %d OK", id))

	// NOTREADY as next state while busy: the PBX holds it until the call ends. (The bridge
	// learns pending states from agent events only, so TAPI hears of it when it is entered.)
	id = s.setAgent(t, 0, tapi.LINEAGENTSTATE_NOTREADY)
	s.step(t, "lineSetAgentState next NOTREADY", fmt.Sprintf("COMPLETE %d OK", id))
	if st, _, _ := s.agentStatus(t); st != tapi.LINEAGENTSTATE_BUSYACD {
		t.Fatalf("busy with a pending state: state %s", st)
	}
	id = s.nextReq()
	must(t, "TSPI_lineDrop", s.p.Drop(id, s.hd(t, 0x101)))
	s.rec.waitAll(t, "LINE_CALLSTATE ht=0x101 IDLE", "LINE_AGENTSTATUS address=0 STATE state=NOTREADY", fmt.Sprintf("COMPLETE %d OK", id))

	id = s.setAgent(t, tapi.LINEAGENTSTATE_LOGGEDOFF, 0)
	s.step(t, "lineSetAgentState LOGGEDOFF", fmt.Sprintf("COMPLETE %d OK", id), "LINE_AGENTSTATUS address=0 GROUP|STATE state=LOGGEDOFF")
	if st, _, groups := s.agentStatus(t); st != tapi.LINEAGENTSTATE_LOGGEDOFF || len(groups) != 0 {
		t.Fatalf("logged off: state %s groups %q", st, groups)
	}
	s.quiet(t)
}

// TestAgentRequestErrors: what the provider refuses before asking the bridge, with the
// LINEERR_* TAPI returns to the application.
func TestAgentRequestErrors(t *testing.T) {
	s := openAlice(t, Config{})
	for _, c := range []struct {
		what string
		req  []byte
		want tapi.LineErr
	}{
		{"ready with a different next state", proxyReq(LINEPROXYREQUEST_SETAGENTSTATE, 0, 0x4, 0x2), tapi.LINEERR_INVALAGENTSTATE},
		{"BUSYACD cannot be asked for", proxyReq(LINEPROXYREQUEST_SETAGENTSTATE, 0, 0x8, 0), tapi.LINEERR_INVALAGENTSTATE},
		{"no state at all", proxyReq(LINEPROXYREQUEST_SETAGENTSTATE, 0, 0, 0), tapi.LINEERR_INVALAGENTSTATE},
		{"lineSetAgentGroup", proxyReq(1, 64, 0, 0), tapi.LINEERR_OPERATIONUNAVAIL},
		{"LINEAGENTSTATUS too small", proxyReq(LINEPROXYREQUEST_GETAGENTSTATUS, 16, 0, 0), tapi.LINEERR_STRUCTURETOOSMALL},
		{"cut-off request", proxyReq(LINEPROXYREQUEST_GETAGENTCAPS, 256, 0, 0)[:20], tapi.LINEERR_STRUCTURETOOSMALL},
	} {
		if err := s.p.ProxyRequest(s.nextReq(), s.hdLine, c.req); CodeOf(err) != c.want {
			t.Errorf("%s: %v, want %s", c.what, err, c.want)
		}
	}
	if err := s.p.SetAgentState(s.nextReq(), s.hdLine, 1, 0x4, 0); CodeOf(err) != tapi.LINEERR_INVALADDRESSID {
		t.Errorf("address 1: %v", err)
	}
	if err := s.p.AgentStatus(s.hdLine+7, 0, TAPI_VERSION2_0, newBuf(256)); CodeOf(err) != tapi.LINEERR_INVALLINEHANDLE {
		t.Errorf("closed line: %v", err)
	}
	s.quiet(t)
}

func TestAgentSummary(t *testing.T) {
	s := summarize([]tapi.AgentStatus{
		{Group: "700", State: tapi.LINEAGENTSTATE_READY},
		{Group: "600", State: tapi.LINEAGENTSTATE_BUSYACD, NextState: tapi.LINEAGENTSTATE_NOTREADY},
		{Group: "800", State: tapi.LINEAGENTSTATE_LOGGEDOFF},
	})
	if s.state != tapi.LINEAGENTSTATE_BUSYACD || s.next != tapi.LINEAGENTSTATE_NOTREADY || strings.Join(s.groups, ",") != "600,700" {
		t.Fatalf("summary %+v", s)
	}
	if f := s.changes(summarize(nil)); f != LINEAGENTSTATUS_GROUP|LINEAGENTSTATUS_STATE|LINEAGENTSTATUS_NEXTSTATE {
		t.Fatalf("changes %#x", f)
	}
	if id := groupID("demo", "600"); id[0] != 600 || id[1] == 0 || groupID("other", "600") == id {
		t.Fatalf("group IDs %v", id)
	}
}
