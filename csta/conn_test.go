package csta

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

func makeCall(tag string) *MakeCall {
	return &MakeCall{CallingDevice: Device("201"), CalledDirectoryNumber: Device("300"), CorrelatorData: tag}
}

// runConcurrentMakeCalls sends n MakeCalls at once; each must get the response naming its
// own correlator.
func runConcurrentMakeCalls(t *testing.T, c *Conn, n int) {
	t.Helper()
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag := "c" + strconv.Itoa(i)
			m, err := c.Request(ctx, makeCall(tag))
			if err != nil {
				t.Errorf("request %s: %v", tag, err)
				return
			}
			r, ok := m.(*MakeCallResponse)
			if !ok || r.CallingDevice.CallID != "call-"+tag {
				t.Errorf("request %s got %+v", tag, m)
			}
		}()
	}
	wg.Wait()
}

// heldRequests is a test switch that answers nothing by itself: it reports each request
// with its invoke ID so that the test decides when and in which order to answer.
type heldRequests struct {
	ch chan heldRequest
}

type heldRequest struct {
	id  int
	msg Message
}

func newHeld() *heldRequests { return &heldRequests{ch: make(chan heldRequest, 1000)} }

func (h *heldRequests) handler(ctx context.Context, req Message) (Message, error) {
	id, _ := RequestInvokeID(ctx)
	h.ch <- heldRequest{id: id, msg: req}
	return nil, nil
}

func TestConnRequestsAnsweredOutOfOrder(t *testing.T) {
	const n = 200
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	done := make(chan struct{})
	go func() {
		defer close(done)
		runConcurrentMakeCalls(t, c, n)
	}()
	reqs := make([]heldRequest, 0, n)
	for range n {
		reqs = append(reqs, <-held.ch)
	}
	ctx := testCtx(t)
	for i := len(reqs) - 1; i >= 0; i-- { // newest first
		tag := reqs[i].msg.(*MakeCall).CorrelatorData
		if err := s.Respond(ctx, reqs[i].id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "call-" + tag}}); err != nil {
			t.Fatal(err)
		}
	}
	<-done
	if c.Pending() != 0 {
		t.Errorf("%d requests still pending", c.Pending())
	}
}

func TestConnInvokeIDWrapsAndSkipsInUse(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	setNext := func(id int) {
		c.pending.mu.Lock()
		c.pending.next = id
		c.pending.mu.Unlock()
	}
	// send starts a request and returns the invoke ID the switch saw and the outcome.
	send := func(tag string) (int, chan error) {
		errc := make(chan error, 1)
		go func() {
			_, err := c.Request(ctx, makeCall(tag))
			errc <- err
		}()
		r := <-held.ch
		return r.id, errc
	}
	answer := func(id int, errc chan error) {
		t.Helper()
		if err := s.Respond(ctx, id, &MakeCallResponse{}); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatalf("request %04d: %v", id, err)
		}
	}

	setNext(9997)
	idA, errA := send("A") // stays pending
	idB, errB := send("B")
	answer(idB, errB)
	idC, errC := send("C")
	answer(idC, errC)
	setNext(9997)
	idD, errD := send("D")
	answer(idD, errD)
	answer(idA, errA)
	if got := fmt.Sprint(idA, idB, idC, idD); got != "9997 9998 1 9998" {
		t.Errorf("invoke IDs = %s, want 9997 9998 1 9998 (wrap after 9998, skip 9997 while in use)", got)
	}
}

func TestPendingTableExhaustion(t *testing.T) {
	p := newPendingTable(false)
	seen := map[int]bool{}
	var calls []*call
	for range MaxInvokeID {
		c, err := p.add("MakeCall", 0)
		if err != nil {
			t.Fatal(err)
		}
		if seen[c.id] || c.id < MinInvokeID || c.id > MaxInvokeID {
			t.Fatalf("invoke ID %d reused or out of range", c.id)
		}
		seen[c.id] = true
		calls = append(calls, c)
	}
	if _, err := p.add("MakeCall", 0); !errors.Is(err, ErrInvokeIDsExhausted) {
		t.Fatalf("add with all IDs in use: err = %v, want ErrInvokeIDsExhausted", err)
	}
	p.abandon(calls[499])
	c, err := p.add("MakeCall", 0)
	if err != nil || c.id != calls[499].id {
		t.Fatalf("after freeing %d: got %v, %v", calls[499].id, c, err)
	}
	if p.complete(calls[0].id+10000, result{}) {
		t.Error("response with an unknown invoke ID matched a request")
	}
}

