package web

import (
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/tapi/wire"
)

func readRepoFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOpListsInStep keeps every list of requests the same as the op table (wire.Ops): the op
// table of docs/websocket.md and its welcome example, the Go SDK's Op constants and command
// methods, and the JS SDK's command methods.
func TestOpListsInStep(t *testing.T) {
	var want []string
	for _, op := range allOps {
		want = append(want, string(op))
	}
	slices.Sort(want)
	collect := func(src, pattern string) []string {
		var out []string
		for _, m := range regexp.MustCompile(pattern).FindAllStringSubmatch(src, -1) {
			for _, g := range m[1:] {
				for _, name := range strings.Split(g, "` / `") {
					if name != "" && !slices.Contains(out, name) {
						out = append(out, name)
					}
				}
			}
		}
		slices.Sort(out)
		return out
	}
	// Go names of the ops (OpMakeCall -> makeCall), from package wire's constants.
	goName := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(Op[A-Za-z]+)\s+Op = "([a-zA-Z]+)"`).FindAllStringSubmatch(readRepoFile(t, "../tapi/wire/ops.go"), -1) {
		goName[m[1]] = m[2]
	}
	viaWire := func(src, pattern string) []string {
		var out []string
		for _, id := range collect(src, pattern) {
			if op, ok := goName[id]; ok {
				out = append(out, op)
			} else {
				out = append(out, "?"+id)
			}
		}
		slices.Sort(out)
		return out
	}
	doc := readRepoFile(t, "../docs/websocket.md")
	welcome := doc[strings.Index(doc, `"ops": [`)+len(`"ops": [`):]
	welcome = welcome[:strings.Index(welcome, "]")]
	for name, got := range map[string][]string{
		"package wire Op constants":  collect(readRepoFile(t, "../tapi/wire/ops.go"), `(?m)^\s+Op[A-Za-z]+\s+Op = "([a-zA-Z]+)"`),
		"docs/websocket.md op table": collect(doc, "(?m)^\\| `([a-zA-Z]+(?:` / `[a-zA-Z]+)?)` \\|"),
		"docs/websocket.md welcome":  collect(welcome, `"([a-zA-Z]+)"`),
		"clients/go Op constants":    viaWire(readRepoFile(t, "../clients/go/protocol.go"), `(?m)^\s+Op[A-Za-z]+\s+= wire\.(Op[A-Za-z]+)`),
		"clients/go command methods": viaWire(readRepoFile(t, "../clients/go/commands.go"), `Command\{Op: (Op[A-Za-z]+)`),
		"clients/js command methods": collect(readRepoFile(t, "../clients/js/ctibridge.js"), `this\.command\("([a-zA-Z]+)"`),
	} {
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %q, the op table has %q", name, got, want)
		}
	}
}

// TestOpTableInDocs checks the rows of docs/websocket.md's op table against wire.Ops: the
// TAPI column, and the members the "needs" column names.
func TestOpTableInDocs(t *testing.T) {
	doc := readRepoFile(t, "../docs/websocket.md")
	rows := regexp.MustCompile("(?m)^\\| `([a-zA-Z]+)`(?: / `([a-zA-Z]+)`)? \\| ([^|]+) \\| ([^|]+) \\|$").FindAllStringSubmatch(doc, -1)
	seen := 0
	for _, r := range rows {
		ops := []string{r[1]}
		tapis := []string{strings.TrimSpace(r[3])}
		if r[2] != "" {
			ops = append(ops, r[2])
			tapis = strings.Split(tapis[0], " / ")
		}
		// "the reply's `handle`" tells of the reply, not of a member the op takes.
		needs := strings.ReplaceAll(r[4], "the reply's `handle`", "the reply's handle")
		for i, op := range ops {
			spec, ok := wire.Lookup(wire.Op(op))
			if !ok {
				t.Errorf("docs list op %q, the table has no such op", op)
				continue
			}
			seen++
			if i < len(tapis) && tapis[i] != spec.TAPI {
				t.Errorf("docs: %s mirrors %q, the op table says %q", op, tapis[i], spec.TAPI)
			}
			for member, takes := range map[string]bool{
				"handle":  spec.Handle != wire.Refused,
				"handle2": spec.Handle2 != wire.Refused,
				"number":  spec.Number != wire.NoNumber,
				"enable":  spec.Takes(wire.FieldEnable),
				"prompt":  spec.Takes(wire.FieldPrompt),
			} {
				named := strings.Contains(needs, "`"+member+"`") || strings.Contains(needs, "`"+member+":")
				if named != takes {
					t.Errorf("docs: %s needs %q; the op table says it takes %s: %v", op, strings.TrimSpace(needs), member, takes)
				}
			}
		}
	}
	if seen != len(wire.Ops) {
		t.Errorf("docs' op table has %d ops, wire.Ops %d", seen, len(wire.Ops))
	}
}

// TestCloseCodesInDocs checks docs/websocket.md's close codes of 4000 and above against
// package wire's.
func TestCloseCodesInDocs(t *testing.T) {
	var got []int
	for _, m := range regexp.MustCompile(`(?m)^\| (4\d\d\d) \|`).FindAllStringSubmatch(readRepoFile(t, "../docs/websocket.md"), -1) {
		n, _ := strconv.Atoi(m[1])
		got = append(got, n)
	}
	if !slices.Equal(got, wire.CloseCodes) {
		t.Errorf("docs/websocket.md lists close codes %v, package wire %v", got, wire.CloseCodes)
	}
}

// TestJSCommandMembers checks the members each JS SDK command method sends against the op
// table: only members the op takes, and every handle it requires.
func TestJSCommandMembers(t *testing.T) {
	js := readRepoFile(t, "../clients/js/ctibridge.js")
	found := 0
	for _, m := range regexp.MustCompile(`this\.command\("([a-zA-Z]+)",([^\n]*)`).FindAllStringSubmatch(js, -1) {
		spec, ok := wire.Lookup(wire.Op(m[1]))
		if !ok {
			t.Errorf("JS sends op %q, the table has no such op", m[1])
			continue
		}
		found++
		keys := map[string]bool{}
		for _, obj := range regexp.MustCompile(`\{([^}]*)\}`).FindAllStringSubmatch(m[2], -1) {
			for _, part := range strings.Split(obj[1], ",") {
				k, _, _ := strings.Cut(part, ":")
				keys[strings.TrimSpace(k)] = true
			}
		}
		for k := range keys {
			switch {
			case k == "line":
			case k == "handle" && spec.Handle != wire.Refused:
			case k == "handle2" && spec.Handle2 != wire.Refused:
			case k == "number" && spec.Number != wire.NoNumber:
			case spec.Takes(k):
			default:
				t.Errorf("JS %s sends %q, which the op takes not", spec.Op, k)
			}
		}
		for member, need := range map[string]bool{"line": true, "handle": spec.Handle == wire.Required,
			"handle2": spec.Handle2 == wire.Required, "number": spec.Number.Need() == wire.Required} {
			if need && !keys[member] {
				t.Errorf("JS %s does not send %s, which the op requires", spec.Op, member)
			}
		}
	}
	if found != len(wire.Ops) {
		t.Errorf("JS sends %d ops, the table has %d", found, len(wire.Ops))
	}
}
