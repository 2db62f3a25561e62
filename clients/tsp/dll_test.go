//go:build !windows

package main

import (
	"os/exec"
	"regexp"
	"testing"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// requiredExports are the entry points a TAPI 2.x multi-line third-party TSP must offer,
// plus the rundll32 setup entry.
var requiredExports = []string{
	"TSPI_lineNegotiateTSPIVersion", "TSPI_providerInit", "TSPI_providerShutdown", "TSPI_providerEnumDevices",
	"TSPI_providerInstall", "TSPI_providerRemove", "TSPI_providerConfig", "TSPI_providerUIIdentify",
	"TSPI_lineOpen", "TSPI_lineClose", "TSPI_lineGetDevCaps", "TSPI_lineGetAddressCaps",
	"TSPI_lineGetLineDevStatus", "TSPI_lineGetAddressStatus", "TSPI_lineGetCallInfo", "TSPI_lineGetCallStatus",
	"TSPI_lineMakeCall", "TSPI_lineDrop", "TSPI_lineAnswer", "TSPI_lineHold", "TSPI_lineUnhold",
	"TSPI_lineBlindTransfer", "TSPI_lineSetupTransfer", "TSPI_lineDial", "TSPI_lineCompleteTransfer",
	"TSPI_lineRedirect", "TSPI_lineForward", "TSPI_lineGenerateDigits", "TSPI_lineCloseCall",
	"TSPI_lineAddToConference", "TSPI_linePrepareAddToConference",
	"TSPI_lineSetDefaultMediaDetection", "TSPI_lineSetStatusMessages", "TSPI_lineGetCallAddressID",
	"TSPI_lineDevSpecific",
	"TUISPI_lineConfigDialog", "TUISPI_providerConfig", "TUISPI_providerInstall", "TUISPI_providerRemove",
	"ConfigureW",
}

// TestCrossBuildDLL builds ctibridge.tsp with the mingw-w64 cross compiler (as `make tsp`
// does) and reads its export table.
func TestCrossBuildDLL(t *testing.T) {
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Skip("x86_64-w64-mingw32-gcc not installed; run `make deps`")
	}
	objdump, err := exec.LookPath("x86_64-w64-mingw32-objdump")
	if err != nil {
		t.Skip("x86_64-w64-mingw32-objdump not installed; run `make deps`")
	}
	if testing.Short() {
		t.Skip("cross build takes a while; skipped with -short")
	}
	out, err := testkit.Build(testkit.TSP)
	if err != nil {
		t.Fatalf("cross build: %v", err)
	}
	dump, err := exec.Command(objdump, "-p", out).CombinedOutput()
	if err != nil {
		t.Fatalf("objdump -p: %v\n%s", err, dump)
	}
	if !regexp.MustCompile(`(?m)^Magic\s+020b\s+\(PE32\+\)`).Match(dump) {
		t.Errorf("ctibridge.tsp is not a PE32+ (x64) image")
	}
	if !regexp.MustCompile(`(?m)^Characteristics.*\n(?:\s+.*\n)*?\s+DLL\s*$`).Match(dump) {
		t.Errorf("ctibridge.tsp is not marked as a DLL")
	}
	// Export lines look like "\t[  12] TSPI_lineOpen".
	exported := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s*\[\s*\d+\]\s+(\S+)\s*$`).FindAllSubmatch(dump, -1) {
		exported[string(m[1])] = true
	}
	for _, name := range requiredExports {
		if !exported[name] {
			t.Errorf("export %s missing from ctibridge.tsp", name)
		}
	}
	if t.Failed() {
		t.Logf("exports found: %d", len(exported))
	}
}
