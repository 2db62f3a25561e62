package reducer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

// The conformance corpus is recorded from the simulator: each scenario is played by people at
// the phones (pbxsim's control API) and by CSTA requests, once per vendor profile, and every
// event frame a monitor receives is written down as it came off the wire. Recording is done
// only on request:
//
//	go test ./cti/reducer -run TestConformance -record-conformance
//
// then review the diff under testdata/conformance: the frames are the switch's, the expected
// TAPI events the reducer's.

// confScenario is one call scenario of the corpus.
type confScenario struct {
	name   string // file name
	title  string
	source string // the public description of the sequence
	lines  []string
	config func(*pbxsim.Config)
	play   func(d *driver)
}

const confExternal = "+4930555123"

var confScenarios = []confScenario{
	{name: "incoming-answered", title: "Internal call answered, the caller hangs up",
		source: "ECMA TR/68 basic call; ECMA-269 Annex connection state transitions (alerting, connected, null)",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			id := d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.HangUp("202") })
			_ = id
		}},
	{name: "incoming-abandoned", title: "External call abandoned while ringing",
		source: "ECMA TR/68 basic call, caller clears before answer",
		lines:  []string{"201"},
		play: func(d *driver) {
			d.incoming(confExternal, "201")
			d.do(func() error { return d.p.HangUp(confExternal) })
		}},
	{name: "incoming-rejected", title: "Ringing call rejected by the called party",
		source: "ECMA-269 Clear Connection on an alerting connection",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			id := d.dial("202", "201")
			d.request(&csta.ClearConnection{ConnectionToBeCleared: d.conn(id, "201")})
		}},
	{name: "outgoing-donotprompt", title: "MakeCall with autoOriginate doNotPrompt, answered",
		source: "ECMA-269 Make Call service; OpenScape Voice CSTA interface manual (MakeCall event flow)",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			d.request(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202"), AutoOriginate: "doNotPrompt"})
			d.do(func() error { return d.p.Answer("202") })
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "outgoing-prompt", title: "MakeCall with autoOriginate prompt: the calling phone rings first",
		source: "ECMA-269 Make Call service (autoOriginate prompt); OpenScape Voice: MakeCallResponse, ServiceInitiated, Originated, Delivered, Established at the calling device",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			d.request(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202"), AutoOriginate: "prompt"})
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.Answer("202") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "busy", title: "Call to a busy extension",
		source: "ECMA TR/68 call to a busy device (Failed, cause busy)",
		lines:  []string{"201"},
		play: func(d *driver) {
			d.do(func() error { return d.p.SetBusy("202", true) })
			d.dial("201", "202")
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "no-answer", title: "Call not answered; the caller gives up",
		source: "ECMA TR/68 basic call, caller clears before answer",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			d.dial("201", "202")
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "consult-transfer-answered", title: "Consultation transfer after the consulted party answered",
		source: "ECMA TR/68 consultation and transfer; ECMA-269 Consultation Call and Transfer Call services",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { _, err := d.p.Consult("201", "203"); return err })
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.Transfer("201") })
			d.do(func() error { return d.p.HangUp("203") })
		}},
	{name: "consult-transfer-ringing", title: "Transfer while the consulted party is still ringing",
		source: "ECMA TR/68 consultation and transfer (transfer on alerting)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { _, err := d.p.Consult("201", "203"); return err })
			d.do(func() error { return d.p.Transfer("201") })
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "single-step-transfer", title: "Single-step transfer of a connected call",
		source: "ECMA-269 Single Step Transfer Call service",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			id := d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.request(&csta.SingleStepTransferCall{ActiveCall: d.conn(id, "201"), TransferredTo: csta.Device("203")})
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("203") })
		}},
	{name: "conference-party-leaves", title: "Three-party conference, then one party leaves",
		source: "ECMA TR/68 conference; ECMA-269 Conference Call service",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { _, err := d.p.Consult("201", "203"); return err })
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.Conference("201") })
			d.do(func() error { return d.p.HangUp("203") })
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "hold-retrieve", title: "Hold and retrieve by the line",
		source: "ECMA-269 Hold Call and Retrieve Call services",
		lines:  []string{"201", "202"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.Hold("201") })
			d.do(func() error { return d.p.Retrieve("201") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "far-end-hold", title: "The far end holds and retrieves",
		source: "ECMA-269 Held and Retrieved events at the other party's monitor",
		lines:  []string{"201"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.Hold("202") })
			d.do(func() error { return d.p.Retrieve("202") })
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "directed-pickup", title: "Directed pickup of a ringing call",
		source: "ECMA-269 Directed Pickup Call service (Diverted cause callPickup, then Established at the picker)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			id := d.dial("202", "201")
			d.request(&csta.DirectedPickupCall{CallToBePickedUp: d.conn(id, "201"), RequestingDevice: csta.Device("203")})
			d.do(func() error { return d.p.HangUp("203") })
		}},
	{name: "group-pickup", title: "Group pickup of a call ringing in the pickup group",
		source: "ECMA-269 Group Pickup Call service",
		lines:  []string{"201", "202", "203"},
		config: func(c *pbxsim.Config) {
			c.PickupGroups = []pbxsim.PickupGroup{{Number: "600", Members: []string{"201", "203"}}}
		},
		play: func(d *driver) {
			d.dial("202", "201")
			d.request(&csta.GroupPickupCall{NewDestination: csta.Device("203")})
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "deflect", title: "A ringing call deflected to another extension",
		source: "ECMA-269 Deflect Call service (Diverted cause redirected, Delivered at the new destination)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			id := d.dial("202", "201")
			d.request(&csta.DeflectCall{CallToBeDiverted: d.conn(id, "201"), NewDestination: csta.Device("203")})
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "forward-immediate", title: "Call forwarding immediate",
		source: "ECMA TR/68 call forwarding; ECMA-269 Diverted event (callForwardImmediate)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.do(func() error { return d.p.SetForwarding("201", csta.ForwardImmediate, true, "203", 0) })
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("203") })
		}},
	{name: "forward-busy", title: "Call forwarding on busy",
		source: "ECMA TR/68 call forwarding; ECMA-269 Diverted event (callForwardBusy)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.do(func() error { return d.p.SetForwarding("201", csta.ForwardBusy, true, "203", 0) })
			d.do(func() error { return d.p.SetBusy("201", true) })
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "forward-no-answer", title: "Call forwarding on no answer",
		source: "ECMA TR/68 call forwarding; ECMA-269 Diverted event (callForwardNoAnswer)",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.do(func() error { return d.p.SetForwarding("201", csta.ForwardNoAns, true, "203", 1) })
			d.dial("202", "201")
			d.waitFor(func(f frame) bool { return f.name == "DeliveredEvent" && f.ext == "203" })
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("203") })
		}},
	{name: "hunt-group", title: "Call to a hunt group delivered to a member",
		source: "ECMA-269 Delivered with cause enteringDistribution; OSV ACD Delivered capture",
		lines:  []string{"201", "202", "203"},
		config: func(c *pbxsim.Config) {
			c.HuntGroups = []pbxsim.HuntGroup{{Number: "500", Members: []string{"203", "201"}}}
		},
		play: func(d *driver) {
			d.dial("202", "500")
			d.do(func() error { return d.p.Answer("203") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
	{name: "external-trunk", title: "Outgoing external call over a trunk",
		source: "ECMA-269 Network Reached event; ECMA TR/68 call to an external network",
		lines:  []string{"201"},
		play: func(d *driver) {
			d.dial("201", "00301234567")
			d.do(func() error { return d.p.Answer("00301234567") })
			d.do(func() error { return d.p.HangUp("201") })
		}},
	{name: "two-calls-one-line", title: "Two calls on one line: one held, one answered",
		source: "ECMA-269 connection states of two calls at one device (hold, connected); the minimal profile sends no callIDs",
		lines:  []string{"201", "202", "203"},
		play: func(d *driver) {
			d.dial("202", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.Hold("201") })
			d.dial("203", "201")
			d.do(func() error { return d.p.Answer("201") })
			d.do(func() error { return d.p.HangUp("203") })
			d.do(func() error { return d.p.Retrieve("201") })
			d.do(func() error { return d.p.HangUp("202") })
		}},
}

// frame is one event as a monitor received it.
type frame struct {
	ext, name, body string
}

// driver plays a scenario on a simulator and records what the monitors receive.
type driver struct {
	t    *testing.T
	p    *pbxsim.PBX
	node *pbxsim.Node
	prof pbxsim.Profile
	cc   *csta.Conn

	mu     sync.Mutex
	refs   map[csta.MonitorCrossRefID]string
	frames []frame // events and notes (refusals, written into the file), in order
	events uint64  // events among frames, to compare with what the simulator queued
}

// settle waits until every event the simulator queued has reached the monitor.
func (d *driver) settle() {
	require.Eventually(d.t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.events >= d.p.Stats().EventsQueued
	}, 5*time.Second, time.Millisecond, "events queued by the simulator never arrived")
}

// waitFor waits for a frame that matches, then for the events queued with it.
func (d *driver) waitFor(match func(frame) bool) {
	require.Eventually(d.t, func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		return slices.ContainsFunc(d.frames, match)
	}, 5*time.Second, time.Millisecond, "expected frame never arrived")
	d.settle()
}

