package pbxsim

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// dialTraced is connect with the wire traced into trace and the events kept whole.
func dialTraced(t *testing.T, n *Node, trace *testkit.Buffer, monitored ...string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl := &client{t: t, events: make(chan csta.Event, 1000), refs: map[csta.MonitorCrossRefID]string{}}
	cfg := csta.Config{Dialect: n.Dialect(), OnEvent: func(ev csta.Event) { cl.events <- ev }}
	if trace != nil {
		cfg.Trace, cfg.TraceBody = trace, 1<<20
	}
	c, err := csta.Dial(ctx, n.Addr(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl.c = c
	if n.Dialect().Session == csta.SessionApplication {
		if _, err := c.StartApplicationSession(ctx, &csta.StartApplicationSession{ApplicationID: "test", UserID: "cti",
			Password: "secret", RequestedProtocolVersions: csta.ProtocolVersions(n.Dialect().Edition)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range monitored {
		resp := cl.req(&csta.MonitorStart{MonitorObject: csta.Device(d)}).(*csta.MonitorStartResponse)
		cl.refs[resp.MonitorCrossRefID] = d
	}
	return cl
}

// recorded is one received event with the monitored device it is for.
type recorded struct {
	at string
	ev csta.Event
}

func (r recorded) String() string { return r.at + ": " + summary(r.ev) }

// take waits for the next n events (the timeout only guards a hang) and checks their
// summaries in arrival order.
func (cl *client) take(want ...string) []recorded {
	cl.t.Helper()
	out := make([]recorded, 0, len(want))
	timeout := time.After(10 * time.Second)
	for len(out) < len(want) {
		select {
		case ev := <-cl.events:
			out = append(out, recorded{cl.refs[ev.Common().MonitorCrossRefID], ev})
		case <-timeout:
			cl.t.Fatalf("got %d of %d events: %v", len(out), len(want), out)
		}
	}
	got := make([]string, len(out))
	for i, r := range out {
		got[i] = r.String()
	}
	eq(cl.t, got, want)
	return out
}

// reqErr runs a request that must fail with the CSTA error value.
func (cl *client) reqErr(m csta.Message, value string) {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := cl.c.Request(ctx, m); !csta.IsCSTAError(err, value) {
		cl.t.Fatalf("%s: got %v, want CSTA error %s", m.MessageName(), err, value)
	}
}

// subjectConn is the connection an event is about, and the device the switch says acted.
func subjectConn(ev csta.Event) (csta.ConnectionID, csta.DeviceID) {
	switch e := ev.(type) {
	case *csta.ServiceInitiatedEvent:
		return e.InitiatedConnection, e.InitiatingDevice
	case *csta.OriginatedEvent:
		return e.OriginatedConnection, e.CallingDevice
	case *csta.DeliveredEvent:
		return e.Connection, e.AlertingDevice
	case *csta.EstablishedEvent:
		return e.EstablishedConnection, e.AnsweringDevice
	case *csta.HeldEvent:
		return e.HeldConnection, e.HoldingDevice
	case *csta.RetrievedEvent:
		return e.RetrievedConnection, e.RetrievingDevice
	case *csta.ConnectionClearedEvent:
		return e.DroppedConnection, e.ReleasingDevice
	case *csta.CallClearedEvent:
		return e.ClearedCall, csta.DeviceID{}
	}
	return csta.ConnectionID{}, csta.DeviceID{}
}

func TestProfileByName(t *testing.T) {
	for _, name := range []string{"osv", "OSBiz", " avaya ", "generic", "minimal"} {
		p, err := ProfileByName(name)
		if err != nil || !strings.EqualFold(p.Name, strings.TrimSpace(name)) {
			t.Fatalf("%q: %+v %v", name, p, err)
		}
	}
	if p, err := ProfileByName(""); err != nil || p.Prompt || p.OmitCallIDs || p.DecorateAll {
		t.Fatalf("default profile: %+v %v", p, err)
	}
	_, err := ProfileByName("cisco")
	if err == nil || !strings.Contains(err.Error(), "osv, osbiz, avaya, generic, minimal") {
		t.Fatalf("unknown profile: %v", err)
	}
	if _, err := New(Config{Extensions: []string{"201"}, Profile: "cisco"}); err == nil {
		t.Fatal("New accepted an unknown profile")
	}
	for prof, dialect := range map[string]string{"": "osv", "osv": "osv", "osbiz": "osbiz", "avaya": "avaya", "generic": "generic", "minimal": "generic"} {
		p, err := New(Config{Extensions: []string{"201"}, Profile: prof})
		if err != nil || p.Config().Dialect != dialect {
			t.Fatalf("profile %q: dialect %q, %v; want %q", prof, p.Config().Dialect, err, dialect)
		}
		p.Close()
	}
}

// TestProfilesMakeCallAnswerHangUp runs one call per profile over TCP and checks the event
// sequence and shapes at both monitors.
func TestProfilesMakeCallAnswerHangUp(t *testing.T) {
	for _, prof := range Profiles() {
		t.Run(prof.Name, func(t *testing.T) {
			_, a, _ := startDuplex(t, Config{Profile: prof.Name, User: "cti", Password: "secret"})
			var wire testkit.Buffer
			cl := dialTraced(t, a, &wire, "201", "202")
			mc := cl.req(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202"),
				AutoOriginate: "doNotPrompt"}).(*csta.MakeCallResponse)
			callID := mc.CallingDevice.CallID
			if (callID == "") != prof.OmitCallIDs || mc.CallingDevice.DeviceID.Number != "201" {
				t.Fatalf("MakeCallResponse %+v", mc.CallingDevice)
			}
			evs := cl.take("201: ServiceInitiatedEvent initiated makeCall", "201: OriginatedEvent connected makeCall",
				"201: DeliveredEvent connected newCall", "202: DeliveredEvent alerting newCall")
			cl.req(&csta.AnswerCall{CallToBeAnswered: evs[3].ev.(*csta.DeliveredEvent).Connection})
			evs = append(evs, cl.take("201: EstablishedEvent connected newCall", "202: EstablishedEvent connected newCall")...)
			cl.req(&csta.ClearConnection{ConnectionToBeCleared: mc.CallingDevice})
			evs = append(evs, cl.take("202: ConnectionClearedEvent connected normalClearing",
				"201: ConnectionClearedEvent null normalClearing", "202: CallClearedEvent null normalClearing")...)

			// who each event is about, when the connection names the acting party
			about := []string{"201", "201", "202", "202", "202", "202", "201", "201", ""}
			for i, r := range evs {
				conn, _ := subjectConn(r.ev)
				if conn.CallID != callID {
					t.Errorf("%v: callID %q, want %q", r, conn.CallID, callID)
				}
				want := about[i]
				if prof.OwnConnection {
					want = r.at
				}
				if conn.DeviceID.Number != want || (want != "" && conn.DeviceID.Raw != want) {
					t.Errorf("%v: connection %+v, want device %q plain", r, conn, want)
				}
				priv := r.ev.Common().Extensions
				if prof.ServiceExtras != bytes.Contains(priv, []byte("<scx:extendedServicesPermitted/>")) {
					t.Errorf("%v: private data %q", r, priv)
				}
			}
			del := evs[3].ev.(*csta.DeliveredEvent)
			orig := evs[1].ev.(*csta.OriginatedEvent)
			est := evs[5].ev.(*csta.EstablishedEvent)
			if del.CallingDevice.Number != "201" || del.AlertingDevice.Number != "202" || del.CalledDevice.Number != "202" {
				t.Fatalf("Delivered devices %+v", del)
			}
			if prof.DecorateAll {
				if del.CallingDevice.Raw != "N<201>;noa=nk" || del.AlertingDevice.Raw != "N<202>;noa=nk" ||
					orig.CallingDevice.Raw != "201" || orig.CalledDevice.Raw != "N<202>;noa=nk" {
					t.Fatalf("osv decoration: Delivered %+v Originated %+v", del, orig)
				}
			} else if del.CallingDevice.Raw != "201" || orig.CalledDevice.Raw != "202" {
				t.Fatalf("plain devices: Delivered %+v Originated %+v", del, orig)
			}
			if redir := prof.NotRequiredRedirection; redir != (del.LastRedirectionDevice.Absent == "notRequired") ||
				redir != (est.LastRedirectionDevice.Absent == "notRequired") {
				t.Fatalf("lastRedirectionDevice: %+v %+v", del.LastRedirectionDevice, est.LastRedirectionDevice)
			}
			w := wire.String()
			alertingPermits := "<servicesPermitted><callControlServices><clearConnection>true</clearConnection><deflectCall>true</deflectCall></callControlServices>"
			for _, s := range []string{alertingPermits, "<mediaCallCharacteristics><mediaClass><voice>true</voice>"} {
				if strings.Contains(w, s) != prof.ServiceExtras {
					t.Errorf("wire has %s: %v", s, !prof.ServiceExtras)
				}
			}
			if ns := `<DeliveredEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3"`; strings.Contains(w, ns) != (prof.Name == "avaya") {
				t.Errorf("ed3 namespace on the wire: %v", !(prof.Name == "avaya"))
			}
		})
	}
}

func TestOSVDecoratesExternalNumbers(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Profile: "osv", User: "cti", Password: "secret"})
	cl := dialTraced(t, a, nil, "201")
	if _, err := p.IncomingCall("+4930123456", "201"); err != nil {
		t.Fatal(err)
	}
	d := cl.take("201: DeliveredEvent alerting newCall")[0].ev.(*csta.DeliveredEvent)
	if d.CallingDevice.Raw != "N<+4930123456>;displayNumber=+4930123456;noa=nk" || d.CallingDevice.Number != "+4930123456" ||
		d.Connection.DeviceID.Raw != "201" || d.AlertingDevice.Raw != "N<201>;noa=nk" {
		t.Fatalf("Delivered %+v", d)
	}
}

func TestPromptMakeCall(t *testing.T) {
	prompt := func(cl *client) csta.ConnectionID {
		return cl.req(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202"),
			AutoOriginate: "prompt"}).(*csta.MakeCallResponse).CallingDevice
	}
	dialled := []string{"201: OriginatedEvent connected makeCall", "201: DeliveredEvent connected newCall", "202: DeliveredEvent alerting newCall"}

	t.Run("caller accepts", func(t *testing.T) {
		p, a, _ := startDuplex(t, Config{Profile: "osv", User: "cti", Password: "secret"})
		cl := dialTraced(t, a, nil, "201", "202")
		prompt(cl)
		cl.take("201: ServiceInitiatedEvent initiated makeCall")
		if tr := p.Truth(); len(tr.Calls) != 1 || len(tr.Calls[0].Parties) != 1 || tr.Calls[0].Parties[0].State != csta.StateInitiated {
			t.Fatalf("while prompting: %+v", tr.Calls)
		}
		if err := p.Answer("201"); err != nil {
			t.Fatal(err)
		}
		// events arrive in order on one link: the callee saw nothing before the caller accepted
		cl.take(dialled...)
		if err := p.Answer("202"); err != nil {
			t.Fatal(err)
		}
		cl.take("201: EstablishedEvent connected newCall", "202: EstablishedEvent connected newCall")
	})
	t.Run("AnswerCall accepts", func(t *testing.T) {
		_, a, _ := startDuplex(t, Config{Profile: "generic"})
		cl := dialTraced(t, a, nil, "201", "202")
		own := prompt(cl)
		cl.take("201: ServiceInitiatedEvent initiated makeCall")
		cl.req(&csta.AnswerCall{CallToBeAnswered: own})
		cl.take(dialled...)
	})
	t.Run("caller rejects", func(t *testing.T) {
		p, a, _ := startDuplex(t, Config{Profile: "osbiz"})
		cl := dialTraced(t, a, nil, "201", "202")
		prompt(cl)
		cl.take("201: ServiceInitiatedEvent initiated makeCall")
		if err := p.HangUp("201"); err != nil {
			t.Fatal(err)
		}
		cl.take("201: ConnectionClearedEvent null normalClearing", "201: CallClearedEvent null normalClearing")
		if tr := p.Truth(); len(tr.Calls) != 0 {
			t.Fatalf("calls left: %+v", tr.Calls)
		}
	})
	t.Run("nobody answers", func(t *testing.T) {
		p, a, _ := startDuplex(t, Config{Profile: "avaya", User: "cti", Password: "secret", NoAnswerTime: 30 * time.Millisecond})
		cl := dialTraced(t, a, nil, "201", "202")
		prompt(cl)
		cl.take("201: ServiceInitiatedEvent initiated makeCall",
			"201: ConnectionClearedEvent null callNotAnswered", "201: CallClearedEvent null callNotAnswered")
		if tr := p.Truth(); len(tr.Calls) != 0 {
			t.Fatalf("calls left: %+v", tr.Calls)
		}
	})
	t.Run("PromptAnswer accepts by itself", func(t *testing.T) {
		_, a, _ := startDuplex(t, Config{Profile: "generic", PromptAnswer: 20 * time.Millisecond})
		cl := dialTraced(t, a, nil, "201", "202")
		prompt(cl)
		cl.take(append([]string{"201: ServiceInitiatedEvent initiated makeCall"}, dialled...)...)
	})
	for _, prof := range []string{"", "minimal"} {
		t.Run("ignored by profile "+prof, func(t *testing.T) {
			_, a, _ := startDuplex(t, Config{Profile: prof, User: "cti", Password: "secret"})
			cl := dialTraced(t, a, nil, "201", "202")
			prompt(cl)
			cl.take(append([]string{"201: ServiceInitiatedEvent initiated makeCall"}, dialled...)...)
		})
	}
}

// TestMinimalResolvesRequestsByState works two calls on one line with connections that carry
// no call ID, as a client of a minimal switch must.
func TestMinimalResolvesRequestsByState(t *testing.T) {
	p, a, _ := startDuplex(t, Config{Profile: "minimal"})
	cl := dialTraced(t, a, nil)
	line := func(dev string) csta.ConnectionID { return csta.ConnectionID{DeviceID: csta.Device(dev)} }
	states := func() []csta.LocalConnectionState {
		var out []csta.LocalConnectionState
		for _, d := range p.Truth().Devices {
			if d.Number == "201" {
				for _, c := range d.Connections {
					out = append(out, c.State)
				}
			}
		}
		return out
	}
	has := func(want ...csta.LocalConnectionState) {
		t.Helper()
		got := states()
		count := func(l []csta.LocalConnectionState, s csta.LocalConnectionState) (n int) {
			for _, x := range l {
				if x == s {
					n++
				}
			}
			return n
		}
		for _, s := range append(got, want...) {
			if len(got) != len(want) || count(got, s) != count(want, s) {
				t.Fatalf("201 states %v, want %v", got, want)
			}
		}
	}
	cl.req(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202")})
	cl.req(&csta.AnswerCall{CallToBeAnswered: line("202")})
	cl.req(&csta.HoldCall{CallToBeHeld: line("201")})
	has(csta.StateHold)
	cl.req(&csta.MakeCall{CallingDevice: csta.Device("203"), CalledDirectoryNumber: csta.Device("201")})
	has(csta.StateHold, csta.StateAlerting)
	cl.reqErr(&csta.HoldCall{CallToBeHeld: line("201")}, csta.ErrInvalidConnectionID) // nothing connected
	cl.req(&csta.AnswerCall{CallToBeAnswered: line("201")})                           // the alerting one
	has(csta.StateHold, csta.StateConnected)
	cl.req(&csta.HoldCall{CallToBeHeld: line("201")}) // the connected one
	has(csta.StateHold, csta.StateHold)
	cl.reqErr(&csta.RetrieveCall{CallToBeRetrieved: line("201")}, csta.ErrInvalidConnectionID)        // which one?
	cl.reqErr(&csta.ClearConnection{ConnectionToBeCleared: line("201")}, csta.ErrInvalidConnectionID) // which one?
	if err := p.Retrieve("201"); err != nil {
		t.Fatal(err)
	}
	has(csta.StateHold, csta.StateConnected)
	cl.req(&csta.ClearConnection{ConnectionToBeCleared: line("201")}) // hang-up releases the connected one
	has(csta.StateHold)
	cl.req(&csta.RetrieveCall{CallToBeRetrieved: line("201")})
	has(csta.StateConnected)
	cl.req(&csta.ConsultationCall{ExistingCall: line("201"), ConsultedDevice: csta.Device("204")})
	cl.req(&csta.AnswerCall{CallToBeAnswered: line("204")})
	has(csta.StateHold, csta.StateConnected)
	cl.req(&csta.TransferCall{HeldCall: line("201"), ActiveCall: line("201")})
	has()
	if tr := p.Truth(); len(tr.Calls) != 1 || len(tr.Calls[0].Parties) != 2 {
		t.Fatalf("after transfer: %+v", tr.Calls)
	}
}

func TestMinimalSnapshots(t *testing.T) {
	_, a, _ := startDuplex(t, Config{Profile: "minimal"})
	cl := dialTraced(t, a, nil, "201")
	cl.req(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202")})
	cl.take("201: ServiceInitiatedEvent initiated makeCall", "201: OriginatedEvent connected makeCall",
		"201: DeliveredEvent connected newCall")
	cl.reqErr(&csta.SnapshotCall{SnapshotObject: csta.ConnectionID{DeviceID: csta.Device("201")}}, csta.ErrRequestedServiceNotSupported)
	sd := cl.req(&csta.SnapshotDevice{SnapshotObject: csta.Device("201")}).(*csta.SnapshotDeviceResponse)
	if len(sd.Items) != 1 || sd.Items[0].Connection != (csta.ConnectionID{DeviceID: csta.Device("201")}) ||
		len(sd.Items[0].States) != 1 || sd.Items[0].States[0] != csta.StateConnected {
		t.Fatalf("SnapshotDevice %+v", sd.Items)
	}
}
