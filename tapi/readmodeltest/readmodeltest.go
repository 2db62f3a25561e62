// Package readmodeltest holds the cases of the read model (tapi.ReadModel), read from
// tapi/testdata/readmodel/cases.json, for the two implementations that follow them: the Go
// one (tapi/readmodel_test.go) and the browser SDK's (clients/js, run in Chromium).
package readmodeltest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"github.com/ctibridge/ctibridge/tapi"
)

// Case is one case: Start (if any) is put in place with Reset, then Steps are applied in
// order; Want is what the model must hold then.
type Case struct {
	Name  string         `json:"name"`
	Why   string         `json:"why"`
	Start *tapi.Snapshot `json:"start,omitempty"`
	Steps []Step         `json:"steps"`
	Want  Result         `json:"want"`
}

// Step is an event (its wire form, null for a nil event) or a Reset.
type Step struct {
	Event json.RawMessage `json:"event,omitempty"`
	Reset *tapi.Snapshot  `json:"reset,omitempty"`
}

// Result is what a model holds: its lines by name, every call oldest first, and how many
// events it ignored.
type Result struct {
	Ignored uint64      `json:"ignored"`
	Lines   []tapi.Line `json:"lines"`
	Calls   []tapi.Call `json:"calls"`
}

type fixture struct {
	About string `json:"about"`
	Cases []Case `json:"cases"`
}

// Path is the fixture's file.
func Path() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "readmodel", "cases.json")
}

// Load reads the cases, strictly (an unknown member is an error, so is a step that is both
// or neither an event and a reset), and returns them with the file's bytes.
func Load() ([]Case, []byte, error) {
	b, err := os.ReadFile(Path())
	if err != nil {
		return nil, nil, err
	}
	var f fixture
	if err := strict(b, &f); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", Path(), err)
	}
	for _, c := range f.Cases {
		for i, s := range c.Steps {
			if (s.Event == nil) == (s.Reset == nil) {
				return nil, nil, fmt.Errorf("%s: case %q step %d: give event or reset", Path(), c.Name, i)
			}
			if s.Event != nil {
				if _, err := s.DecodeEvent(); err != nil {
					return nil, nil, fmt.Errorf("%s: case %q step %d: %w", Path(), c.Name, i, err)
				}
			}
		}
	}
	return f.Cases, b, nil
}

// DecodeEvent decodes the step's event without validating it (the cases try malformed
// events), nil for null.
func (s Step) DecodeEvent() (*tapi.Event, error) {
	if bytes.Equal(bytes.TrimSpace(s.Event), []byte("null")) {
		return nil, nil
	}
	var ev tapi.Event
	if err := strict(s.Event, &ev); err != nil {
		return nil, err
	}
	return &ev, nil
}

// Run runs the case on a fresh tapi.ReadModel and returns the model with what it holds.
func (c Case) Run() (*tapi.ReadModel, Result) {
	m := tapi.NewReadModel()
	if c.Start != nil {
		m.Reset(*c.Start)
	}
	for _, s := range c.Steps {
		if s.Reset != nil {
			m.Reset(*s.Reset)
			continue
		}
		ev, _ := s.DecodeEvent() // checked by Load
		m.Apply(ev)
	}
	return m, Result{Ignored: m.Ignored(), Lines: m.Lines(), Calls: m.Calls("")}
}

// DecodeResult decodes a result in its JSON form strictly, as the browser SDK hands it back.
func DecodeResult(b []byte) (Result, error) {
	var r Result
	err := strict(b, &r)
	return r, err
}

// Diff compares got with want in their wire form (so nil and empty lists, absent and zero
// members are the same) and describes the difference; "" when there is none.
func Diff(want, got Result) string {
	w, g := canon(want), canon(got)
	if w == g {
		return ""
	}
	return fmt.Sprintf("got\n%s\nwant\n%s", g, w)
}

func canon(r Result) string {
	if r.Lines == nil {
		r.Lines = []tapi.Line{}
	}
	if r.Calls == nil {
		r.Calls = []tapi.Call{}
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return "unencodable: " + err.Error()
	}
	return string(b)
}

func strict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}
