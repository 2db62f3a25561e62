package tspcore

import (
	"context"

	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/test/testkit"

	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
)

// cluster is one cmd/pbxsim and bridges sharing a real Redis, for takeover scenarios.
type cluster struct {
	t       *testing.T
	config  string
	control string
}

func startCluster(t *testing.T) *cluster {
	t.Helper()
	rds := redistest.Start(t)
	primary, standby, control := testkit.FreeAddr(t), testkit.FreeAddr(t), testkit.FreeAddr(t)
	sim := startProc(t, "pbxsim", "-extensions", "200-219", "-dialect", "generic",
		"-primary", primary, "-standby", standby, "-control", control, "-traffic", "0")
	if _, err := sim.waitLine(`control API`); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("alice-demo-token"))
	adm := sha256.Sum256([]byte("admin-demo-token"))
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
`, rds.Addr, primary, standby, hex.EncodeToString(adm[:]), hex.EncodeToString(sum[:]))
	path := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cluster{t: t, config: path, control: "http://" + control}
}

// bridge starts an instance on addr and waits until it listens.
func (c *cluster) bridge(addr, id string) *proc {
	c.t.Helper()
	p := startProc(c.t, "ctibridge", "-config", c.config, "-listen", addr, "-instance-id", id)
	if _, err := p.waitLine(`listening on`); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// TestBridgeFailover: the bridge instance holding the TSP's session dies during a call; the
// other instance takes the PBX link over and the session resumes there. TAPI sees the call
// go on, and no OUTOFSERVICE flap. Only when no bridge answers for longer than
// OutOfServiceAfter does the line go out of service, and back in when a bridge returns.
func TestBridgeFailover(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level failover test")
	}
	c := startCluster(t)
	addrA, addrB := testkit.FreeAddr(t), testkit.FreeAddr(t)
	a := c.bridge(addrA, "bridge-a")
	c.bridge(addrB, "bridge-b")
	waitOwner(t, "ws://"+addrA+"/ws", "bridge-a")

	s := openAlice(t, Config{URLs: []string{"ws://" + addrA + "/ws", "ws://" + addrB + "/ws"},
		OutOfServiceAfter: 8 * time.Second})
	sim(t, c.control, "/incoming", map[string]string{"from": "+4989123456", "to": "201"})
	s.step(t, "ring", "", "LINE_NEWCALL ht=0x101", "LINE_CALLSTATE ht=0x101 OFFERING mode=0x1")
	hd := s.hd(t, 0x101)
	must(t, "TSPI_lineAnswer", s.p.Answer(51, hd))
	s.step(t, "lineAnswer", "COMPLETE 51 OK", "LINE_CALLINFO ht=0x101 CONNECTEDID", "LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1")

	a.kill() // bridge-a dies with the session and the PBX link
	// bridge-b accepts the session at once but answers commands only once it owns the PBX
	// link (after the dead owner's lease expired); wait for that, as the bridge's own
	// clients would see it.
	waitOwner(t, "ws://"+addrB+"/ws", "bridge-b")

	// Requests wait for the session on bridge-b; the call keeps its handles.
	must(t, "TSPI_lineHold after the takeover", s.p.Hold(52, hd))
	s.step(t, "lineHold via bridge-b", "COMPLETE 52 OK", "LINE_CALLSTATE ht=0x101 ONHOLD")
	must(t, "TSPI_lineUnhold", s.p.Unhold(53, hd))
	s.step(t, "lineUnhold via bridge-b", "COMPLETE 53 OK", "LINE_CALLSTATE ht=0x101 CONNECTED mode=0x1")
	must(t, "TSPI_lineDrop", s.p.Drop(54, hd))
	s.step(t, "lineDrop via bridge-b", "COMPLETE 54 OK", "LINE_CALLSTATE ht=0x101 IDLE")
	s.quiet(t) // in particular: no LINE_LINEDEVSTATE during the takeover
	status := newBuf(256)
	must(t, "TSPI_lineGetLineDevStatus", s.p.LineDevStatus(s.hdLine, status))
	if f := dw(t, lineDevStatusLayout, status, "dwDevStatusFlags"); f&LINEDEVSTATUSFLAGS_INSERVICE == 0 {
		t.Fatalf("dwDevStatusFlags %#x after the takeover lacks LINEDEVSTATUSFLAGS_INSERVICE", f)
	}
}

// waitOwner waits until instance owns the demo PBX's link.
func waitOwner(t *testing.T, url, instance string) {
	t.Helper()
	r, err := client.NewREST(url, "admin-demo-token", nil)
	must(t, "REST client", err)
	testkit.EventuallyNil(t, instance+" owning the PBX link", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		links, err := r.Links(ctx)
		if err == nil && (len(links) != 1 || links[0].Owner != instance || links[0].Active == "") {
			err = fmt.Errorf("links %+v", links)
		}
		return err
	})
	// ...and alice's line in service (the first resync done), so that opening it does not
	// report LINEDEVSTATE_INSERVICE in the middle of a scenario.
	base := strings.TrimSuffix(strings.Replace(url, "ws://", "http://", 1), "/ws")
	must(t, "lines in service", clienttest.AwaitInService(base, 30*time.Second))
}

// TestBridgeOutage: with no bridge reachable for longer than OutOfServiceAfter, the open line
// goes LINEDEVSTATE_OUTOFSERVICE; when a bridge is back and the session in sync, INSERVICE.
func TestBridgeOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level failover test")
	}
	c := startCluster(t)
	addr := testkit.FreeAddr(t)
	a := c.bridge(addr, "bridge-a")
	waitOwner(t, "ws://"+addr+"/ws", "bridge-a")
	s := openAlice(t, Config{URLs: []string{"ws://" + addr + "/ws"}, OutOfServiceAfter: time.Second})
	a.kill()
	s.step(t, "the only bridge is gone", "", "LINE_LINEDEVSTATE LINEDEVSTATE_OUTOFSERVICE p2=0 p3=0")
	status := newBuf(256)
	must(t, "TSPI_lineGetLineDevStatus", s.p.LineDevStatus(s.hdLine, status))
	if f := dw(t, lineDevStatusLayout, status, "dwDevStatusFlags"); f&LINEDEVSTATUSFLAGS_INSERVICE != 0 {
		t.Fatalf("dwDevStatusFlags %#x while out of service", f)
	}
	if _, err := s.p.MakeCall(61, s.hdLine, 0xA1, "202"); err != nil {
		t.Fatalf("lineMakeCall while out of service must be accepted and wait for the bridge: %v", err)
	}
	c.bridge(addr, "bridge-a2")
	ev := s.rec.waitFor(t, "INSERVICE")
	if ev[len(ev)-1] != "LINE_LINEDEVSTATE LINEDEVSTATE_INSERVICE p2=0 p3=0" {
		t.Fatalf("back in service: %q", ev)
	}
	for _, e := range ev[:len(ev)-1] {
		if e != "COMPLETE 61 OK" && !strings.Contains(e, "ht=0xa1") {
			t.Fatalf("unexpected message before INSERVICE: %q in %q", e, ev)
		}
	}
}
