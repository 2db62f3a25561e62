package reducer

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// The conformance corpus (testdata/conformance/<profile>/<scenario>.txt): per scenario and
// switch profile, the CSTA event frames each monitor received, in order, each followed by the
// TAPI events the reducer must make of it. A transcript reads:
//
//	# title, profile, the public source of the sequence
//	lines 201 202
//	< 201 <?xml ...?><DeliveredEvent ...>...</DeliveredEvent>
//	> 201 hq:1 NEWCALL origin=INTERNAL reason=DIRECT caller=202 called=201
//	> 201 hq:1 OFFERING
//
// "<" is a frame at the monitor of a line, ">" an expected event (or "ignored:<why>",
// "repair:<reason>"). The pbxsim profiles' transcripts are recorded (-record-conformance);
// those under handmade/ are written by hand from vendor captures and manuals for shapes the
// simulator does not produce. -update-conformance rewrites the ">" lines of every file from
// the reducer (review the diff).

var (
	recordConformance = flag.Bool("record-conformance", false, "record the pbxsim transcripts of testdata/conformance anew (review the diff)")
	updateConformance = flag.Bool("update-conformance", false, "rewrite the expected events of testdata/conformance from the reducer (review the diff)")
)

const conformanceDir = "testdata/conformance"

// TestConformance replays every transcript and compares the reducer's events with the
// expected ones.
func TestConformance(t *testing.T) {
	if *recordConformance {
		for _, prof := range pbxsim.Profiles() {
			for _, sc := range confScenarios {
				frames := recordScenario(t, prof, sc)
				writeTranscript(t, filepath.Join(conformanceDir, prof.Name, sc.name+".txt"), prof, sc, frames)
			}
		}
	}
	files, err := filepath.Glob(filepath.Join(conformanceDir, "*", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no conformance transcripts")
	}
	for _, path := range files {
		name, _ := filepath.Rel(conformanceDir, path)
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			checkTranscript(t, path, *updateConformance || *recordConformance)
		})
	}
	// Every profile plays every scenario.
	for _, prof := range pbxsim.Profiles() {
		for _, sc := range confScenarios {
			if _, err := os.Stat(filepath.Join(conformanceDir, prof.Name, sc.name+".txt")); err != nil {
				t.Errorf("no transcript of %s for profile %s (record with -record-conformance)", sc.name, prof.Name)
			}
		}
	}
}

// checkTranscript replays one transcript; with update it rewrites the expected events.
func checkTranscript(t *testing.T, path string, update bool) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		in = append(in, sc.Text())
	}
	f.Close()
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var s *State
	var out []string // the file as the reducer sees it
	var want, got []string
	flush := func(at int) {
		if strings.Join(want, "\n") != strings.Join(got, "\n") && !update {
			t.Errorf("%s:%d: reducer events differ\n got: %s\nwant: %s", path, at,
				strings.Join(got, "\n      "), strings.Join(want, "\n      "))
		}
		want, got = nil, nil
	}
	step := 0
	lastFrame := 0
	for i, line := range in {
		switch {
		case strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "":
			out = append(out, line)
		case strings.HasPrefix(line, "lines "):
			s = NewState("hq")
			for _, l := range strings.Fields(strings.TrimPrefix(line, "lines ")) {
				s.AddLine(l, "")
				s.Apply(l, &csta.BackInServiceEvent{}, t0)
			}
			out = append(out, line)
		case strings.HasPrefix(line, "< "):
			flush(lastFrame)
			lastFrame = i + 1
			if s == nil {
				t.Fatalf("%s:%d: a frame before the lines", path, i+1)
			}
			ext, body, ok := strings.Cut(strings.TrimPrefix(line, "< "), " ")
			if !ok {
				t.Fatalf("%s:%d: want \"< LINE XML\"", path, i+1)
			}
			m, err := csta.Decode([]byte(body))
			if err != nil {
				t.Fatalf("%s:%d: %v", path, i+1, err)
			}
			ev, ok := m.(csta.Event)
			if !ok {
				t.Fatalf("%s:%d: %s is not an event", path, i+1, m.MessageName())
			}
			step++
			res := s.Apply(ext, ev, t0.Add(time.Duration(step)*time.Second))
			got = describeResult(ext, res)
			out = append(out, line)
			for _, g := range got {
				out = append(out, "> "+g)
			}
		case strings.HasPrefix(line, "> "):
			want = append(want, strings.TrimPrefix(line, "> "))
		default:
			t.Fatalf("%s:%d: unknown line %q", path, i+1, line)
		}
	}
	flush(lastFrame)
	if update {
		if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// describeResult is what a transcript says of one reducer step at line ext.
func describeResult(ext string, res Result) []string {
	var out []string
	for _, e := range res.Events {
		out = append(out, ext+" "+describe(e))
	}
	if len(res.Events) == 0 {
		tag, ok := ignoredTags[res.Ignored]
		if !ok {
			tag = "?" + res.Ignored
		}
		out = append(out, fmt.Sprintf("%s ignored:%s", ext, tag))
	}
	if res.Repair != "" {
		out = append(out, ext+" repair:"+res.Repair)
	}
	return out
}
