package csta

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// The decoder is pinned on every document of the repository (fixtures and fuzz corpora): the
// digest of what Decode makes of each is in testdata/decode-equivalence.txt, written by the
// decoder before the scanner's fast paths (issue 18). A change of the decoder that changes
// any result, an error message included, fails here; one that means to must say so by
// rewriting the file (-update-decode-equiv) and explaining the difference.

var updateDecodeEquiv = flag.Bool("update-decode-equiv", false,
	"rewrite testdata/decode-equivalence.txt from this build's decoder")

// equivExtraDir adds the documents of a folder (e.g. captures that cannot be committed) to a
// -update-decode-equiv run or checks them against a file written with it (equivFile).
var equivExtraDir = flag.String("decode-equiv-extra", "", "folder of more documents (*.xml, *.frame)")

var equivFile = flag.String("decode-equiv-file", filepath.Join("testdata", "decode-equivalence.txt"),
	"the digests to check or write")

type equivInput struct {
	name string
	data []byte
}

func equivInputs(t *testing.T) []equivInput {
	t.Helper()
	var in []equivInput
	add := func(pattern string, read func(string) ([][]byte, error)) {
		files, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range files {
			docs, err := read(p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			for i, d := range docs {
				in = append(in, equivInput{name: filepath.ToSlash(p) + "#" + strconv.Itoa(i), data: d})
			}
		}
	}
	add(filepath.Join("testdata", "xml", "*.xml"), readWhole)
	add(filepath.Join("testdata", "golden", "*.xml"), readWhole)
	add(filepath.Join("testdata", "*.frame"), readFrameBody)
	add(filepath.Join("testdata", "fuzz", "*", "*"), readCorpusEntry)
	if *equivExtraDir != "" {
		add(filepath.Join(*equivExtraDir, "*.xml"), readWhole)
		add(filepath.Join(*equivExtraDir, "*.frame"), readFrameBody)
	}
	return in
}

func readWhole(p string) ([][]byte, error) {
	b, err := os.ReadFile(p)
	return [][]byte{b}, err
}

// readFrameBody gives the whole file and, when it is a header frame, its body.
func readFrameBody(p string) ([][]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	docs := [][]byte{b}
	if f, err := (HeaderFraming{}).NewReader(bytes.NewReader(b), 0).ReadFrame(); err == nil {
		docs = append(docs, f.Body)
	}
	return docs, nil
}

// readCorpusEntry gives the []byte and string values of a fuzz corpus file.
func readCorpusEntry(p string) ([][]byte, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, line := range strings.Split(string(b), "\n") {
		var lit string
		switch {
		case strings.HasPrefix(line, "[]byte(") && strings.HasSuffix(line, ")"):
			lit = line[len("[]byte(") : len(line)-1]
		case strings.HasPrefix(line, "string(") && strings.HasSuffix(line, ")"):
			lit = line[len("string(") : len(line)-1]
		default:
			continue
		}
		s, err := strconv.Unquote(lit)
		if err != nil {
			return nil, fmt.Errorf("corpus value %.40s: %w", lit, err)
		}
		docs = append(docs, []byte(s))
	}
	return docs, nil
}

// describeDecode is what the digest is taken of: the message's type and JSON form, or the
// error's text.
func describeDecode(data []byte) string {
	m, err := Decode(data)
	if err != nil {
		return "error: " + err.Error()
	}
	j, jerr := json.Marshal(m)
	if jerr != nil {
		return fmt.Sprintf("%T %+v", m, m)
	}
	return fmt.Sprintf("%T %s", m, j)
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:12])
}

func TestDecodeEquivalence(t *testing.T) {
	inputs := equivInputs(t)
	if len(inputs) < 100 {
		t.Fatalf("only %d documents found", len(inputs))
	}
	if *updateDecodeEquiv {
		var lines []string
		for _, in := range inputs {
			lines = append(lines, in.name+" "+digest(describeDecode(in.data)))
		}
		sort.Strings(lines)
		if err := os.WriteFile(*equivFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := readDigests(t, *equivFile)
	for _, in := range inputs {
		w, ok := want[in.name]
		if !ok {
			t.Errorf("%s: not in %s (a new document: rewrite the file with -update-decode-equiv)", in.name, *equivFile)
			continue
		}
		if got := describeDecode(in.data); digest(got) != w {
			t.Errorf("%s: Decode's result changed; now:\n%s", in.name, got)
		}
	}
}

func readDigests(t *testing.T, p string) map[string]string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, d, ok := strings.Cut(sc.Text(), " "); ok {
			out[name] = d
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// BenchmarkDecodeSimEvent decodes an event as ctibench's simulator sends it (plain numbers,
// the send time in <extensions>): the bridge's common case.
func BenchmarkDecodeSimEvent(b *testing.B) {
	ev := &EstablishedEvent{
		EventCommon: EventCommon{MonitorCrossRefID: "417", LocalConnectionInfo: StateConnected, Cause: "newCall",
			Extensions: []byte("<extensions><security><timestamp>2026-12-06T21:30:00.123456789Z</timestamp></security></extensions>")},
		EstablishedConnection: ConnectionID{CallID: "4711", DeviceID: Device("2001")},
		AnsweringDevice:       Device("2001"),
		CallingDevice:         Device("2002"),
		CalledDevice:          Device("2001"),
	}
	data, err := Encode(nil, ev, Ed4)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
}