func TestConnTransportLossFailsAllPending(t *testing.T) {
	const n = 50
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			_, err := c.Request(ctx, makeCall(strconv.Itoa(i)))
			errs <- err
		}()
	}
	for range n {
		<-held.ch
	}
	s.Close() // the switch goes away with every request unanswered
	for range n {
		err := <-errs
		var te *TransportError
		if !errors.Is(err, ErrConnClosed) || !errors.As(err, &te) || te.Op != "read" {
			t.Fatalf("pending request ended with %v, want a read TransportError", err)
		}
	}
	<-c.Done()
	if _, err := c.Request(ctx, makeCall("late")); !errors.Is(err, ErrConnClosed) {
		t.Errorf("request after loss: %v", err)
	}
}

func TestConnCSTAErrorResponses(t *testing.T) {
	handler := func(ctx context.Context, req Message) (Message, error) {
		switch req.(type) {
		case *HoldCall:
			return nil, fmt.Errorf("hold refused: %w", &Error{Category: ErrCatOperation, Value: ErrInvalidCallID})
		case *RetrieveCall:
			return nil, errors.New("simulator bug")
		}
		return nil, nil
	}
	c, _ := startPair(t, Config{}, ServerConfig{Handler: handler})
	ctx := testCtx(t)
	_, err := c.Request(ctx, &HoldCall{CallToBeHeld: ConnectionID{CallID: "9", DeviceID: Device("201")}})
	var ce *Error
	if !errors.As(err, &ce) || ce.Category != ErrCatOperation || ce.Value != ErrInvalidCallID {
		t.Errorf("HoldCall: err = %v, want operation/invalidCallID", err)
	}
	_, err = c.Request(ctx, &RetrieveCall{CallToBeRetrieved: ConnectionID{CallID: "9"}})
	if !IsCSTAError(err, ErrGeneric) {
		t.Errorf("RetrieveCall: err = %v, want operation/generic", err)
	}
	if c.Err() != nil {
		t.Errorf("an error response ended the session: %v", c.Err())
	}
}

func TestConnUnknownMessagesKeepSession(t *testing.T) {
	unknownAtClient := make(chan *UnknownMessage, 1)
	unknownAtServer := make(chan *UnknownMessage, 1)
	handler := func(ctx context.Context, req Message) (Message, error) { return &AnswerCallResponse{}, nil }
	c, s := startPair(t, Config{OnUnknown: func(u *UnknownMessage) { unknownAtClient <- u }},
		ServerConfig{Handler: handler, OnUnknown: func(u *UnknownMessage) { unknownAtServer <- u }})
	ctx := testCtx(t)

	vendor := `<?xml version="1.0"?><VendorPingEvent xmlns="urn:vendor"><x>1</x></VendorPingEvent>`
	raw, _ := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: EventInvokeID, Body: []byte(vendor)})
	if err := s.WriteRaw(ctx, raw); err != nil {
		t.Fatal(err)
	}
	if u := <-unknownAtClient; u.Name != "VendorPingEvent" || u.Namespace != "urn:vendor" {
		t.Errorf("client OnUnknown got %+v", u)
	}

	_, err := c.Request(ctx, &UnknownMessage{Name: "VendorQuery", Raw: []byte(`<VendorQuery xmlns="urn:vendor"/>`)})
	if !IsCSTAError(err, ErrRequestIncompatibleWithObject) {
		t.Errorf("unknown request: err = %v, want operation/requestIncompatibleWithObject", err)
	}
	if u := <-unknownAtServer; u.Name != "VendorQuery" {
		t.Errorf("server OnUnknown got %+v", u)
	}
	if _, err := c.Request(ctx, &AnswerCall{CallToBeAnswered: ConnectionID{CallID: "1"}}); err != nil {
		t.Errorf("session unusable after unknown messages: %v", err)
	}
}

