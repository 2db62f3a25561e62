// Package wsout writes the data messages of a server-side WebSocket connection (RFC 6455
// section 5: unmasked text frames) in batches, beside the gorilla/websocket connection that
// keeps writing the control frames (ping, pong, close) through the same Conn.
//
// Framing a batch here instead of calling the library once per message lets a fan-out write
// many messages to a socket with one write call, and lets the goroutine that produced them
// write without blocking where the platform allows (TryWriteFrames; Unix only: elsewhere every
// byte goes through the blocking WriteFrames of the connection's writer goroutine).
// BenchmarkFanOut compares it with the library's own write path.
package wsout
