package e2e

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// soak runs longer versions of the scenarios (more calls, more faults, longer settling).
var soak = flag.Bool("soak", false, "run the longer soak versions of the failover scenarios")

// profile runs every scenario against a simulator with this vendor profile (osv, minimal, ...;
// see pbxsim -h); TestSwitchProfiles covers osv and minimal in every run.
var profile = flag.String("profile", "", "pbxsim vendor profile of every scenario (default: generic shapes)")

// Paths of the binaries TestMain builds; empty under -short.
var ctibridgeBin, pbxsimBin string

// TestMain builds the daemon and the simulator (testkit.Binary: once for all packages of
// the run, without -race even when the suite runs with it: the processes are the system under
// test, and race-instrumented binaries would be too slow for the timing the scenarios need on
// a small CI machine).
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	var err error
	if ctibridgeBin, err = testkit.Binary("./cmd/ctibridge"); err == nil {
		pbxsimBin, err = testkit.Binary("./cmd/pbxsim")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
