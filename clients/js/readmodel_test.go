package js

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ctibridge/ctibridge/tapi/readmodeltest"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// TestBrowserReadModel runs the read model's cases (tapi/testdata/readmodel/cases.json, the
// cases of tapi.ReadModel) against the SDK's ReadModel in headless Chromium: the page fetches
// the fixture, applies each case and hands back lines, calls and the ignored count, which
// must be what the case wants, as they are for the Go model.
func TestBrowserReadModel(t *testing.T) {
	cases, fixture, err := readmodeltest.Load()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/readmodel/cases.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture)
	})
	mux.HandleFunc("/test.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(testPage))
	})
	mux.Handle("/", http.FileServerFS(Files))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	br := testkit.StartBrowser(t)
	p := br.Open(t, srv.URL+"/test.html")
	p.Until("module loaded", "window.ready === true")
	var got []string
	p.Must(`(async () => {
		const fx = await (await fetch("/readmodel/cases.json")).json();
		return fx.cases.map((c) => {
			const m = new sdk.ReadModel();
			if (c.start) m.reset(c.start);
			for (const s of c.steps) {
				if ("reset" in s) m.reset(s.reset);
				else m.apply(s.event);
			}
			return JSON.stringify({ignored: m.ignored, lines: m.allLines(), calls: m.callsOf("")});
		});
	})()`, &got)
	if len(got) != len(cases) {
		t.Fatalf("the page ran %d cases, the fixture has %d", len(got), len(cases))
	}
	for i, c := range cases {
		r, err := readmodeltest.DecodeResult([]byte(got[i]))
		if err != nil {
			t.Errorf("%s: the page's result: %v\n%s", c.Name, err, got[i])
			continue
		}
		if d := readmodeltest.Diff(c.Want, r); d != "" {
			t.Errorf("%s (%s):\n%s", c.Name, c.Why, d)
		}
	}
}
