package tapi_test

import (
	"testing"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/readmodeltest"
)

// TestReadModel runs the cases of testdata/readmodel/cases.json, which the browser SDK's
// ReadModel follows too (clients/js TestBrowserReadModel). Beyond what a case wants, every
// model must agree with itself: each line's calls are its share of all calls, lookups find
// what the lists hold, and what it hands out are copies.
func TestReadModel(t *testing.T) {
	cases, _, err := readmodeltest.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			m, got := c.Run()
			if d := readmodeltest.Diff(c.Want, got); d != "" {
				t.Fatalf("%s:\n%s", c.Why, d)
			}
			for _, l := range got.Lines {
				if g, ok := m.Line(l.Name); !ok || g.Name != l.Name {
					t.Errorf("Line(%q) = %+v, %v", l.Name, g, ok)
				}
			}
			perLine := map[string][]tapi.CallHandle{}
			for _, cl := range got.Calls {
				perLine[cl.Line] = append(perLine[cl.Line], cl.Handle)
				if g, ok := m.Call(cl.Handle); !ok || g.Handle != cl.Handle {
					t.Errorf("Call(%q) = %+v, %v", cl.Handle, g, ok)
				}
			}
			if with := m.LinesWithCalls(); len(with) != len(perLine) {
				t.Errorf("LinesWithCalls %v, calls on %d lines", with, len(perLine))
			}
			for line, hs := range perLine {
				cs := m.Calls(line)
				if len(cs) != len(hs) {
					t.Fatalf("Calls(%q): %d calls, want %d", line, len(cs), len(hs))
				}
				for i := range cs {
					if cs[i].Handle != hs[i] {
						t.Errorf("Calls(%q)[%d] = %s, want %s", line, i, cs[i].Handle, hs[i])
					}
				}
			}
			for _, cl := range m.Calls("") {
				cl.OtherCallIDs = append(cl.OtherCallIDs[:0:0], "mutated")
				cl.Parties = append(cl.Parties, "mutated")
				if cl.Conference != nil {
					cl.Conference.Parties[0].Number = "mutated"
				}
			}
			for _, l := range m.Lines() {
				if len(l.Forwarding) > 0 {
					l.Forwarding[0].Destination = "mutated"
				}
			}
			if _, again := c.Run(); readmodeltest.Diff(got, again) != "" {
				t.Fatal("not repeatable")
			}
			if d := readmodeltest.Diff(got, readmodeltest.Result{Ignored: m.Ignored(), Lines: m.Lines(), Calls: m.Calls("")}); d != "" {
				t.Fatalf("the model shares what it handed out:\n%s", d)
			}
		})
	}
}
