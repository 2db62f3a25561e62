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
			return fmt.Errorf("%s: no traced messages", file)
		case 1:
			pbx = names[0]
		default:
			return fmt.Errorf("%s: the trace has PBXs %s: choose one with --pbx", file, strings.Join(names, ", "))
		}
	}
	warn := func(r tracefile.Record, format string, a ...any) {
		fmt.Fprintf(stderr, "%s:%d: %s %s %s: %s\n", file, r.Line, r.Dir, r.Name, r.Node, fmt.Sprintf(format, a...))
	}
	st := reducer.NewState(pbx)
	enc := json.NewEncoder(stdout)
	type req struct{ node, id string }
	starting := map[req]string{}  // MonitorStart waiting for its response: device
	fifo := map[string][]string{} // the same on framings without invoke IDs, by node
	lineOf := map[req]string{}    // (node, monitorCrossRefID) -> extension
	added := map[string]bool{}
	found := 0
	for _, r := range recs {
		if r.PBX != pbx {
			continue
		}
		found++
		m, err := csta.Decode(r.Body)
		if err != nil {
			warn(r, "cannot decode: %v", err)
			continue
		}
		key := req{r.Node, fmt.Sprint(r.InvokeID)}
		if r.Dir == tracefile.Send {
			if ms, ok := m.(*csta.MonitorStart); ok {
				if r.InvokeID == tracefile.NoInvokeID {
					fifo[r.Node] = append(fifo[r.Node], ms.MonitorObject.Raw)
				} else {
					starting[key] = ms.MonitorObject.Raw
				}
			}
			continue
		}
		// recv: a response to a MonitorStart, or an event.
		dev, pending := "", false
		switch m.(type) {
		case *csta.MonitorStartResponse, *csta.Error:
			if r.InvokeID == tracefile.NoInvokeID {
				// Responses come in request order; other requests' responses are not
				// told apart here, so this is exact only while MonitorStarts are the
				// only requests in flight (as at link start).
				if q := fifo[r.Node]; len(q) > 0 {
					dev, pending, fifo[r.Node] = q[0], true, q[1:]
				}
			} else if d, ok := starting[key]; ok {
				dev, pending = d, true
				delete(starting, key)
			}
		}
		if pending {
			if resp, ok := m.(*csta.MonitorStartResponse); ok {
				lineOf[req{r.Node, string(resp.MonitorCrossRefID)}] = dev
				if !added[dev] {
					st.AddLine(dev, "")
					added[dev] = true
				}
			} else {
				warn(r, "MonitorStart of %s refused: %v", dev, m)
			}
			continue
		}
		ev, ok := m.(csta.Event)
		if !ok {
			continue
		}
		xref := ev.Common().MonitorCrossRefID
		ext, ok := lineOf[req{r.Node, string(xref)}]
		if !ok {
			warn(r, "monitor %q is unknown: no MonitorStart with its response in the trace; event skipped", xref)
			continue
		}
		// Every line is reduced, so that handles are numbered as the bridge numbered them;
		// --lines only selects what is printed.
		res := st.Apply(ext, ev, r.Time)
		if only != nil && !only[ext] {
			continue
		}
		if res.Ignored != "" {
			warn(r, "at line %s/%s: ignored by the reducer: %s", pbx, ext, res.Ignored)
		}
		for _, te := range res.Events {
			if only != nil && te.Line != "" && !only[strings.TrimPrefix(te.Line, pbx+"/")] {
				continue
			}
			if err := enc.Encode(te); err != nil {
				return err
			}
		}
	}
	if found == 0 {
		return fmt.Errorf("%s: no messages of PBX %q", file, pbx)
	}
	return nil
}
