package tspcore

import (
	"regexp"
	"strings"
	"testing"
)

// members returns the "TYPE name" members of a tapi.h declaration, with nested structs
// flattened (their members in order) and the union's members of the named arms only.
func members(decl string) []string {
	var out []string
	for _, m := range strings.Split(decl, ";") {
		f := strings.Fields(strings.NewReplacer("{", " ", "}", " ").Replace(m))
		for len(f) > 0 && (f[0] == "struct" || f[0] == "__C89_NAMELESS" || f[0] == "union") {
			f = f[1:]
		}
		if len(f) >= 2 {
			out = append(out, f[len(f)-2]+" "+f[len(f)-1])
		}
	}
	return out
}

func ours(l *layout) []string {
	var out []string
	for _, f := range l.fields {
		out = append(out, f.typ+" "+f.name)
	}
	return out
}

// TestAgentLayoutsMatchTapiH compares LINEAGENTGROUPENTRY and the parts of LINEPROXYREQUEST
// the provider reads with tapi.h (LINEAGENTCAPS and LINEAGENTSTATUS are in
// TestLayoutsMatchTapiH).
func TestAgentLayoutsMatchTapiH(t *testing.T) {
	h := readHeader(t, tapiH)
	m := regexp.MustCompile(`typedef struct lineagentgroupentry_tag \{((?:[^}]*\}[^}]*?)*?)\} LINEAGENTGROUPENTRY`).FindStringSubmatch(h)
	if m == nil {
		t.Fatal("LINEAGENTGROUPENTRY not found in tapi.h")
	}
	// The header's GroupID struct members are dwGroupID1..4 followed by "} GroupID;".
	got := strings.Join(members(strings.Replace(m[1], "} GroupID;", "", 1)), ",")
	if want := strings.Join(ours(lineAgentGroupEntryLayout), ","); got != want {
		t.Errorf("LINEAGENTGROUPENTRY differs from tapi.h:\n header %s\n ours   %s", got, want)
	}
	p := regexp.MustCompile(`typedef struct lineproxyrequest_tag \{([^}]*)\}\s*SetAgentGroup;[^}]*\}\s*SetAgentState;`).FindStringSubmatch(h)
	if p == nil {
		t.Fatal("LINEPROXYREQUEST's SetAgentState not found in tapi.h")
	}
	head, setState, _ := strings.Cut(p[0], "} SetAgentGroup;")
	var decl []string
	for _, f := range members(head[strings.Index(head, "{")+1:]) {
		if !strings.Contains(f, "GroupList") { // SetAgentGroup's LINEAGENTGROUPLIST after dwAddressID
			decl = append(decl, f)
		}
	}
	for _, f := range members(setState) {
		if f != "DWORD dwAddressID" {
			decl = append(decl, f)
		}
	}
	if got, want := strings.Join(decl, ","), strings.Join(ours(lineProxyRequestLayout), ","); got != want {
		t.Errorf("LINEPROXYREQUEST differs from tapi.h:\n header %s\n ours   %s", got, want)
	}
	// GetAgentCaps and GetAgentStatus: dwAddressID, then the structure, as the union's arms.
	for _, arm := range []string{`DWORD dwAddressID;\s*LINEAGENTCAPS AgentCaps;\s*\} GetAgentCaps;`,
		`DWORD dwAddressID;\s*LINEAGENTSTATUS AgentStatus;\s*\} GetAgentStatus;`} {
		if !regexp.MustCompile(arm).MatchString(h) {
			t.Errorf("tapi.h has no union arm %s", arm)
		}
	}
	if proxyPayload != 32 {
		t.Errorf("the union's structure starts at %d, want 32 (7 DWORDs and dwAddressID)", proxyPayload)
	}
}
