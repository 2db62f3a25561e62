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
//   - While this instance owns a PBX, an owned term runs three parts: the link supervisor
//     (supervisor.go: connect, application session (session.go), monitors (monitors.go,
//     monitor_retry.go), heartbeats, switchover, failback (failback.go)), the pipeline
//     (pipeline.go: CSTA events and jobs applied in order in batches, each written with one
//     fenced store.Apply, call records (journal.go) and caller names (names.go) included), and
//     the command router (routing.go, commands.go, command_build.go: a request becomes the CSTA
//     service of the op table tapi/wire.Ops; requests for a PBX owned elsewhere go there
//     through the store).
//   - After a switchover or takeover the lines are resynchronised from SnapshotDevice
//     (resync.go, restore.go); an event the reducer cannot place asks for a repair of its line
//     (repair.go). With ACD or hunt groups configured (PBXConfig.Groups, monitored as lines
//     carrying queue figures) the agent states are then asked with GetAgentState (agents.go).
//   - A store that keeps failing makes the instance give the link up with an honest status
//     (degraded.go); link, node and store health are reported by Links (status.go) and metrics
//     (metrics.go, protoproblems.go).
//
// Timing and sizes come from Config and PBXConfig; DefaultConfig and DefaultPBXConfig are the
// one source of every default (docs/config.md lists them).
package cti
