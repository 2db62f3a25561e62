package web

import (
	"encoding/json"
	"flag"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

var updateErrors = flag.Bool("update-errors", false, "rewrite the problem type table of docs/errors.md")

const (
	errorsDoc      = "../docs/errors.md"
	problemsBegin  = "<!-- problem types: generated from web.ProblemTypes by TestErrorsDoc (go test ./web -run TestErrorsDoc -update-errors) -->"
	problemsEnd    = "<!-- end of problem types -->"
	problemsHeader = "| type | title | status | when, and what to do |\n|---|---|---|---|\n"
)

// problemTable renders the catalogue as docs/errors.md shows it.
func problemTable() string {
	var b strings.Builder
	b.WriteString(problemsHeader)
	for _, pt := range ProblemTypes {
		b.WriteString("| `" + pt.Slug + "` | " + pt.Title + " | " + strconv.Itoa(pt.Status) + " | " + pt.Doc + " |\n")
	}
	return b.String()
}

// TestProblemCatalogue: slugs are unique, titles are set and differ, statuses are errors;
// every prob* entry declared is in ProblemTypes and used by the server.
func TestProblemCatalogue(t *testing.T) {
	slugs, titles := map[string]bool{}, map[string]bool{}
	for _, pt := range ProblemTypes {
		if slugs[pt.Slug] || titles[pt.Title] {
			t.Errorf("%s: slug or title %q twice", pt.Slug, pt.Title)
		}
		slugs[pt.Slug], titles[pt.Title] = true, true
		if pt.Title == "" || pt.Doc == "" || pt.Status < 400 || pt.Status > 599 || http.StatusText(pt.Status) == "" {
			t.Errorf("incomplete entry %+v", pt)
		}
	}
	// Declared entries and their uses outside problems.go.
	fset := token.NewFileSet()
	files, _ := filepath.Glob("*.go")
	declared, used := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for _, name := range n.Names {
					if strings.HasPrefix(name.Name, "prob") && f == "problems.go" {
						declared[name.Name] = true
					}
				}
			case *ast.Ident:
				if strings.HasPrefix(n.Name, "prob") && f != "problems.go" {
					used[n.Name] = true
				}
			case *ast.FuncDecl:
				if f == "problems.go" && (n.Name.Name == "resultProblem" || n.Name.Name == "upgradeProblem") {
					ast.Inspect(n.Body, func(m ast.Node) bool {
						if id, ok := m.(*ast.Ident); ok && strings.HasPrefix(id.Name, "prob") {
							used[id.Name] = true
						}
						return true
					})
				}
			}
			return true
		})
	}
	if len(declared) != len(ProblemTypes) {
		t.Errorf("problems.go declares %d entries, ProblemTypes lists %d", len(declared), len(ProblemTypes))
	}
	for name := range declared {
		if !used[name] {
			t.Errorf("catalogue entry %s is never used", name)
		}
	}
	if resultProblem(tapi.LINEERR_INVALCALLHANDLE) != probUnknownCall || resultProblem(tapi.LINEERR_OPERATIONFAILED) != probPBXFailed {
		t.Error("resultProblem")
	}
}

// TestErrorsDoc keeps docs/errors.md's problem type table the catalogue.
func TestErrorsDoc(t *testing.T) {
	raw, err := os.ReadFile(errorsDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i, j := strings.Index(doc, problemsBegin), strings.Index(doc, problemsEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/errors.md has no %q ... %q section", problemsBegin, problemsEnd)
	}
	want := doc[:i+len(problemsBegin)] + "\n" + problemTable() + doc[j:]
	if *updateErrors {
		if err := os.WriteFile(errorsDoc, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if doc != want {
		t.Errorf("docs/errors.md's problem types differ from web.ProblemTypes; rerun with -update-errors and review the diff")
	}
	for _, f := range []string{"../README.md", "../docs/websocket.md"} {
		if b, _ := os.ReadFile(f); !strings.Contains(string(b), "docs/errors.md") && !strings.Contains(string(b), "(errors.md)") {
			t.Errorf("%s does not link docs/errors.md", f)
		}
	}
}

// TestOpenAPIProblemTypes: the Problem schema lists every type of the catalogue (and only
// those) and the extension members; the API description links docs/errors.md.
func TestOpenAPIProblemTypes(t *testing.T) {
	var doc struct {
		Info struct {
			Description string `json:"description"`
		} `json:"info"`
		Components struct {
			Schemas struct {
				Problem struct {
					Properties map[string]struct {
						Enum        []string `json:"enum"`
						Description string   `json:"description"`
					} `json:"properties"`
				} `json:"Problem"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, pt := range ProblemTypes {
		want = append(want, pt.URI())
	}
	props := doc.Components.Schemas.Problem.Properties
	got := append([]string(nil), props["type"].Enum...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("openapi.json Problem.type enum\n%v\nwant\n%v", got, want)
	}
	for _, m := range []string{"field", "result", "cstaCategory", "cstaValue"} {
		if props[m].Description == "" {
			t.Errorf("openapi.json Problem lacks a described %q", m)
		}
	}
	if !strings.Contains(doc.Info.Description, "docs/errors.md") {
		t.Error("openapi.json's description does not link docs/errors.md")
	}
}

// TestRESTProblemsIssue16: the findings of issue 16. A REST call answered "not found" has a
// type that says so with its title (it was `request-refused`/`request-failed` with the HTTP
// status text); a request the PBX refuses is answered with a sentence, the CSTA error kept
// in cstaCategory/cstaValue (it was "PBX refused AnswerCall: stateIncompatibility/...").
func TestRESTProblemsIssue16(t *testing.T) {
	e := newEnv(t, envOpts{})
	p := e.do("POST", "/api/v1/lines/hq/201/calls/hq:9999/answer", tokAlice, nil).problem(t)
	if p.Type != probUnknownCall.URI() || p.Title != "No such call" || p.Status != 404 || p.Result != tapi.LINEERR_INVALCALLHANDLE {
		t.Errorf("unknown call: %+v", p)
	}
	if _, err := e.sim.IncomingCall("00301234567", "201"); err != nil {
		t.Fatal(err)
	}
	var lv lineView
	e.eventually(5*time.Second, "line ringing", func() bool {
		e.do("GET", "/api/v1/lines/hq/201", tokAlice, nil).decode(t, &lv)
		return lv.Status == StatusRinging && len(lv.Calls) == 1
	})
	answer := "/api/v1/lines/hq/201/calls/" + string(lv.Calls[0].Handle) + "/answer"
	if r := e.do("POST", answer, tokAlice, nil); r.status != 200 {
		t.Fatalf("answer: %d %s", r.status, r.body)
	}
	e.eventually(5*time.Second, "call connected", func() bool {
		e.do("GET", "/api/v1/lines/hq/201", tokAlice, nil).decode(t, &lv)
		return len(lv.Calls) == 1 && lv.Calls[0].State == tapi.LINECALLSTATE_CONNECTED
	})
	r := e.do("POST", answer, tokAlice, nil)
	p = r.problem(t)
	if p.Type != probCallState.URI() || p.Title != probCallState.Title || p.Status != http.StatusConflict ||
		p.Detail != "the call is not ringing at this line any more" || p.Result != tapi.LINEERR_INVALCALLSTATE ||
		p.CSTACategory != "stateIncompatibility" || p.CSTAValue == "" {
		t.Errorf("answering a connected call: %s", r.body)
	}
	t.Logf("answering a connected call: %s", r.body)
}
