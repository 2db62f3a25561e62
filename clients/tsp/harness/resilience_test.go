//go:build linux

package harness

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// cluster is one pbxsim and bridge instances sharing a real Redis, for takeover scenarios.
type cluster struct {
	t      *testing.T
	config string
	sim    string // the simulator's control API
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	rds := redistest.Start(t)
	primary, standby, control := testkit.FreeAddr(t), testkit.FreeAddr(t), testkit.FreeAddr(t)
	sim := startProc(t, "pbxsim", "-extensions", "200-219", "-dialect", "generic",
		"-primary", primary, "-standby", standby, "-control", control, "-traffic", "0")
	sim.waitLine(t, `control API`)
	cfg := fmt.Sprintf(`store:
  driver: redis
  redis: {addrs: [%q]}
pbxs:
  - name: demo
    dialect: generic
    primary: %q
    standby: %q
    devices: ["200-219"]
    numbering: {country: "49", area: "30", outside_prefix: "0", extension_digits: 3}
users:
  - name: admin
    token_sha256: %q
    role: admin
  - name: alice
    token_sha256: %q
    role: user
    lines: ["demo/201"]
log: {level: info}
`, rds.Addr, primary, standby, clienttest.TokenSHA256(clienttest.AdminToken), clienttest.TokenSHA256(clienttest.AliceToken))
	path := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, config: path, sim: "http://" + control}
}

// bridge starts an instance on addr and waits until it listens.
func (c *cluster) bridge(addr, id string) *proc {
	c.t.Helper()
	p := startProc(c.t, "ctibridge", "-config", c.config, "-listen", addr, "-instance-id", id)
	p.waitLine(c.t, `listening on`)
	return p
}

// waitOwner waits until instance owns the demo PBX's link and alice's line is in service.
func waitOwner(t *testing.T, addr, instance string) {
	t.Helper()
	r, err := client.NewREST("ws://"+addr+"/ws", clienttest.AdminToken, nil)
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, instance+" owning the PBX link", func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		links, err := r.Links(ctx)
		return err == nil && len(links) == 1 && links[0].Owner == instance && links[0].Active != ""
	})
	if err := clienttest.AwaitInService("http://"+addr, 30*time.Second); err != nil {
		t.Fatal(err)
	}
}

// TestBridgeOutage: with no bridge reachable for longer than the configured limit, the open
// line gets LINEDEVSTATE_OUTOFSERVICE; when a bridge is back, LINEDEVSTATE_INSERVICE.
func TestBridgeOutage(t *testing.T) {
	needWine(t)
	c := startCluster(t)
	addr := testkit.FreeAddr(t)
	a := c.bridge(addr, "bridge-a")
	waitOwner(t, addr, "bridge-a")
	h := startHost(t)
	openAlice(t, h, "-urls ws://"+addr+"/ws -oos-ms 1000")

	from := h.mark()
	a.kill()
	h.waitFor(from, `^EV LINE_LINEDEVSTATE line=0x55 OUTOFSERVICE p2=0 p3=0$`)
	if st := h.ok("linestatus %d", lineBase); flags(t, st.attrs["flags"])&lineDevStatusFlagsInService != 0 {
		t.Errorf("LINEDEVSTATUS while out of service: %s", st.line)
	}
	from = h.mark()
	c.bridge(addr, "bridge-a2")
	h.waitFor(from, `^EV LINE_LINEDEVSTATE line=0x55 INSERVICE p2=0 p3=0$`)
	if st := h.ok("linestatus %d", lineBase); flags(t, st.attrs["flags"])&lineDevStatusFlagsInService == 0 {
		t.Errorf("LINEDEVSTATUS back in service: %s", st.line)
	}
	shutdown(t, h, addr)
}

// TestBridgeFailover: the bridge instance holding the provider's session dies during a
// call; the other instance takes the PBX link over and the session resumes there. TAPI sees
// no LINEDEVSTATE flap, and the call keeps its handles: hold, unhold and drop work on it.
func TestBridgeFailover(t *testing.T) {
	needWine(t)
	c := startCluster(t)
	addrA, addrB := testkit.FreeAddr(t), testkit.FreeAddr(t)
	a := c.bridge(addrA, "bridge-a")
	c.bridge(addrB, "bridge-b")
	waitOwner(t, addrA, "bridge-a")
	h := startHost(t)
	// The limit is well above a takeover (lease expiry) so that only a flap would show.
	openAlice(t, h, fmt.Sprintf("-urls ws://%s/ws,ws://%s/ws -oos-ms 20000", addrA, addrB))

	start := h.mark()
	sim(t, c.sim, "/incoming", map[string]string{"from": "+4989123456", "to": "201"})
	h.inSequence(start, `^EV LINE_NEWCALL line=0x55 ht=0x101 `, `^EV LINE_CALLSTATE ht=0x101 OFFERING `)
	sent := h.requestOK("answer 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 CONNECTED `)

	a.kill() // with the session and the PBX link
	waitOwner(t, addrB, "bridge-b")
	sent = h.requestOK("hold 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 ONHOLD `)
	sent = h.requestOK("unhold 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 CONNECTED `)
	sent = h.requestOK("drop 0x101")
	h.waitFor(sent, `^EV LINE_CALLSTATE ht=0x101 IDLE `)
	if flaps := h.since(start, `^EV LINE_LINEDEVSTATE `); len(flaps) > 0 {
		t.Errorf("line state changes during the takeover: %q", flaps)
	}
	if calls := h.since(start, `^EV LINE_NEWCALL `); len(calls) != 1 {
		t.Errorf("the call was announced again after the takeover: %q", calls)
	}
	if st := h.ok("linestatus %d", lineBase); flags(t, st.attrs["flags"])&lineDevStatusFlagsInService == 0 {
		t.Errorf("LINEDEVSTATUS after the takeover: %s", st.line)
	}
	shutdown(t, h, addrB)
}
