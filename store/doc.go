// Package store holds what bridge instances share: per PBX the lines and calls (the state a
// new owner or a new client starts from), the event log with an epoch and monotonically
// increasing offsets, live subscription to it, the ownership lease with a fencing token, the
// call history (one record per line's finished call, queried across lines and PBXs with
// filters and cursor paging, RunHistory; kept by age and count), and routing of client
// commands to the instance that owns a PBX.
//
// One interface, Store, with two implementations that pass one contract suite
// (store/storetest): store/memory for a single process and store/redis for several.
//
// Fencing: every write (Apply) carries the writer's Fence; an implementation rejects it with
// ErrFenced unless the fence's owner still holds the lease with that token. A paused or
// partitioned former owner therefore cannot change state or append events once another
// instance took over (DESIGN.md, "Redundancy", layer 2).
package store
