// Package tracefile reads and writes CSTA wire traces: one message per line, with its
// complete body, in the format documented in docs/trace.md. The bridge writes them
// (Writer, with size-capped rotation); `ctibridge replay` and `pbxsim -replay` read them
// (Reader, ReadFile).
//
// A line is seven fields separated by single spaces:
//
//	2026-12-06T10:30:50.123456Z hq primary recv 9999 DeliveredEvent <?xml version="1.0"?>\n<DeliveredEvent ...
//
// time (RFC 3339, UTC, microseconds), PBX name, node (primary/standby), direction (send:
// bridge to PBX, recv: PBX to bridge), invoke ID (four digits, "----" on framings without
// one), message name, and the XML body escaped so that any byte survives: backslash is
// written \\, newline \n, carriage return \r, and every other control byte, DEL and every
// byte that is not part of valid UTF-8 \xHH. Lines starting with '#' are comments; blank
// lines are skipped.
package tracefile
