// Package client is the Go SDK of ctibridge: a WebSocket client (protocol v1, see
// docs/websocket.md) that keeps a local mirror of the lines and calls it subscribed to,
// delivers typed events, and runs typed TAPI-style commands that return their LINE_REPLY.
//
// A Client connects to any of a list of bridge URLs and reconnects on its own, with
// exponential backoff and jitter, to whichever instance answers. It resumes every PBX's feed
// from its cursor (epoch and offset of the last event it received), so no event is lost or
// repeated across reconnects and bridge failovers; when the bridge cannot continue a cursor
// it sends a resync, and the client replaces its view of those lines.
//
// Contact centres: the mirror keeps each line's agent state per ACD group (Client.Agents,
// from LINE_AGENTSTATUS) and each monitored group's queue figures (Client.Queue, from
// LINE_QUEUESTATUS); LogOn and SetAgentState ask for agent states.
//
// The package depends only on package tapi (the wire types) and gorilla/websocket. REST
// (package-level REST type) covers one-shot requests and what has no WebSocket form: link
// status and switchover, the agent list and a group's queue figures.
package client
