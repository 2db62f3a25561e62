package csta

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// testCtx bounds a test so that a bug hangs nothing; it is a safety net, not a timing check.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// acceptOne accepts the next connection in the background.
func acceptOne(t testing.TB, ln net.Listener) <-chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		defer close(ch)
		nc, err := ln.Accept()
		if err != nil {
			t.Errorf("accept: %v", err)
			return
		}
		ch <- nc
	}()
	return ch
}

// startPair connects a Conn and a ServerConn over real TCP on 127.0.0.1.
func startPair(t testing.TB, ccfg Config, scfg ServerConfig) (*Conn, *ServerConn) {
	t.Helper()
	ln := listen(t)
	accepted := acceptOne(t, ln)
	c, err := Dial(testCtx(t), ln.Addr().String(), ccfg)
	if err != nil {
		t.Fatal(err)
	}
	nc := <-accepted
	if nc == nil {
		t.FailNow()
	}
	s := NewServerConn(nc, scfg)
	t.Cleanup(func() {
		c.Close()
		s.Close()
		<-c.Done()
		<-s.Done()
	})
	return c, s
}

// waitFor waits for states that have no channel to wait on (testkit.Eventually: cond runs on
// another goroutine).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testkit.Eventually(t, what, cond)
}

func TestSystemStatusFromServerIsAnswered(t *testing.T) {
	statuses := make(chan SystemStatusValue, 1)
	c, s := startPair(t, Config{OnSystemStatus: func(st *SystemStatus) { statuses <- st.SystemStatus }}, ServerConfig{})
	resp, err := s.Request(testCtx(t), &SystemStatus{SystemStatus: SystemDisabled})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := resp.(*SystemStatusResponse); !ok {
		t.Fatalf("response = %T, want *SystemStatusResponse", resp)
	}
	if got := <-statuses; got != SystemDisabled {
		t.Errorf("OnSystemStatus got %q, want disabled", got)
	}
	if c.Err() != nil {
		t.Errorf("session ended: %v", c.Err())
	}
}

func TestSystemStatusAnswerEchoesInvokeID(t *testing.T) {
	ln := listen(t)
	accepted := acceptOne(t, ln)
	c, err := Dial(testCtx(t), ln.Addr().String(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	nc := <-accepted
	defer nc.Close()
	body, err := Encode(nil, &SystemStatus{SystemStatus: SystemNormal}, Ed4)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: 42, Body: body})
	if _, err := nc.Write(out); err != nil {
		t.Fatal(err)
	}
	f, err := HeaderFraming{}.NewReader(nc, 0).ReadFrame()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(f.Body)
	if err != nil {
		t.Fatal(err)
	}
	if f.InvokeID != 42 || m.MessageName() != "SystemStatusResponse" {
		t.Errorf("answer = %s with invoke ID %d, want SystemStatusResponse with 42", m.MessageName(), f.InvokeID)
	}
}

// appSessionServer plays a switch that wants ECMA-354 sessions with password "secret".
func appSessionServer(seen chan<- Message) Handler {
	return func(ctx context.Context, req Message) (Message, error) {
		if seen != nil {
			seen <- req
		}
		switch r := req.(type) {
		case *StartApplicationSession:
			if r.UserID != "cti" || r.Password != "secret" {
				return &StartApplicationSessionNegResponse{ErrorCode: "invalidApplicationInfo"}, nil
			}
			return &StartApplicationSessionPosResponse{SessionID: "S-1", ActualSessionDuration: 600}, nil
		case *ResetApplicationSessionTimer:
			if r.SessionID != "S-1" {
				return &ResetApplicationSessionTimerNegResponse{ErrorCode: "invalidSessionID"}, nil
			}
			return &ResetApplicationSessionTimerPosResponse{ActualSessionDuration: 600}, nil
		case *StopApplicationSession:
			return &StopApplicationSessionPosResponse{}, nil
		}
		return nil, &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}
	}
}

