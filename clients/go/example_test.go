package client_test

import (
	"context"
	"fmt"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

// The examples run against a real bridge with its built-in PBX simulator, which clienttest
// starts (see TestMain); a program passes its own bridge's URL, e.g. "ws://localhost:8080/ws".

// Dial connects, subscribes to the user's line and keeps a mirror of it.
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{
		URLs:  []string{clienttest.ExampleBridge().WSURL},
		Token: "alice-demo-token",
		Lines: []string{"demo/201"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	w := c.Welcome()
	fmt.Println("user", w.User, "role", w.Role)
	if err := c.WaitSynced(ctx); err != nil { // the mirror holds the lines' state
		fmt.Println(err)
		return
	}
	for _, l := range c.Lines() {
		fmt.Println(l.Name, "in service:", l.InService)
	}
	// Output:
	// user alice role user
	// demo/201 in service: true
}

// MakeCall places a call from a line; the call's events carry the handle it returns.
func ExampleClient_MakeCall() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.Dial(ctx, client.Config{URLs: []string{clienttest.ExampleBridge().WSURL},
		Token: "alice-demo-token", Lines: []string{"demo/201"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	h, err := c.MakeCall(ctx, "demo/201", "202", false) // a refusal is a *client.ReplyError
	if err != nil {
		fmt.Println(err)
		return
	}
	// callState waits for the call's next LINE_CALLSTATE event and returns its state; false
	// when the client ended.
	callState := func() (tapi.CallState, bool) {
		for ev := range c.Events() {
			if e, ok := ev.(*client.TAPIEvent); ok && e.Handle == h && e.Type == tapi.LineCallState {
				return e.CallState.State, true
			}
		}
		return 0, false
	}
	s, _ := callState()
	fmt.Println(s)
	if err := c.Drop(ctx, "demo/201", h); err != nil {
		fmt.Println(err)
		return
	}
	for s, ok := callState(); ok && s != tapi.LINECALLSTATE_IDLE; s, ok = callState() {
	}
	fmt.Println("dropped; calls on demo/201:", len(c.Calls("demo/201")))
	// Output:
	// LINECALLSTATE_DIALTONE
	// dropped; calls on demo/201: 0
}

// REST reads what the bridge offers over HTTP: here a line with its status.
func ExampleREST_Line() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := client.NewREST(clienttest.ExampleBridge().URL, "alice-demo-token", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := r.Line(ctx, "demo/201")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Name, l.Status, "control:", l.Control)
	// Output:
	// demo/201 idle control: true
}
