// Command clicktodial places a call from a line to a number, as a CRM's "call" button does,
// and follows it until it is answered, fails or ends.
//
//	go run ./clients/go/examples/clicktodial -url ws://localhost:8080/ws -token alice-demo-token demo/201 202
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
	ringFirst := flag.Bool("ring-first", false, "ring the own phone first, dial when it is picked up")
	wait := flag.Duration("wait", time.Minute, "how long to follow the call")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: clicktodial [-url URL] [-token TOKEN] LINE NUMBER")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	if err := run(ctx, strings.Split(*urls, ","), *token, flag.Arg(0), flag.Arg(1), *ringFirst); err != nil {
		fmt.Fprintln(os.Stderr, "clicktodial:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, urls []string, token, line, number string, ringFirst bool) error {
	// Subscribing to the line lets the program follow the call it creates.
	c, err := client.Dial(ctx, client.Config{URLs: urls, Token: token, Lines: []string{line}, ClientName: "clicktodial example"})
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.WaitSynced(ctx); err != nil {
		return err
	}
	h, err := c.MakeCall(ctx, line, number, ringFirst)
	if err != nil {
		return err
	}
	fmt.Printf("calling %s from %s: call %s\n", number, line, h)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-c.Events():
			if !ok {
				return c.Err()
			}
			e, isTAPI := ev.(*client.TAPIEvent)
			if !isTAPI || e.Handle != h || e.Type != tapi.LineCallState {
				continue
			}
			s := e.CallState.State
			fmt.Println("  ", strings.TrimPrefix(s.String(), "LINECALLSTATE_"))
			switch s {
			case tapi.LINECALLSTATE_CONNECTED:
				fmt.Println("answered")
				return nil
			case tapi.LINECALLSTATE_BUSY, tapi.LINECALLSTATE_DISCONNECTED, tapi.LINECALLSTATE_IDLE:
				return fmt.Errorf("call did not connect (%s)", s)
			}
		}
	}
}
