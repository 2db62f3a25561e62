package csta

import (
	"context"
	"errors"
	"net"
	"testing"
)

func TestServerSendEventWhileHandlerBusy(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	events := make(chan Event, 1)
	handler := func(ctx context.Context, req Message) (Message, error) {
		close(entered)
		<-release
		return &AnswerCallResponse{}, nil
	}
	c, s := startPair(t, Config{OnEvent: func(e Event) { events <- e }}, ServerConfig{Handler: handler})
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx, &AnswerCall{CallToBeAnswered: ConnectionID{CallID: "1", DeviceID: Device("201")}})
		errc <- err
	}()
	<-entered
	if err := s.SendEvent(ctx, &EstablishedEvent{EventCommon: EventCommon{MonitorCrossRefID: "m"}}); err != nil {
		t.Fatal(err)
	}
	if e := <-events; e.MessageName() != "EstablishedEvent" {
		t.Errorf("event = %s", e.MessageName())
	}
	close(release)
	if err := <-errc; err != nil {
		t.Errorf("request: %v", err)
	}
}

// rawClient talks to a ServerConn with hand-made frames.
func rawClient(t *testing.T, scfg ServerConfig) (net.Conn, FrameReader) {
	t.Helper()
	ln := listen(t)
	accepted := acceptOne(t, ln)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	sc := <-accepted
	s := NewServerConn(sc, scfg)
	t.Cleanup(func() {
		nc.Close()
		s.Close()
		<-s.Done()
	})
	return nc, HeaderFraming{}.NewReader(nc, 0)
}

func TestServerAnswersInOrderAndSurvivesBadInput(t *testing.T) {
	reports := make(chan error, 10)
	unknown := make(chan string, 10)
	handler := func(ctx context.Context, req Message) (Message, error) {
		return &MakeCallResponse{CallingDevice: ConnectionID{CallID: "c1"}}, nil
	}
	nc, fr := rawClient(t, ServerConfig{Handler: handler,
		OnProtocolError: func(err error) { reports <- err },
		OnUnknown:       func(u *UnknownMessage) { unknown <- u.Name }})

	makeCallBody, err := Encode(nil, makeCall("x"), Ed4)
	if err != nil {
		t.Fatal(err)
	}
	heldBody, _ := Encode(nil, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: "m"}}, Ed4)
	var out []byte
	for _, f := range []Frame{
		{InvokeID: EventInvokeID, Body: heldBody},                   // a client has no business sending events
		{InvokeID: 3, Body: []byte(`<VendorThing xmlns="urn:v"/>`)}, // unknown request
		{InvokeID: 7, Body: []byte(`<MakeCall><callingDevice>`)},    // malformed
		{InvokeID: 8, Body: makeCallBody},
	} {
		out, _ = HeaderFraming{}.AppendFrame(out, f)
	}
	if _, err := nc.Write(out); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id   int
		name string
		err  string
	}{{3, "CSTAErrorCode", ErrRequestIncompatibleWithObject}, {7, "CSTAErrorCode", ErrGeneric}, {8, "MakeCallResponse", ""}}
	for _, w := range want {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		m, err := Decode(f.Body)
		if err != nil {
			t.Fatal(err)
		}
		if f.InvokeID != w.id || m.MessageName() != w.name {
			t.Fatalf("response %s/%d, want %s/%d", m.MessageName(), f.InvokeID, w.name, w.id)
		}
		if ce, ok := m.(*Error); ok && (ce.Category != ErrCatOperation || ce.Value != w.err) {
			t.Errorf("response to %d = %v, want operation/%s", w.id, ce, w.err)
		}
	}
	if name := <-unknown; name != "VendorThing" {
		t.Errorf("OnUnknown got %q", name)
	}
	for range 2 { // the event and the malformed request
		if err := <-reports; err == nil {
			t.Error("nil report")
		}
	}
}

func TestServerWithoutHandlerRefuses(t *testing.T) {
	c, _ := startPair(t, Config{}, ServerConfig{})
	_, err := c.Request(testCtx(t), &SnapshotDevice{SnapshotObject: Device("201")})
	if !IsCSTAError(err, ErrRequestIncompatibleWithObject) {
		t.Errorf("err = %v, want operation/requestIncompatibleWithObject", err)
	}
}

func TestServerHandlerContextEndsWithSession(t *testing.T) {
	handlerDone := make(chan error, 1)
	entered := make(chan struct{})
	handler := func(ctx context.Context, req Message) (Message, error) {
		close(entered)
		<-ctx.Done()
		handlerDone <- ctx.Err()
		return nil, ctx.Err()
	}
	c, s := startPair(t, Config{}, ServerConfig{Handler: handler})
	go c.Request(testCtx(t), &SystemRegister{})
	<-entered
	c.Close()
	if err := <-handlerDone; !errors.Is(err, context.Canceled) {
		t.Errorf("handler context ended with %v", err)
	}
	<-s.Done()
	var te *TransportError
	if !errors.As(s.Err(), &te) {
		t.Errorf("server Err = %v, want TransportError", s.Err())
	}
}

func TestServerRequestFailsWhenClientLeaves(t *testing.T) {
	ln := listen(t)
	accepted := acceptOne(t, ln)
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := NewServerConn(<-accepted, ServerConfig{})
	defer s.Close()
	errc := make(chan error, 1)
	go func() {
		_, err := s.Request(testCtx(t), &SystemStatus{SystemStatus: SystemNormal})
		errc <- err
	}()
	if _, err := (HeaderFraming{}).NewReader(nc, 0).ReadFrame(); err != nil { // the request arrived
		t.Fatal(err)
	}
	nc.Close()
	if err := <-errc; !errors.Is(err, ErrConnClosed) {
		t.Errorf("err = %v, want ErrConnClosed", err)
	}
}

func TestServerTornFrame(t *testing.T) {
	c, s := startPair(t, Config{}, ServerConfig{})
	frame := headerFrame(t, EventInvokeID, "<HeldEvent><monitorCrossRefID>1</monitorCrossRefID></HeldEvent>")
	if err := s.WriteRaw(testCtx(t), frame[:20]); err != nil {
		t.Fatal(err)
	}
	s.Close()
	<-c.Done()
	if !errors.Is(c.Err(), ErrFrameTruncated) {
		t.Errorf("client Err = %v, want a truncated frame", c.Err())
	}
}
