package tapi

import (
	"bufio"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const (
	tapiHeader = "/usr/share/mingw-w64/include/tapi.h"
	tspiHeader = "/usr/share/mingw-w64/include/tspi.h"
)

// families maps each tapi.h prefix this package models to its name table.
var families = map[string]*nameTable{
	"LINECALLSTATE_":      callStateNames,
	"LINECALLORIGIN_":     callOriginNames,
	"LINECALLREASON_":     callReasonNames,
	"LINEDISCONNECTMODE_": disconnectModeNames,
	"LINEBUSYMODE_":       busyModeNames,
	"LINEOFFERINGMODE_":   offeringModeNames,
	"LINECONNECTEDMODE_":  connectedModeNames,
	"LINEDIALTONEMODE_":   dialToneModeNames,
	"LINEDEVSTATE_":       devStateNames,
	"LINEADDRESSSTATE_":   addressStateNames,
	"LINECALLINFOSTATE_":  callInfoStateNames,
	"LINECALLPARTYID_":    callPartyIDNames,
	"LINEFORWARDMODE_":    forwardModeNames,
	"LINEERR_":            lineErrNames,
	"LINEAGENTSTATE_":     agentStateNames,
}

var defineRE = regexp.MustCompile(`^#define\s+([A-Z][A-Z0-9_]*)\s+(.+?)\s*$`)

// readDefines returns the #define NAME VALUE lines of a header whose value is a number,
// possibly wrapped as __MSABI_LONG(n) or ((__LONG32) BASE + n).
func readDefines(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent; install it with `make deps` (Debian package mingw-w64-x86-64-dev)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]uint64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := defineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		v := strings.TrimSuffix(strings.TrimPrefix(m[2], "__MSABI_LONG("), ")")
		if base, n, ok := strings.Cut(v, "+"); ok { // ((__LONG32) TSPI_MESSAGE_BASE + 0)
			base = strings.TrimSpace(strings.Trim(strings.TrimPrefix(strings.TrimSpace(base), "(("), "()"))
			base = strings.TrimSpace(strings.TrimPrefix(base, "__LONG32)"))
			b, okb := out[base]
			k, err := strconv.ParseUint(strings.TrimSpace(strings.TrimRight(n, ") ")), 0, 64)
			if okb && err == nil {
				out[m[1]] = b + k
			}
			continue
		}
		if x, err := strconv.ParseUint(strings.ToLower(v), 0, 64); err == nil {
			out[m[1]] = x
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func familyOf(name string) string {
	for p := range families {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// TestConstantsMatchTapiH checks the Go constants as written in this package's source (names
// and literal values), and the name tables the JSON form uses, against tapi.h.
func TestConstantsMatchTapiH(t *testing.T) {
	header := readDefines(t, tapiHeader)

	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	defined := map[string]bool{}
	{
		for _, file := range files {
			for _, decl := range file.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					for i, id := range vs.Names {
						if familyOf(id.Name) == "" {
							continue
						}
						lit, ok := vs.Values[i].(*ast.BasicLit)
						if !ok {
							t.Errorf("%s: value is not a literal", id.Name)
							continue
						}
						v, err := strconv.ParseUint(strings.ToLower(lit.Value), 0, 64)
						if err != nil {
							t.Errorf("%s: %v", id.Name, err)
							continue
						}
						want, ok := header[id.Name]
						switch {
						case !ok:
							t.Errorf("%s is not defined in tapi.h", id.Name)
						case v != want:
							t.Errorf("%s = 0x%08X, tapi.h says 0x%08X", id.Name, v, want)
						}
						defined[id.Name] = true
					}
				}
			}
		}
	}
	for name, v := range header {
		p := familyOf(name)
		if p == "" {
			continue
		}
		if !defined[name] {
			t.Errorf("tapi.h defines %s (0x%08X) but the package has no constant for it", name, v)
		}
		if got, ok := families[p].byName[name]; !ok || uint64(got) != v {
			t.Errorf("name table %s: %s = 0x%08X (present %v), tapi.h says 0x%08X", p, name, got, ok, v)
		}
	}
	for p, tbl := range families {
		for _, e := range tbl.entries {
			if !strings.HasPrefix(e.name, p) || header[e.name] != uint64(e.value) {
				t.Errorf("name table %s: %s = 0x%08X disagrees with tapi.h", p, e.name, e.value)
			}
		}
	}
	if len(defined) < 250 {
		t.Errorf("only %d constants checked; the source scan is broken", len(defined))
	}
}

func TestMessageNumbersMatchHeaders(t *testing.T) {
	header := readDefines(t, tapiHeader)
	tspi := readDefines(t, tspiHeader)
	for typ, msg := range tapiMessages {
		want, ok := header[string(typ)]
		if !ok {
			want, ok = tspi[string(typ)]
		}
		if !ok || uint64(msg) != want {
			t.Errorf("%s = %d, headers say %d (found %v)", typ, msg, want, ok)
		}
	}
}

func TestConstantJSONUsesNames(t *testing.T) {
	b, err := json.Marshal(CallStatus{State: LINECALLSTATE_DISCONNECTED, DisconnectMode: LINEDISCONNECTMODE_BUSY})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"state":"LINECALLSTATE_DISCONNECTED","disconnectMode":"LINEDISCONNECTMODE_BUSY"}` {
		t.Errorf("got %s", got)
	}
	var s CallStatus
	if err := json.Unmarshal([]byte(`{"state":"LINECALLSTATE_BOGUS"}`), &s); err == nil ||
		!strings.Contains(err.Error(), "LINECALLSTATE_BOGUS") {
		t.Errorf("bad name accepted or unclear error: %v", err)
	}
	if _, err := json.Marshal(CallStatus{State: 3}); err == nil {
		t.Error("a value outside LINECALLSTATE_ marshalled")
	}
	m := LINECALLINFOSTATE_CONNECTEDID | LINECALLINFOSTATE_REASON
	b, err = json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `["LINECALLINFOSTATE_REASON","LINECALLINFOSTATE_CONNECTEDID"]` {
		t.Errorf("mask: got %s", b)
	}
	var back CallInfoState
	if err := json.Unmarshal(b, &back); err != nil || back != m {
		t.Errorf("mask round trip: %v %v", back, err)
	}
	if LINEERR_INVALCALLHANDLE.String() != "LINEERR_INVALCALLHANDLE" || LineErr(0).String() != "0" {
		t.Error("LineErr.String")
	}
}

func TestLineDeviceIDStable(t *testing.T) {
	// FNV-1a 32 of "hq/201" is 0xE51EFEB4 (computed independently); masked to 31 bits.
	if got := LineDeviceID("hq/201"); got != 0xE51EFEB4&0x7FFFFFFF {
		t.Errorf("LineDeviceID(hq/201) = 0x%08X", got)
	}
	if LineDeviceID("hq/201") == LineDeviceID("hq/202") {
		t.Error("neighbouring lines collide")
	}
	if NewLine("hq", "201", "").DeviceID != LineDeviceID("hq/201") {
		t.Error("NewLine does not use LineDeviceID")
	}
}