func TestApplicationSessionLifecycle(t *testing.T) {
	seen := make(chan Message, 10)
	c, s := startPair(t, Config{Dialect: DialectOSV}, ServerConfig{Handler: appSessionServer(seen)})
	ctx := testCtx(t)
	if _, err := c.KeepAlive(ctx); err == nil {
		t.Error("KeepAlive without an application session succeeded")
	}
	resp, err := c.StartApplicationSession(ctx, &StartApplicationSession{ApplicationID: "ctibridge", UserID: "cti", Password: "secret", RequestedSessionDuration: 600})
	if err != nil {
		t.Fatal(err)
	}
	if resp.SessionID != "S-1" || c.SessionID() != "S-1" {
		t.Errorf("session ID = %q / %q, want S-1", resp.SessionID, c.SessionID())
	}
	<-seen
	if _, err := c.KeepAlive(ctx); err != nil {
		t.Fatalf("KeepAlive: %v", err)
	}
	if r, ok := (<-seen).(*ResetApplicationSessionTimer); !ok || r.SessionID != "S-1" || r.RequestedSessionDuration != 600 {
		t.Errorf("keep-alive sent %+v, want ResetApplicationSessionTimer for S-1", r)
	}
	if err := c.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if r, ok := (<-seen).(*StopApplicationSession); !ok || r.SessionID != "S-1" {
		t.Errorf("Shutdown sent %+v, want StopApplicationSession for S-1", r)
	}
	<-c.Done()
	<-s.Done() // the client closed the socket after the stop
	if !errors.Is(c.Err(), ErrConnClosed) {
		t.Errorf("Err after Shutdown = %v", c.Err())
	}
}

func TestApplicationSessionRefused(t *testing.T) {
	c, _ := startPair(t, Config{Dialect: DialectOSV}, ServerConfig{Handler: appSessionServer(nil)})
	ctx := testCtx(t)
	_, err := c.StartApplicationSession(ctx, &StartApplicationSession{UserID: "cti", Password: "wrong"})
	var ae *ApplicationSessionError
	if !errors.As(err, &ae) || ae.Code != "invalidApplicationInfo" || ae.Service != "StartApplicationSession" {
		t.Fatalf("err = %v, want ApplicationSessionError invalidApplicationInfo", err)
	}
	if c.SessionID() != "" {
		t.Errorf("refused session left ID %q", c.SessionID())
	}
	if c.Err() != nil {
		t.Errorf("refusal closed the session: %v", c.Err())
	}
}

