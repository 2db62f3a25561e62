// Package cti is the bridge's engine: it holds the CSTA links (ECMA-269 services in ECMA-323
// XML over TCP, ECMA-354 application sessions; package csta) to each PBX's primary and standby
// node, turns the PBX's events into the TAPI line and call model (package tapi; the reduction
// itself is package cti/reducer) and executes TAPI requests as CSTA services. Clients reach it
// through Service (package web); the state it keeps is in a store.Store shared by every bridge
// instance.
//
// Who does what (each goroutine has one owner that stops it):
//
//   - Engine (engine.go) runs one ownership loop per PBX (ownership.go): it takes the PBX's store
//     lease, or follows the owner's event log when another instance holds it. The lease's
//     fencing token guards every write, so a paused former owner cannot write after a takeover.
//   - While this instance owns a PBX, an ownership term (owned, ownership.go) runs it in four
//     parts: lease term, PBX link, event pipeline and command router (below).
//   - After a switchover or takeover the lines are resynchronised from SnapshotDevice
//     (resync.go, restore.go); an event the reducer cannot place asks for a repair of its line
//     (repair.go). With ACD or hunt groups configured (PBXConfig.Groups, monitored as lines
//     carrying queue figures) the agent states are then asked with GetAgentState (agents.go).
//   - A store that keeps failing makes the instance give the link up with an honest status
//     (degraded.go); link, node and store health are reported by Links (status.go) and metrics
//     (metrics.go, protoproblems.go).
//
// The parts of an ownership term each own their fields and goroutines (the comment on each
// type says which goroutine may touch which field); the term's one context ends them all, and
// any part that ends ends the term:
//
//   - Lease term (term, term.go): the lease, its deadline, the quiet time of a lease without
//     history, the guard every CSTA request passes (mayRequest) and the fence that ends the
//     term. Goroutine: renewLoop.
//   - PBX link (link, link.go): the session to one node and whether no node is reachable.
//     Goroutines: supervise (supervisor.go: connect, application session (session.go),
//     monitors (monitors.go, monitor_retry.go), heartbeats, switchover, failback
//     (failback.go), resyncs) and repairLoop (repair.go).
//   - Event pipeline (pipeline, pipeline.go): the reducer state, the applied-event counts, the
//     store epoch, the health of the store writes. Goroutines: runPipeline (CSTA events and
//     jobs applied in order in batches, each written with one fenced store.Apply, call records
//     (journal.go) and caller names (names.go) included), watchLog (restore.go) and the
//     namer's.
//   - Command router (router, commands.go, command_build.go, routing.go): a request becomes
//     the CSTA service of the op table tapi/wire.Ops, on the caller's goroutine; requests for
//     a PBX owned elsewhere go there through the store (goroutine serveCommands).
//
// The parts talk through channels (the pipeline's queue, its requests to snapshot again or to
// repair a line, the supervisor's admin moves) and atomics. Nothing polls: a command waiting
// for the link, or for the call it created, is woken by a broadcast (signal.go) from the link,
// the lease renewal or the view.
//
// Timing and sizes come from Config and PBXConfig; DefaultConfig and DefaultPBXConfig are the
// one source of every default (docs/config.md lists them).
package cti
