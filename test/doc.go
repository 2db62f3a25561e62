// Package e2e holds the end-to-end failover suite: it builds cmd/ctibridge and cmd/pbxsim,
// runs a real redis-server, a duplex simulated PBX and three bridge instances on loopback,
// puts WebSocket clients on every line, injects faults (PBX node, bridge process, Redis,
// client), and checks what every client saw against the store's event log and the
// simulator's ground truth. Run it with `go test ./test` (`-soak` for longer runs); it is
// skipped under -short.
package e2e
