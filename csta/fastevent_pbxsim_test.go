package csta_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

var writeSimSeeds = flag.Bool("write-sim-seeds", false,
	"write one stamped event of each kind and simulator profile to testdata/fuzz/FuzzDecodeFast")

// TestDecodeFastSimulatorEvents runs calls through the simulator in every profile, with and
// without the send-time stamp, and checks every event it sends on the link: the fast path
// takes it and gives what the generic decoder gives, and a link's decoder (by its event
// templates) gives the same.
func TestDecodeFastSimulatorEvents(t *testing.T) {
	for _, profile := range pbxsim.ProfileNames() {
		for _, stamp := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stamp=%v", profile, stamp), func(t *testing.T) {
				bodies := simulatorEvents(t, profile, stamp, 1)
				seen := map[string]bool{}
				link, stats := csta.LinkDecoderStats() // the stream as a link reads it: by templates
				lists, listReplays := 0, 0
				for _, b := range bodies {
					_, before := stats()
					got, err := link(b)
					require.NoError(t, err)
					if _, after := stats(); isListEvent(got) {
						lists++
						listReplays += int(after - before)
					}
					want, err := csta.Decode(b)
					require.NoError(t, err)
					require.Equal(t, want, got, "%s", b)
					took, mismatch := csta.FastEquivalent(b)
					require.Empty(t, mismatch, "%s", b)
					require.True(t, took, "the fast path refused %s", b)
					m, err := csta.Decode(b)
					require.NoError(t, err)
					if !seen[m.MessageName()] {
						seen[m.MessageName()] = true
						if *writeSimSeeds && stamp {
							writeFastSeed(t, profile, stamp, m.MessageName(), b)
						}
					}
				}
				docs, replays := stats()
				t.Logf("%d events, %d kinds, %d of %d replayed by a template (events with a connection list: %d of %d)",
					len(bodies), len(seen), replays, docs, listReplays, lists)
			})
		}
	}
}

// simulatorEvents returns the bodies of the events a scenario of calls, run rounds times,
// sends to a client that monitors every extension.
func simulatorEvents(t *testing.T, profile string, stamp bool, rounds int) [][]byte {
	p, err := pbxsim.New(pbxsim.Config{Extensions: []string{"2000-2009"}, Profile: profile, StampEvents: stamp,
		DecorateExternal: true, HuntGroups: []pbxsim.HuntGroup{{Number: "600", Members: []string{"2008", "2009"}}}})
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	n, err := p.StartNode(context.Background(), "a", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var bodies [][]byte
	c, err := csta.Dial(context.Background(), n.Addr(), csta.Config{Dialect: n.Dialect(), TraceTo: func(r csta.TraceRecord) {
		if r.Dir == "recv" && r.InvokeID == csta.EventInvokeID || r.Dir == "recv" && r.InvokeID < 0 && isEventName(r.Name) {
			mu.Lock()
			bodies = append(bodies, append([]byte(nil), r.Body...))
			mu.Unlock()
		}
	}})
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	if n.Dialect().Session == csta.SessionApplication {
		_, err := c.StartApplicationSession(context.Background(), &csta.StartApplicationSession{ApplicationID: "test", UserID: "cti",
			Password: "secret", RequestedProtocolVersions: csta.ProtocolVersions(n.Dialect().Edition)})
		require.NoError(t, err)
	}
	for _, e := range p.Extensions() {
		_, err := c.Request(context.Background(), &csta.MonitorStart{MonitorObject: csta.Device(e)})
		require.NoError(t, err)
	}
	for range rounds {
		runScenario(t, p)
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return uint64(len(bodies)) == p.Stats().EventsQueued
	}, 10*time.Second, time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	return bodies
}

func isListEvent(m csta.Message) bool {
	switch m.(type) {
	case *csta.TransferredEvent, *csta.ConferencedEvent:
		return true
	}
	return false
}

func isEventName(name string) bool { return len(name) > 5 && name[len(name)-5:] == "Event" }

// runScenario makes the simulator send every kind of call event.
func runScenario(t *testing.T, p *pbxsim.PBX) {
	must := func(err error) { t.Helper(); require.NoError(t, err) }
	call := func(from, to string) { t.Helper(); _, err := p.Dial(from, to); must(err) }
	call("2000", "2001")
	must(p.Answer("2001"))
	must(p.Hold("2000"))
	must(p.Retrieve("2000"))
	_, err := p.Consult("2000", "2002")
	must(err)
	must(p.Answer("2002"))
	must(p.Transfer("2000"))
	must(p.HangUp("2001"))
	call("2003", "2004")
	must(p.Answer("2004"))
	_, err = p.Consult("2003", "2005")
	must(err)
	must(p.Answer("2005"))
	must(p.Conference("2003"))
	must(p.HangUp("2003"))
	must(p.HangUp("2004")) // the last party's call ends with it
	_, err = p.IncomingCall("+4930123456", "2006")
	must(err)
	must(p.Answer("2006"))
	must(p.HangUp("2006"))
	must(p.SetBusy("2007", true))
	call("2000", "2007")
	must(p.HangUp("2000"))
	must(p.SetBusy("2007", false))
	must(p.SetForwarding("2007", csta.ForwardImmediate, true, "2001", 0))
	call("2000", "2007")
	must(p.HangUp("2000"))
	must(p.SetForwarding("2007", csta.ForwardImmediate, false, "", 0))
	must(p.SetDoNotDisturb("2001", true))
	must(p.SetDoNotDisturb("2001", false))
	call("2000", "600")
	must(p.HangUp("2000"))
	_, err = p.OffHook("2002")
	must(err)
	must(p.HangUp("2002"))
}

// TestDecodeTemplateSimulatorHitRate reads the events of ten rounds of the scenario of every
// vendor profile through a link's decoder: they give what Decode gives, and events with a
// connection list are replayed by templates too. It logs the share of documents replayed.
func TestDecodeTemplateSimulatorHitRate(t *testing.T) {
	for _, profile := range pbxsim.ProfileNames() {
		t.Run(profile, func(t *testing.T) {
			link, stats := csta.LinkDecoderStats()
			lists, listReplays := 0, 0
			for _, b := range simulatorEvents(t, profile, true, 10) {
				_, before := stats()
				got, err := link(b)
				require.NoError(t, err)
				want, err := csta.Decode(b)
				require.NoError(t, err)
				require.Equal(t, want, got, "%s", b)
				if _, after := stats(); isListEvent(got) {
					lists++
					listReplays += int(after - before)
				}
			}
			docs, replays := stats()
			t.Logf("%s: %d of %d documents replayed (%.1f %%); with a connection list %d of %d", profile,
				replays, docs, 100*float64(replays)/float64(docs), listReplays, lists)
			require.Positive(t, listReplays, "no event with a connection list was replayed")
		})
	}
}

func writeFastSeed(t *testing.T, profile string, stamp bool, name string, body []byte) {
	dir := filepath.Join("testdata", "fuzz", "FuzzDecodeFast")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	file := fmt.Sprintf("sim-%s-%s", profile, name)
	if stamp {
		file += "-stamped"
	}
	content := "go test fuzz v1\n[]byte(" + strconv.Quote(string(body)) + ")\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644))
}
