package reducer

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

// The scenario tables of docs/events.md are generated from the scenarios of scenarios_test.go:
// TestEventsDocMapping fails when the document and the reducer disagree, and
// go test ./cti/reducer -run TestEventsDocMapping -update-mapping rewrites the section (review
// the diff: it is what clients will see).

var updateMapping = flag.Bool("update-mapping", false, "rewrite the scenario tables of docs/events.md")

// mappingSection renders the scenario tables of docs/events.md.
func mappingSection(t *testing.T) string {
	var b strings.Builder
	for _, sc := range scenarios {
		fmt.Fprintf(&b, "### %s\n\n", sc.name)
		b.WriteString("| CSTA event (at which monitor) | TAPI events out (per line) |\n|---|---|\n")
		for i, stp := range sc.steps {
			_, got := runGroups(t, sc.lines, sc.groups, sc.steps[:i+1])
			prev := map[string]int{}
			if i > 0 {
				_, before := runGroups(t, sc.lines, sc.groups, sc.steps[:i])
				for l, evs := range before {
					prev[l] = len(evs)
				}
			}
			var out []string
			for _, e := range got[stp.line][prev[stp.line]:] {
				if strings.HasPrefix(e, "repair:") {
					continue
				}
				if strings.HasPrefix(e, "ignored:") {
					e = "(nothing: " + strings.TrimPrefix(e, "ignored:") + ")"
				}
				out = append(out, "`"+e+"`")
			}
			fmt.Fprintf(&b, "| %s at %s | %s: %s |\n", cstaStr(stp.ev), stp.line, stp.line, strings.Join(out, " "))
		}
		fmt.Fprintf(&b, "\nSource: %s.\n\n", sc.source)
	}
	return b.String()
}

const (
	mappingBegin = "<!-- scenarios:begin (generated from cti/reducer/scenarios_test.go) -->\n"
	mappingEnd   = "<!-- scenarios:end -->"
)

// TestEventsDocMapping keeps the scenario tables of docs/events.md what the reducer does.
func TestEventsDocMapping(t *testing.T) {
	const path = "../../docs/events.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, mappingBegin), strings.Index(doc, mappingEnd)
	if i < 0 || j < i {
		t.Fatalf("docs/events.md has no %q ... %q section", mappingBegin, mappingEnd)
	}
	want := mappingSection(t)
	if got := doc[i+len(mappingBegin) : j]; got != want {
		if *updateMapping {
			if err := os.WriteFile(path, []byte(doc[:i+len(mappingBegin)]+want+doc[j:]), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("docs/events.md scenario tables differ from the reducer; rerun with -update-mapping and review the diff")
	}
}

// cstaStr renders a CSTA event compactly for the document.
func cstaStr(ev csta.Event) string {
	c := ev.Common()
	name := strings.TrimSuffix(ev.MessageName(), "Event")
	var parts []string
	add := func(k string, d csta.DeviceID) {
		if d.Number != "" {
			parts = append(parts, k+"="+d.Number)
		}
	}
	conn := func(x csta.ConnectionID) {
		s := x.CallID
		if s == "" {
			s = "(no callID)"
		}
		parts = append(parts, s+"/"+x.DeviceID.Number)
	}
	switch e := ev.(type) {
	case *csta.ServiceInitiatedEvent:
		conn(e.InitiatedConnection)
	case *csta.OriginatedEvent:
		conn(e.OriginatedConnection)
		add("called", e.CalledDevice)
	case *csta.NetworkReachedEvent:
		conn(e.OutboundConnection)
		add("trunk", e.NetworkInterfaceUsed)
	case *csta.DeliveredEvent:
		conn(e.Connection)
		add("alerting", e.AlertingDevice)
		add("calling", e.CallingDevice)
		add("called", e.CalledDevice)
		add("lastRedirection", e.LastRedirectionDevice)
	case *csta.EstablishedEvent:
		conn(e.EstablishedConnection)
		add("answering", e.AnsweringDevice)
		add("calling", e.CallingDevice)
		add("lastRedirection", e.LastRedirectionDevice)
	case *csta.QueuedEvent:
		conn(e.QueuedConnection)
		add("queue", e.Queue)
	case *csta.HeldEvent:
		conn(e.HeldConnection)
		add("holding", e.HoldingDevice)
	case *csta.RetrievedEvent:
		conn(e.RetrievedConnection)
		add("retrieving", e.RetrievingDevice)
	case *csta.ConnectionClearedEvent:
		conn(e.DroppedConnection)
		add("releasing", e.ReleasingDevice)
	case *csta.CallClearedEvent:
		conn(e.ClearedCall)
	case *csta.FailedEvent:
		conn(e.FailedConnection)
		add("failing", e.FailingDevice)
	case *csta.DivertedEvent:
		conn(e.Connection)
		add("diverting", e.DivertingDevice)
		add("newDestination", e.NewDestination)
	case *csta.TransferredEvent:
		parts = append(parts, e.PrimaryOldCall.CallID+"+"+e.SecondaryOldCall.CallID)
		add("transferring", e.TransferringDevice)
		add("transferredTo", e.TransferredToDevice)
	case *csta.ConferencedEvent:
		parts = append(parts, e.PrimaryOldCall.CallID+"+"+e.SecondaryOldCall.CallID)
		add("conferencing", e.ConferencingDevice)
		add("added", e.AddedParty)
	}
	for i, p := range parts {
		parts[i] = strings.TrimSuffix(p, "/")
	}
	s := name + " " + strings.Join(parts, " ")
	if c.Cause != "" {
		s += " cause=" + string(c.Cause)
	}
	if c.LocalConnectionInfo != "" {
		s += " lci=" + string(c.LocalConnectionInfo)
	}
	return s
}
