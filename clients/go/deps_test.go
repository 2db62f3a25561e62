package client

import (
	"os/exec"
	"strings"
	"testing"
)

// Clients link the client model and the wire protocol only: the CSTA stack (and with it the
// reducer, the engine and the stores) stays in the bridge (DESIGN.md, "Layout").
func TestClientsDoNotLinkTheBridge(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/ctibridge/ctibridge/clients/go",
		"github.com/ctibridge/ctibridge/clients/tsp/core").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"/csta", "/cti", "/store", "/web"} {
			if strings.HasPrefix(pkg, "github.com/ctibridge/ctibridge"+banned) {
				t.Errorf("a client links %s", pkg)
			}
		}
	}
}
