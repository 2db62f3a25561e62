// Package memory is the single-process store.Store: state, event log, leases, call history and
// command routing held in memory. It suits one bridge instance (the default deployment) and
// tests; several "instances" in one process may share one Store.
//
// Each PBX has its own mutex, so PBXs never contend. Apply encodes events and call records
// before taking the lock and fans entries out to subscribers with non-blocking sends: a
// subscriber whose buffer is full is dropped with store.ErrSlowSubscriber, never waited for.
// The event log and the call history hold their entries encoded (codec.go), out of the garbage
// collector's way.
package memory
