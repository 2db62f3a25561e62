package client_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
	"github.com/ctibridge/ctibridge/tapi"
)

// readmeSnippet is the Go snippet of the README (section "clients/go"), between the markers,
// so that the README shows code that compiles and works (issue 16: its MakeCall had the wrong
// number of arguments). TestREADMESnippet keeps the two equal and runs it.
func readmeSnippet(ctx context.Context, url string) error {
	// README begin
	c, err := client.Dial(ctx, client.Config{URLs: []string{url}, Token: "alice-demo-token", Lines: []string{"demo/201"}})
	if err != nil {
		return err
	}
	defer c.Close()
	h, err := c.MakeCall(ctx, "demo/201", "202", false) // a refusal is a *client.ReplyError (LINEERR_*)
	if err != nil {
		return err
	}
	for ev := range c.Events() { // *client.TAPIEvent, *client.Resynced, *client.Disconnected, ...
		if e, ok := ev.(*client.TAPIEvent); ok && e.Handle == h && e.Type == tapi.LineCallState {
			fmt.Println(e.Line, e.CallState.State) // demo/201 LINECALLSTATE_DIALTONE
			return nil
		}
	}
	return c.Err()
	// README end
}

func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("readme_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "```go\nurl := \"ws://localhost:8080/ws\"\n")
	if !ok {
		t.Fatal("README.md has no Go snippet starting with url := \"ws://localhost:8080/ws\"")
	}
	block, _, _ = strings.Cut(block, "```")
	_, code, _ := strings.Cut(string(src), "\t// README begin\n")
	code, _, _ = strings.Cut(code, "\t// README end\n")
	var want strings.Builder
	for _, l := range strings.SplitAfter(code, "\n") {
		want.WriteString(strings.TrimPrefix(l, "\t"))
	}
	if block != want.String() {
		t.Fatalf("README.md's Go snippet differs from readmeSnippet in readme_test.go; README has:\n%s\nthe code is:\n%s", block, want.String())
	}
	br := clienttest.StartBridge(t, "-traffic", "0")
	if err := readmeSnippet(testCtx(t), br.WSURL); err != nil {
		t.Fatalf("the README's snippet failed: %v", err)
	}
}