func TestResetTimerRefusedForgetsSession(t *testing.T) {
	c, _ := startPair(t, Config{Dialect: DialectAvaya}, ServerConfig{Handler: appSessionServer(nil)})
	ctx := testCtx(t)
	if _, err := c.StartApplicationSession(ctx, &StartApplicationSession{UserID: "cti", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	c.sessMu.Lock()
	c.sessionID = "S-stale" // the switch forgot the session
	c.sessMu.Unlock()
	_, err := c.KeepAlive(ctx)
	var ae *ApplicationSessionError
	if !errors.As(err, &ae) || ae.Service != "ResetApplicationSessionTimer" || ae.Code != "invalidSessionID" {
		t.Fatalf("err = %v, want ResetApplicationSessionTimer refused", err)
	}
	if c.SessionID() != "" {
		t.Errorf("session ID %q kept after the switch refused it", c.SessionID())
	}
}

func TestSystemRegisterAndSystemStatusKeepAlive(t *testing.T) {
	handler := func(ctx context.Context, req Message) (Message, error) {
		switch req.(type) {
		case *SystemRegister:
			return &SystemRegisterResponse{SysStatRegisterID: "R7"}, nil
		case *SystemStatus:
			return &SystemStatusResponse{}, nil
		}
		return nil, &Error{Category: ErrCatOperation, Value: ErrGeneric}
	}
	c, _ := startPair(t, Config{Dialect: DialectOSBiz}, ServerConfig{Handler: handler})
	ctx := testCtx(t)
	r, err := c.SystemRegister(ctx)
	if err != nil || r.SysStatRegisterID != "R7" {
		t.Fatalf("SystemRegister = %+v, %v", r, err)
	}
	rtt, err := c.KeepAlive(ctx)
	if err != nil || rtt <= 0 {
		t.Fatalf("KeepAlive = %v, %v", rtt, err)
	}
}

func TestNULFramingEndToEnd(t *testing.T) {
	nul := Dialect{Name: "nul", Framing: NULFraming{}}
	release := make(chan struct{})
	events := make(chan Event, 10)
	handler := func(ctx context.Context, req Message) (Message, error) {
		mc, ok := req.(*MakeCall)
		if !ok {
			return nil, &Error{Category: ErrCatOperation, Value: ErrGeneric}
		}
		if mc.CorrelatorData == "slow" {
			<-release
		}
		return &MakeCallResponse{CallingDevice: ConnectionID{CallID: "call-" + mc.CorrelatorData, DeviceID: Device("201")}}, nil
	}
	c, s := startPair(t, Config{Dialect: nul, OnEvent: func(e Event) { events <- e }},
		ServerConfig{Framing: NULFraming{}, Handler: handler})
	ctx := testCtx(t)

	runConcurrentMakeCalls(t, c, 100)

	// A request given up while its response is still coming must not take the next one's.
	slowCtx, cancel := context.WithCancel(ctx)
	slowDone := make(chan error, 1)
	go func() {
		_, err := c.Request(slowCtx, &MakeCall{CallingDevice: Device("201"), CalledDirectoryNumber: Device("300"), CorrelatorData: "slow"})
		slowDone <- err
	}()
	waitFor(t, "slow request on the wire", func() bool {
		c.pending.mu.Lock()
		defer c.pending.mu.Unlock()
		return len(c.pending.queue) == 1
	})
	cancel()
	if err := <-slowDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	next := make(chan Message, 1)
	go func() {
		m, err := c.Request(ctx, &MakeCall{CallingDevice: Device("201"), CalledDirectoryNumber: Device("300"), CorrelatorData: "next"})
		if err != nil {
			t.Error(err)
		}
		next <- m
	}()
	close(release)
	if m := <-next; m == nil || m.(*MakeCallResponse).CallingDevice.CallID != "call-next" {
		t.Fatalf("request after a cancelled one got %+v", m)
	}

	if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: "m1"}}); err != nil {
		t.Fatal(err)
	}
	if e := <-events; e.Common().MonitorCrossRefID != "m1" {
		t.Errorf("event = %+v", e)
	}
	if _, err := s.Request(ctx, &SystemStatus{SystemStatus: SystemNormal}); err != nil {
		t.Errorf("SystemStatus over NUL framing: %v", err)
	}
}

func TestUndecodableMessageWithoutInvokeIDsClosesSession(t *testing.T) {
	c, s := startPair(t, Config{Dialect: Dialect{Framing: NULFraming{}}}, ServerConfig{Framing: NULFraming{}})
	if err := s.WriteRaw(testCtx(t), []byte("<broken\x00")); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	var se *SessionError
	var de *DecodeError
	if !errors.As(c.Err(), &se) || !errors.As(c.Err(), &de) || !errors.Is(c.Err(), ErrConnClosed) {
		t.Errorf("Err = %v, want SessionError wrapping a DecodeError", c.Err())
	}
}

func TestTrace(t *testing.T) {
	var buf testkit.Buffer
	c, s := startPair(t, Config{Trace: &buf, TraceBody: 30}, ServerConfig{Handler: func(ctx context.Context, req Message) (Message, error) {
		return &HoldCallResponse{}, nil
	}})
	ctx := testCtx(t)
	if _, err := c.Request(ctx, &HoldCall{CallToBeHeld: ConnectionID{CallID: "1", DeviceID: Device("201")}}); err != nil {
		t.Fatal(err)
	}
	if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: "m"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "three trace lines", func() bool { return strings.Count(buf.String(), "\n") >= 3 })
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{" send 0001 HoldCall ", " recv 0001 HoldCallResponse ", " recv 9999 HeldEvent "}
	for i, w := range want {
		if !strings.Contains(lines[i], w) {
			t.Errorf("trace line %d = %q, want it to contain %q", i, lines[i], w)
		}
		if !strings.HasSuffix(lines[i], "...") || !strings.Contains(lines[i], "<?xml") {
			t.Errorf("trace line %d = %q, want a truncated body", i, lines[i])
		}
	}
}
