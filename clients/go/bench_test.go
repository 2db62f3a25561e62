package client_test

import (
	"testing"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/clients/go/clienttest"
)

// BenchmarkCommandRoundTrip measures a request and its LINE_REPLY through a real bridge and
// simulator (do-not-disturb toggled on one line).
func BenchmarkCommandRoundTrip(b *testing.B) {
	// Command rate limits off: the benchmark toggles one line as fast as the bridge answers.
	br := clienttest.StartBridgeWith(b, clienttest.BridgeOptions{Simulator: true,
		Config: clienttest.DemoConfig("", "", "web:\n  line_command_rate: -1\n  user_command_rate: -1\n")})
	c, err := client.Dial(b.Context(), client.Config{URLs: []string{br.URL}, Token: clienttest.AliceToken})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	for i := 0; b.Loop(); i++ {
		if err := c.SetDND(b.Context(), "demo/201", i%2 == 0); err != nil {
			b.Fatal(err)
		}
	}
}