// do runs a control action; a refusal is noted in the transcript, not fatal.
func (d *driver) do(fn func() error) {
	if err := fn(); err != nil {
		d.note("control action refused: %v", err)
	}
	d.settle()
}

func (d *driver) note(format string, args ...any) {
	d.mu.Lock()
	d.frames = append(d.frames, frame{name: "#", body: fmt.Sprintf(format, args...)})
	d.mu.Unlock()
}

func (d *driver) dial(from, to string) string {
	id, err := d.p.Dial(from, to)
	if err != nil {
		d.note("dial %s -> %s refused: %v", from, to, err)
	}
	d.settle()
	return id
}

func (d *driver) incoming(from, to string) string {
	id, err := d.p.IncomingCall(from, to)
	if err != nil {
		d.note("incoming %s -> %s refused: %v", from, to, err)
	}
	d.settle()
	return id
}

// conn is the wire connection of device in call id, as the profile's switch names it.
func (d *driver) conn(id, device string) csta.ConnectionID {
	if d.prof.OmitCallIDs {
		return csta.ConnectionID{DeviceID: csta.Device(device)}
	}
	return csta.ConnectionID{CallID: d.node.WireCallID(id), DeviceID: csta.Device(device)}
}

// request sends a CSTA service request; a CSTA error is noted in the transcript.
func (d *driver) request(m csta.Message) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := d.cc.Request(ctx, m); err != nil {
		d.note("%s refused: %v", m.MessageName(), err)
	}
	d.settle()
}