func TestConnUndecodableResponseFailsOnlyItsRequest(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx, makeCall("x"))
		errc <- err
	}()
	r := <-held.ch
	raw, _ := HeaderFraming{}.AppendFrame(nil, Frame{InvokeID: r.id, Body: []byte("<MakeCallResponse><callingDevice>")})
	if err := s.WriteRaw(ctx, raw); err != nil {
		t.Fatal(err)
	}
	var de *DecodeError
	if err := <-errc; !errors.As(err, &de) {
		t.Fatalf("err = %v, want *DecodeError", err)
	}
	go func() {
		_, err := c.Request(ctx, makeCall("y"))
		errc <- err
	}()
	r = <-held.ch
	if err := s.Respond(ctx, r.id, &MakeCallResponse{}); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Errorf("next request: %v", err)
	}
}

func TestConnBrokenFramingEndsSession(t *testing.T) {
	c, s := startPair(t, Config{}, ServerConfig{})
	if err := s.WriteRaw(testCtx(t), []byte("\x01\x00\x00\x0c0001<x/>")); err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	var te *TransportError
	if !errors.As(c.Err(), &te) || !errors.Is(c.Err(), ErrFrameBadPrefix) {
		t.Errorf("Err = %v, want a TransportError wrapping a bad-prefix FrameError (server %v)", c.Err(), s.Err())
	}
}

func TestConnEventsInOrder(t *testing.T) {
	const n = 2000
	got := make(chan Event, n)
	handler := func(ctx context.Context, req Message) (Message, error) {
		return &MonitorStartResponse{MonitorCrossRefID: "m"}, nil
	}
	c, s := startPair(t, Config{OnEvent: func(e Event) { got <- e }}, ServerConfig{Handler: handler})
	ctx := testCtx(t)
	go func() {
		for i := range n {
			if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(i))}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	for i := range 20 { // requests interleave with the event stream
		if _, err := c.Request(ctx, &MonitorStart{MonitorObject: Device(strconv.Itoa(200 + i))}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		e := <-got
		if e.Common().MonitorCrossRefID != MonitorCrossRefID(strconv.Itoa(i)) {
			t.Fatalf("event %d has cross ref %q", i, e.Common().MonitorCrossRefID)
		}
	}
}

func TestConnEventQueueOverflowClosesSession(t *testing.T) {
	release := make(chan struct{})
	c, s := startPair(t, Config{EventQueue: 2, OnEvent: func(Event) { <-release }}, ServerConfig{})
	floodUntilClosed(t, c, s)
	var se *SessionError
	if !errors.Is(c.Err(), ErrEventQueueOverflow) || !errors.As(c.Err(), &se) || !errors.Is(c.Err(), ErrConnClosed) {
		t.Errorf("Err = %v, want SessionError for event queue overflow", c.Err())
	}
	close(release)
	<-c.Done()
}

func TestConnContextCancellation(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)

	dead, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.Request(dead, makeCall("never")); !errors.Is(err, context.Canceled) {
		t.Errorf("request with a cancelled context: %v", err)
	}

	reqCtx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(reqCtx, makeCall("cancelled"))
		errc <- err
	}()
	first := <-held.ch
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	if c.Pending() != 0 {
		t.Errorf("%d slots still taken after cancellation", c.Pending())
	}
	// The late response is dropped; the next request gets its own.
	if err := s.Respond(ctx, first.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "late"}}); err != nil {
		t.Fatal(err)
	}
	go func() {
		m, err := c.Request(ctx, makeCall("next"))
		if err == nil && m.(*MakeCallResponse).CallingDevice.CallID != "mine" {
			err = fmt.Errorf("got response %+v", m)
		}
		errc <- err
	}()
	second := <-held.ch
	if err := s.Respond(ctx, second.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "mine"}}); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Error(err)
	}
	if c.Err() != nil {
		t.Errorf("late response ended the session: %v", c.Err())
	}
}

