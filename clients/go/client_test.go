package client_test

import (
	"errors"
	"strings"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestCommandsAndEvents runs a call through its life with typed commands against the
// embedded simulator and checks the events and the mirror at each step.
func TestCommandsAndEvents(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	c := dial(t, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/201"}})
	if err := c.WaitSynced(ctx); err != nil {
		t.Fatal(err)
	}
	if w := c.Welcome(); w.User != "alice" || len(w.Lines) != 1 || !w.Lines[0].Control {
		t.Fatalf("welcome = %+v", w)
	}
	if l, ok := c.Line("demo/201"); !ok || !l.InService || l.DisplayName != "Alice" {
		t.Fatalf("mirror line = %+v, %v", l, ok)
	}

	if _, err := br.Control.Incoming(ctx, "+4930555123", "201"); err != nil {
		t.Fatal(err)
	}
	ev := next(t, c, "LINE_NEWCALL", func(ev client.Event) bool {
		e, ok := ev.(*client.TAPIEvent)
		return ok && e.Type == tapi.LineNewCall
	}).(*client.TAPIEvent)
	if ev.Position.Epoch == "" || ev.Position.Offset == 0 || ev.Call.Info.Origin != tapi.LINECALLORIGIN_EXTERNAL {
		t.Fatalf("LINE_NEWCALL = %+v", ev)
	}
	h := ev.Handle
	next(t, c, "OFFERING", callState("demo/201", tapi.LINECALLSTATE_OFFERING))
	if cl, ok := c.Call(h); !ok || cl.State != tapi.LINECALLSTATE_OFFERING {
		t.Fatalf("mirror call = %+v, %v", cl, ok)
	}

	steps := []struct {
		name string
		do   func() error
		want tapi.CallState
	}{
		{"answer", func() error { return c.Answer(ctx, "demo/201", h) }, tapi.LINECALLSTATE_CONNECTED},
		{"hold", func() error { return c.Hold(ctx, "demo/201", h) }, tapi.LINECALLSTATE_ONHOLD},
		{"unhold", func() error { return c.Unhold(ctx, "demo/201", h) }, tapi.LINECALLSTATE_CONNECTED},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		next(t, c, s.name+" state", callState("demo/201", s.want))
		if cl, _ := c.Call(h); cl.State != s.want {
			t.Fatalf("after %s mirror state = %v", s.name, cl.State)
		}
	}
	if err := c.Drop(ctx, "demo/201", h); err != nil {
		t.Fatalf("drop: %v", err)
	}
	next(t, c, "IDLE", callState("demo/201", tapi.LINECALLSTATE_IDLE))
	if _, ok := c.Call(h); ok || len(c.Calls("demo/201")) != 0 {
		t.Fatalf("call still mirrored after IDLE: %+v", c.Calls(""))
	}

	// Click-to-dial returns the new call's handle, which the events then use.
	mh, err := c.MakeCall(ctx, "demo/201", "202", false)
	if err != nil || mh == "" {
		t.Fatalf("MakeCall = %q, %v", mh, err)
	}
	clienttest.Eventually(t, "the dialled call in the mirror", func() bool {
		_, ok := c.Call(mh)
		return ok
	})
	if err := c.Drop(ctx, "demo/201", mh); err != nil {
		t.Fatalf("drop dialled call: %v", err)
	}

	if err := c.SetDND(ctx, "demo/201", true); err != nil {
		t.Fatalf("SetDND: %v", err)
	}
	clienttest.Eventually(t, "DND in the mirror", func() bool {
		l, _ := c.Line("demo/201")
		return l.DND
	})

	// Refusals come back as LINE_REPLY results.
	var re *client.ReplyError
	if err := c.Answer(ctx, "demo/201", "demo:99999"); !errors.As(err, &re) || re.Result != tapi.LINEERR_INVALCALLHANDLE {
		t.Fatalf("answer of an unknown call: %v", err)
	}
	if err := c.SetDND(ctx, "demo/999", true); !errors.As(err, &re) || re.Result != tapi.LINEERR_BADDEVICEID ||
		!strings.Contains(re.Error(), "demo/999") {
		t.Fatalf("command on an unknown line: %v", err)
	}
	// A line alice may not see answers exactly as a missing line: its existence is not told.
	if err := c.SetDND(ctx, "demo/202", true); !errors.As(err, &re) || re.Result != tapi.LINEERR_BADDEVICEID {
		t.Fatalf("command on a line alice does not own: %v", err)
	}
}

// TestDialErrors checks that a refused token, an unknown line and bad URLs fail Dial with
// errors that say so.
func TestDialErrors(t *testing.T) {
	br := clienttest.StartBridge(t, "-traffic", "0")
	ctx := testCtx(t)
	_, err := client.Dial(ctx, client.Config{URLs: []string{br.URL}, Token: "wrong-token"})
	var ae *client.AuthError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "token") {
		t.Fatalf("bad token: %v", err)
	}
	_, err = client.Dial(ctx, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/999"}})
	var se *client.SubscribeError
	if !errors.As(err, &se) || se.Code != "unknown_line" || !strings.Contains(err.Error(), "demo/999") {
		t.Fatalf("unknown line: %v", err)
	}
	_, err = client.Dial(ctx, client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken, Lines: []string{"demo/202"}})
	if !errors.As(err, &se) || se.Code != "unknown_line" { // as a missing line: not told it exists
		t.Fatalf("line of someone else: %v", err)
	}
	if _, err = client.Dial(ctx, client.Config{URLs: []string{"ftp://x"}, Token: "t"}); err == nil || !strings.Contains(err.Error(), "scheme") {
		t.Fatalf("bad scheme: %v", err)
	}
	dead := "ws://" + clienttest.FreeAddr(t) + "/ws"
	if _, err = client.Dial(ctx, client.Config{URLs: []string{dead}, Token: "t"}); err == nil || !strings.Contains(err.Error(), "no bridge reachable") {
		t.Fatalf("refused port: %v", err)
	}
	// A dead URL first does not keep the client from the live one.
	c := dial(t, client.Config{URLs: []string{dead, br.URL}, Token: clienttest.AliceToken})
	if w := c.Welcome(); w.User != "alice" {
		t.Fatalf("welcome = %+v", w)
	}
}