// recordScenario plays sc on a fresh simulator with profile and returns the frames.
func recordScenario(t *testing.T, prof pbxsim.Profile, sc confScenario) []frame {
	cfg := pbxsim.Config{Extensions: []string{"200-209"}, Profile: prof.Name, NoAnswerTime: time.Hour,
		RingPeriod: 20 * time.Millisecond}
	if sc.config != nil {
		sc.config(&cfg)
	}
	p, err := pbxsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	node, err := p.StartNode(ctx, "primary", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &driver{t: t, p: p, node: node, prof: prof, refs: map[csta.MonitorCrossRefID]string{}}
	dialect := node.Dialect()
	conn, err := csta.Dial(ctx, node.Addr(), csta.Config{Dialect: dialect, TraceTo: func(r csta.TraceRecord) {
		if r.Dir != "recv" || !strings.HasSuffix(r.Name, "Event") {
			return
		}
		m, err := csta.Decode(r.Body)
		if err != nil {
			t.Errorf("recorded frame does not decode: %v", err)
			return
		}
		ev, ok := m.(csta.Event)
		if !ok {
			return
		}
		d.mu.Lock()
		defer d.mu.Unlock()
		ext := d.refs[ev.Common().MonitorCrossRefID]
		d.frames = append(d.frames, frame{ext: ext, name: r.Name, body: string(r.Body)})
		d.events++
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	d.cc = conn
	if dialect.Session == csta.SessionApplication {
		if _, _, err := conn.NegotiateApplicationSession(ctx, &csta.StartApplicationSession{ApplicationID: "conformance"}, dialect.Edition); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range sc.lines {
		m, err := conn.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device(l)})
		if err != nil {
			t.Fatal(err)
		}
		d.mu.Lock()
		d.refs[m.(*csta.MonitorStartResponse).MonitorCrossRefID] = l
		d.mu.Unlock()
	}
	sc.play(d)
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, f := range d.frames {
		if f.name != "#" && f.ext == "" {
			t.Fatalf("%s/%s: frame for an unknown monitor: %s", prof.Name, sc.name, f.body)
		}
	}
	return d.frames
}

// writeTranscript writes a recorded scenario with the reducer's events.
func writeTranscript(t *testing.T, path string, prof pbxsim.Profile, sc confScenario, frames []frame) {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n", sc.title)
	fmt.Fprintf(&b, "# Profile: %s (pbxsim vendor profile; see the Profiles section of csta/pbxsim/doc.go)\n", prof.Name)
	fmt.Fprintf(&b, "# Source: %s\n", sc.source)
	fmt.Fprintf(&b, "# Recorded from pbxsim: go test ./cti/reducer -run TestConformance -record-conformance\n")
	fmt.Fprintf(&b, "lines %s\n", strings.Join(sc.lines, " "))
	for _, f := range frames {
		if f.name == "#" {
			fmt.Fprintf(&b, "# %s\n", f.body)
			continue
		}
		if strings.ContainsAny(f.body, "\r\n") {
			t.Fatalf("%s: a frame spans lines", path)
		}
		fmt.Fprintf(&b, "< %s %s\n", f.ext, f.body)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
