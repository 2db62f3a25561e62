package e2e

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// soak runs longer versions of the scenarios (more calls, more faults, longer settling).
var soak = flag.Bool("soak", false, "run the longer soak versions of the failover scenarios")

// profile runs every scenario against a simulator with this vendor profile (osv, minimal, ...;
// see pbxsim -h); TestSwitchProfiles covers osv and minimal in every run.
var profile = flag.String("profile", "", "pbxsim vendor profile of every scenario (default: generic shapes)")

// Paths of the binaries TestMain builds; empty under -short.
var ctibridgeBin, pbxsimBin string

// TestMain builds the daemon and the simulator once, without -race even when the suite runs
// with it: the processes are the system under test, and race-instrumented binaries would be
// too slow for the timing the scenarios need on a small CI machine.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ctibridge-e2e-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	ctibridgeBin = filepath.Join(dir, "ctibridge")
	pbxsimBin = filepath.Join(dir, "pbxsim")
	for bin, pkg := range map[string]string{ctibridgeBin: "../cmd/ctibridge", pbxsimBin: "../cmd/pbxsim"} {
		out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "e2e: build %s: %v\n%s", pkg, err, out)
			os.RemoveAll(dir)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
