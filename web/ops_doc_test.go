package web

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpListsInStep keeps every list of requests the same as the engine's op table (allOps):
// the op table of docs/websocket.md and its welcome example, the Go SDK's Op constants and
// the JS SDK's command methods.
func TestOpListsInStep(t *testing.T) {
	var want []string
	for _, op := range allOps {
		want = append(want, string(op))
	}
	slices.Sort(want)
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
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
	doc := read("../docs/websocket.md")
	welcome := doc[strings.Index(doc, `"ops": [`)+len(`"ops": [`):]
	welcome = welcome[:strings.Index(welcome, "]")]
	for name, got := range map[string][]string{
		"docs/websocket.md op table": collect(doc, "(?m)^\\| `([a-zA-Z]+(?:` / `[a-zA-Z]+)?)` \\|"),
		"docs/websocket.md welcome":  collect(welcome, `"([a-zA-Z]+)"`),
		"clients/go Op constants":    collect(read("../clients/go/protocol.go"), `(?m)^\s+Op[A-Za-z]+\s+Op = "([a-zA-Z]+)"`),
		"clients/js command methods": collect(read("../clients/js/ctibridge.js"), `this\.command\("([a-zA-Z]+)"`),
	} {
		if !slices.Equal(got, want) {
			t.Errorf("%s lists %q, the op table has %q", name, got, want)
		}
	}
}
