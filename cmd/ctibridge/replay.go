package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/tracefile"
	"github.com/ctibridge/ctibridge/cti/reducer"
)

const replayUsage = `usage: ctibridge replay FILE [--pbx NAME] [--lines 200-219]

Feeds a CSTA wire trace (docs/trace.md) through the reducer and prints the TAPI events it
yields, one JSON object per line (the wire form of tapi.Event). The monitored lines come from
the trace: each "send MonitorStart" paired with the "recv MonitorStartResponse" of the same
invoke ID. Events for monitors the trace does not explain, undecodable messages and events
the reducer ignores are reported on stderr with the file and line.
`

// runReplay is `ctibridge replay`.
func runReplay(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ctibridge replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, replayUsage, "\nflags:\n")
		fs.PrintDefaults()
	}
	pbx := fs.String("pbx", "", "the PBX to replay (default: the only one in the trace)")
	lines := fs.String("lines", "", "print only the events of these extensions, e.g. 200-219 or 201,202 (default: every monitored line)")
	// Flags may come before or after FILE.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(files) != 1 {
		fmt.Fprintln(stderr, "ctibridge replay: want exactly one trace FILE")
		fs.Usage()
		return 2
	}
	var only map[string]bool
	if *lines != "" {
		exts, err := csta.ExpandDevices(strings.Split(*lines, ","))
		if err != nil {
			fmt.Fprintf(stderr, "ctibridge replay: --lines %q: %v\n", *lines, err)
			return 2
		}
		only = map[string]bool{}
		for _, x := range exts {
			only[x] = true
		}
	}
	recs, err := tracefile.ReadFile(files[0])
	if err != nil {
		fmt.Fprintln(stderr, "ctibridge replay:", err)
		return 1
	}
	if err := replayTrace(files[0], recs, *pbx, only, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "ctibridge replay:", err)
		return 1
	}
	return 0
}

// replayTrace reduces the events of one PBX in recs and writes the TAPI events as JSON lines.
func replayTrace(file string, recs []tracefile.Record, pbx string, only map[string]bool, stdout, stderr io.Writer) error {
	if pbx == "" {
		var err error
		if pbx, err = onlyPBX(file, recs); err != nil {
			return err
		}
	}
	rp := &replayer{file: file, pbx: pbx, only: only, stderr: stderr, st: reducer.NewState(pbx),
		enc: json.NewEncoder(stdout), starting: map[traceReq]string{}, fifo: map[string][]string{},
		lineOf: map[traceReq]string{}, added: map[string]bool{}}
	found := 0
	for _, r := range recs {
		if r.PBX != pbx {
			continue
		}
		found++
		m, err := csta.Decode(r.Body)
		if err != nil {
			rp.warn(r, "cannot decode: %v", err)
			continue
		}
		if r.Dir == tracefile.Send {
			rp.sent(r, m)
			continue
		}
		if rp.monitorResponse(r, m) {
			continue
		}
		if ev, ok := m.(csta.Event); ok {
			if err := rp.event(r, ev); err != nil {
				return err
			}
		}
	}
	if found == 0 {
		return fmt.Errorf("%s: no messages of PBX %q", file, pbx)
	}
	return nil
}

// onlyPBX is the one PBX of a trace, or an error naming them all.
func onlyPBX(file string, recs []tracefile.Record) (string, error) {
	seen := map[string]bool{}
	for _, r := range recs {
		seen[r.PBX] = true
	}
	var names []string
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	switch len(names) {
	case 0:
		return "", fmt.Errorf("%s: no traced messages", file)
	case 1:
		return names[0], nil
	}
	return "", fmt.Errorf("%s: the trace has PBXs %s: choose one with --pbx", file, strings.Join(names, ", "))
}

// traceReq names a request of a node by invoke ID, or a monitor by cross-reference ID.
type traceReq struct{ node, id string }

// replayer follows the monitors of a trace and reduces its events as the bridge did.
type replayer struct {
	file, pbx string
	only      map[string]bool
	stderr    io.Writer
	st        *reducer.State
	enc       *json.Encoder
	starting  map[traceReq]string // MonitorStart waiting for its response: device
	fifo      map[string][]string // the same on framings without invoke IDs, by node
	lineOf    map[traceReq]string // (node, monitorCrossRefID) -> extension
	added     map[string]bool
}

func (rp *replayer) warn(r tracefile.Record, format string, a ...any) {
	fmt.Fprintf(rp.stderr, "%s:%d: %s %s %s: %s\n", rp.file, r.Line, r.Dir, r.Name, r.Node, fmt.Sprintf(format, a...))
}

// sent notes a MonitorStart the bridge sent, to pair it with its response.
func (rp *replayer) sent(r tracefile.Record, m csta.Message) {
	ms, ok := m.(*csta.MonitorStart)
	if !ok {
		return
	}
	if r.InvokeID == tracefile.NoInvokeID {
		rp.fifo[r.Node] = append(rp.fifo[r.Node], ms.MonitorObject.Raw)
	} else {
		rp.starting[traceReq{r.Node, fmt.Sprint(r.InvokeID)}] = ms.MonitorObject.Raw
	}
}

// monitorResponse handles the answer to a MonitorStart: a line starts, or a refusal is told.
// It reports whether m was one.
func (rp *replayer) monitorResponse(r tracefile.Record, m csta.Message) bool {
	switch m.(type) {
	case *csta.MonitorStartResponse, *csta.Error:
	default:
		return false
	}
	dev, pending := "", false
	if r.InvokeID == tracefile.NoInvokeID {
		// Responses come in request order; other requests' responses are not told apart
		// here, so this is exact only while MonitorStarts are the only requests in flight
		// (as at link start).
		if q := rp.fifo[r.Node]; len(q) > 0 {
			dev, pending, rp.fifo[r.Node] = q[0], true, q[1:]
		}
	} else {
		key := traceReq{r.Node, fmt.Sprint(r.InvokeID)}
		if dev, pending = rp.starting[key]; pending {
			delete(rp.starting, key)
		}
	}
	if !pending {
		return false
	}
	resp, ok := m.(*csta.MonitorStartResponse)
	if !ok {
		rp.warn(r, "MonitorStart of %s refused: %v", dev, m)
		return true
	}
	rp.lineOf[traceReq{r.Node, string(resp.MonitorCrossRefID)}] = dev
	if !rp.added[dev] {
		rp.st.AddLine(dev, "")
		rp.added[dev] = true
	}
	return true
}

// event reduces one event and prints the TAPI events of the selected lines.
func (rp *replayer) event(r tracefile.Record, ev csta.Event) error {
	xref := ev.Common().MonitorCrossRefID
	ext, ok := rp.lineOf[traceReq{r.Node, string(xref)}]
	if !ok {
		rp.warn(r, "monitor %q is unknown: no MonitorStart with its response in the trace; event skipped", xref)
		return nil
	}
	// Every line is reduced, so that handles are numbered as the bridge numbered them;
	// --lines only selects what is printed.
	res := rp.st.Apply(ext, ev, r.Time)
	if rp.only != nil && !rp.only[ext] {
		return nil
	}
	if res.Ignored != "" {
		rp.warn(r, "at line %s/%s: ignored by the reducer: %s", rp.pbx, ext, res.Ignored)
	}
	for _, te := range res.Events {
		if rp.only != nil && te.Line != "" && !rp.only[strings.TrimPrefix(te.Line, rp.pbx+"/")] {
			continue
		}
		if err := rp.enc.Encode(te); err != nil {
			return err
		}
	}
	return nil
}