func TestConnShutdownWaitsForPending(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(ctx, makeCall("inflight"))
		errc <- err
	}()
	r := <-held.ch
	shut := make(chan error, 1)
	go func() { shut <- c.Shutdown(ctx) }()
	waitFor(t, "Shutdown to refuse new requests", func() bool {
		c.pending.mu.Lock()
		defer c.pending.mu.Unlock()
		return c.pending.draining != nil
	})
	if _, err := c.Request(ctx, makeCall("refused")); !errors.Is(err, ErrConnClosed) {
		t.Errorf("request during Shutdown: %v", err)
	}
	if err := s.Respond(ctx, r.id, &MakeCallResponse{}); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Errorf("in-flight request during Shutdown: %v", err)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	<-c.Done()
}

func TestConnShutdownGivesUpWithContext(t *testing.T) {
	held := newHeld()
	c, _ := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	errc := make(chan error, 1)
	go func() {
		_, err := c.Request(context.Background(), makeCall("never answered"))
		errc <- err
	}()
	<-held.ch
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Shutdown(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Shutdown = %v, want context.Canceled", err)
	}
	if err := <-errc; !errors.Is(err, ErrConnClosed) {
		t.Errorf("unanswered request after Shutdown: %v", err)
	}
	<-c.Done()
}

func BenchmarkConnRequest(b *testing.B) {
	handler := func(ctx context.Context, req Message) (Message, error) {
		return &MakeCallResponse{CallingDevice: ConnectionID{CallID: "1", DeviceID: Device("201")}}, nil
	}
	c, _ := startPair(b, Config{}, ServerConfig{Handler: handler})
	ctx := testCtx(b)
	req := makeCall("bench")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Request(ctx, req); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkConnEvents(b *testing.B) {
	got := make(chan struct{}, 1024)
	c, s := startPair(b, Config{OnEvent: func(Event) { got <- struct{}{} }}, ServerConfig{})
	_ = c
	ctx := testCtx(b)
	ev := &DeliveredEvent{EventCommon: EventCommon{MonitorCrossRefID: "m1", Cause: CauseNewCall},
		Connection: ConnectionID{CallID: "c1", DeviceID: Device("201")}, AlertingDevice: Device("201"),
		CallingDevice: Device("N<+4930123>;noa=nk"), CalledDevice: Device("201")}
	b.ReportAllocs()
	b.ResetTimer()
	go func() {
		for range b.N {
			if err := s.SendEvent(ctx, ev); err != nil {
				b.Error(err)
				return
			}
		}
	}()
	for range b.N {
		<-got
	}
}

// A response overtakes the events ahead of it on the wire while they wait for the
// dispatcher; Delivered returns only once they have all been handed to OnEvent.
func TestConnDeliveredWaitsForEventsBeforeAResponse(t *testing.T) {
	const n = 200
	release := make(chan struct{})
	var handled atomic.Int64
	c, s := startPair(t, Config{OnEvent: func(Event) { <-release; handled.Add(1) }},
		ServerConfig{Handler: func(ctx context.Context, req Message) (Message, error) {
			return &MonitorStartResponse{MonitorCrossRefID: "m"}, nil
		}})
	ctx := testCtx(t)
	for i := range n {
		if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Request(ctx, &MonitorStart{MonitorObject: Device("200")}); err != nil {
		t.Fatal(err)
	}
	if got := handled.Load(); got != 0 {
		t.Fatalf("%d events handled while the handler was held", got)
	}
	close(release)
	if err := c.Delivered(ctx); err != nil {
		t.Fatal(err)
	}
	if got := handled.Load(); got != n {
		t.Fatalf("Delivered returned with %d of the %d events before the response handled", got, n)
	}
}

// floodUntilClosed sends held events from the switch's side s until the session ends, and
// waits until the client c has recorded why.
func floodUntilClosed(t *testing.T, c *Conn, s *ServerConn) {
	t.Helper()
	ctx := testCtx(t)
	for i := 0; ; i++ {
		if err := s.SendEvent(ctx, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: MonitorCrossRefID(strconv.Itoa(i))}}); err != nil {
			break // the client hung up
		}
		select {
		case <-s.Done():
		default:
			continue
		}
		break
	}
	<-s.Done()
	waitFor(t, "client to record why it closed", func() bool { return c.Err() != nil })
}
