// Package redisstore is the Redis implementation of store.Store, for several bridge instances
// sharing state and taking over each other's PBX links.
//
// It uses a go-redis UniversalClient, so standalone Redis, Sentinel (Options.MasterName) and
// Cluster (several Addrs) all work from configuration. All keys of one PBX share the hash tag
// "{pbx:<name>}" and every multi-key step is one Lua script, which therefore runs on Cluster:
//
//	<prefix>:{pbx:hq}:meta            hash: epoch, offset (last log offset), handle (next handle)
//	<prefix>:{pbx:hq}:lines           hash: line name -> JSON tapi.Line
//	<prefix>:{pbx:hq}:calls           hash: call handle -> JSON tapi.Call
//	<prefix>:{pbx:hq}:log             stream: an entry per Apply, ID "<last offset>-<first offset>",
//	                                  field "b" = the batch as published (below); "<offset>-0",
//	                                  field "e" = one JSON tapi.Event: as written before batches
//	<prefix>:{pbx:hq}:events          PUB/SUB channel: "<epoch>\n<first offset>[ <write ID>]\n<event>\n..."
//	<prefix>:{pbx:hq}:lease           hash: owner, token; expires with the lease TTL
//	<prefix>:{pbx:hq}:token           fencing token counter
//	<prefix>:{pbx:hq}:hist:ix         sorted set (all scores 0): store.HistoryIndex members
//	<prefix>:{pbx:hq}:hist:rec        hash: record id -> JSON store.JournalEntry
//	<prefix>:{pbx:hq}:hist:call       hash: call handle -> index member of its newest record
//	<prefix>:history:pbxs             set of the PBXs holding call records (no hash tag)
//	<prefix>:{pbx:hq}:servers         sorted set: instances running ServeCommands, by expiry
//	<prefix>:{pbx:hq}:cmd:<owner>     list of command requests for <owner>
//	<prefix>:replies:<instance>       list of command replies for one Store (no PBX; one key)
//
// Fencing: Apply is a single script call that first compares the caller's fence with the
// lease hash and writes nothing on a mismatch. Tokens are max(INCR counter, Redis TIME in
// microseconds), so they keep growing even when a failover loses the counter.
//
// Epoch: when the meta hash is missing (a new PBX, or Redis lost its data) the first script
// that needs it stores the random epoch candidate its caller passed and drops any old stream,
// atomically, so all instances agree on one epoch and offsets restart at 1 under it. Apply,
// Load, Position and Replay also start a new epoch when the stored offset is below one this
// Store saw before in the same epoch (Redis lost acknowledged writes in a failover), so that
// no offset is ever handed out twice in one epoch and no reader sees the log go backwards;
// subscribers end with store.ErrEpochChanged in both cases. Lines and calls are left as Redis
// has them: the owner rewrites them when it learns of the new epoch.
//
// Apply does not WAIT for a replica's acknowledgement. It would add about a millisecond to
// every fenced write on one host (BenchmarkApplyReplicaWait), capping one PBX's serial
// pipeline near 800 writes/s, and it would not close the gap that loses writes in a Sentinel
// failover: writes that reach the old master after the replica was promoted are published
// before any WAIT could fail, and are lost all the same. The new epoch and the owner's
// rewrite handle that loss instead.
//
// Call history: Apply adds each record to the index and the records hash, then trims at
// most (records written + 100) of the oldest records past Options.HistoryMaxAge or beyond
// Options.HistoryMaxRecords: O((k + t) log N) for k records written and t trimmed, N held.
// History reads with ZREVRANGEBYLEX (O(log N + m) for m members, at most
// Options.HistoryScan per PBX and call), filters the members in the client and fetches the
// page's records with HMGET; store.RunHistory merges the PBXs.
//
// Live events: one PUBLISH per Apply; a subscriber fills gaps from the stream, and a probe
// every Options.ProbeInterval compares its position with the stored one, so a silently dead
// PUB/SUB connection loses nothing. ServeCommands notices its context's end within about a
// second (the longest blocking pop).
package redisstore
