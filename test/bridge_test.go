package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Settings every scenario's bridges share.
const (
	pbxName       = "hq"
	watcherToken  = "e2e-watcher-token"
	adminToken    = "e2e-admin-token" // role admin
	userToken     = "e2e-user-token"  // role user, owning userLine only
	userLine      = pbxName + "/200"
	leaseTTL      = 1500 * time.Millisecond
	heartbeat     = 300 * time.Millisecond
	heartbeatMiss = 3
)

// bridgeConfig writes the one configuration file all instances run with.
func bridgeConfig(t testing.TB, primary, standby string, redisAddrs []string, masterName, devices, preferred, dialect string, opts clusterOpts) string {
	t.Helper()
	hash := func(token string) string {
		sum := sha256.Sum256([]byte(token))
		return hex.EncodeToString(sum[:])
	}
	var b strings.Builder
	fmt.Fprintf(&b, "log: {level: info, format: json}\n")
	fmt.Fprintf(&b, "store:\n  driver: redis\n  lease_ttl: %s\n  redis:\n    addrs: [%s]\n", leaseTTL, strings.Join(redisAddrs, ", "))
	if opts.degradeAfter > 0 {
		fmt.Fprintf(&b, "  degrade_after: %s\n", opts.degradeAfter)
	}
	if masterName != "" {
		fmt.Fprintf(&b, "    master_name: %s\n", masterName)
	}
	fmt.Fprintf(&b, "pbxs:\n  - name: %s\n    dialect: %s\n    primary: %q\n    standby: %q\n", pbxName, dialect, primary, standby)
	fmt.Fprintf(&b, "    heartbeat: %s\n    misses: %d\n    resync: hot\n    failback: manual\n    devices: [%q]\n"+
		// numbering is required by web today even though docs/config.md calls it optional.
		"    numbering: {country: \"49\", area: \"30\", outside_prefix: \"0\", extension_digits: 3}\n", heartbeat, heartbeatMiss, devices)
	if preferred != "" {
		fmt.Fprintf(&b, "    preferred_instance: %s\n", preferred)
	}
	fmt.Fprintf(&b, "users:\n  - name: watcher\n    token_sha256: %s\n    role: supervisor\n", hash(watcherToken))
	fmt.Fprintf(&b, "  - name: admin\n    token_sha256: %s\n    role: admin\n", hash(adminToken))
	fmt.Fprintf(&b, "  - name: alice\n    token_sha256: %s\n    role: user\n    lines: [%q]\n", hash(userToken), userLine)
	// A small send queue lets the slow client scenario overflow it with little traffic.
	fmt.Fprintf(&b, "web:\n  send_queue: 64\n")
	if opts.readTimeout > 0 {
		fmt.Fprintf(&b, "  read_timeout: %s\n", opts.readTimeout)
	}
	path := filepath.Join(t.TempDir(), "ctibridge.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bridgeProc is one ctibridge instance.
type bridgeProc struct {
	*proc
	id  string
	url string // http://127.0.0.1:port
}

var bridgeBanner = regexp.MustCompile(`listening on http://(\S+?)/`)

// startBridge starts an instance; started learns its process ID before it can reach the PBX,
// so that its CSTA connections are attributed from the first.
func startBridge(t testing.TB, ctx context.Context, config, id string, started func(pid int)) *bridgeProc {
	t.Helper()
	p := startProc(t, id, ctibridgeBin, "-config", config, "-instance-id", id, "-listen", "127.0.0.1:0")
	started(p.pid())
	m, err := p.waitOutput(ctx, bridgeBanner)
	if err != nil {
		t.Fatal(err)
	}
	return &bridgeProc{proc: p, id: id, url: "http://" + m[1]}
}

// ready polls /readyz until it answers 200.
func (b *bridgeProc) ready(ctx context.Context) error {
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.url+"/readyz", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (last: %v)", b.id, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
