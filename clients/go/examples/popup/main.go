// Command popup prints a "popup" for every call offered to the given lines, with the
// caller's number and name, and a line when the call ends. It survives bridge restarts and
// failovers: the SDK reconnects and resumes on its own.
//
//	go run ./clients/go/examples/popup -url ws://localhost:8080/ws -token alice-demo-token demo/201
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

func main() {
	urls := flag.String("url", "ws://localhost:8080/ws", "bridge URL(s), comma-separated")
	token := flag.String("token", os.Getenv("CTIBRIDGE_TOKEN"), "bearer token")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: popup [-url URL] [-token TOKEN] LINE...")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, strings.Split(*urls, ","), *token, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "popup:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, urls []string, token string, lines []string) error {
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	c, err := client.Dial(dctx, client.Config{URLs: urls, Token: token, Lines: lines, ClientName: "popup example"})
	cancel()
	if err != nil {
		return err
	}
	defer c.Close()
	// Calls already ringing come with the initial state; new ones as events from here on.
	if err := c.WaitSynced(ctx); err != nil {
		return err
	}
	fmt.Printf("watching %s as %s\n", strings.Join(lines, ", "), c.Welcome().User)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-c.Events():
			if !ok {
				return c.Err()
			}
			e, isTAPI := ev.(*client.TAPIEvent)
			if !isTAPI {
				continue
			}
			switch {
			case e.Type == tapi.LineNewCall && e.Call.State == tapi.LINECALLSTATE_OFFERING:
				caller := e.Call.Info.Caller
				name := caller.Name
				if name == "" {
					name = "unknown caller"
				}
				fmt.Printf("┌ incoming call on %s\n│ from %s (%s)\n└ handle %s\n", e.Line, caller.Number, name, e.Handle)
			case e.Type == tapi.LineCallState && e.CallState.State == tapi.LINECALLSTATE_IDLE:
				fmt.Printf("  call %s on %s ended\n", e.Handle, e.Line)
			}
		}
	}
}
