// Package storetest is the contract suite every store.Store implementation passes. It is a
// normal package (not a _test package) so that store/memory and store/redis run the same
// tests from their own test files:
//
//	func TestContract(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, opts storetest.Options) storetest.Opener {
//			// make one fresh, empty backend configured with opts ...
//			return func(t *testing.T) store.Store { /* a handle on it, closed in t.Cleanup */ }
//		})
//	}
//
// The contract, beyond the comments of store.Store, as the suite pins it down:
//
//   - Every test gets a fresh, empty backend from NewBackend. An Opener returns a handle on
//     that backend as another bridge instance would open it (a second Redis client on the same
//     server and key prefix; the memory store returns itself). The harness closes what it
//     opens in t.Cleanup, so Close must be safe to call twice (the suite closes some stores
//     itself).
//   - Epoch: Load and Position of a PBX without a log create a random, non-empty epoch and keep
//     it: later calls, on any instance, report the same epoch until the log's metadata is lost.
//   - Apply stores lines (by Name) and calls (by Handle) first, then deletes RemovedCalls, so a
//     call both stored and removed in one batch ends up deleted. Removing an unknown call is not
//     an error. NextHandle is stored when non-zero. Events get offsets last+1, last+2, ...; the
//     returned store.Appended names the epoch and the first and last. A batch without events
//     returns a zero Appended.
//   - Apply rejects, with an error other than ErrFenced and writing nothing: a line without a
//     name, a call without a handle, a journal entry whose line is not "<pbx>/..." of the batch's
//     PBX. An empty PBX name is an error for every per-PBX method.
//   - Fencing: a write whose fence's owner and token are not the current, unexpired lease gets
//     ErrFenced and changes nothing (state, log and journal).
//   - Lease tokens grow strictly with every new acquisition of a PBX's lease, across owners and
//     releases; re-acquiring a lease one still holds returns the same or a higher token; renewing
//     keeps the token. Releasing a lease one no longer holds is a no-op (nil error) that does not
//     disturb the new owner. Empty owner or a non-positive TTL is an error.
//   - Retention: the log keeps at least Options.MaxLogLen newest entries; trimming may be
//     approximate, but an entry must be gone once 4×MaxLogLen newer entries exist. Replay of a
//     trimmed range is ErrCursorTooOld; a negative limit is an error.
//   - History: call records of all lines and PBXs, newest first by end time (ms) and id,
//     filtered by PBXs, lines, number (through NumberForm), direction, outcome and an end
//     time range; paging with Next returns every match exactly once whatever the page size,
//     also while newer records arrive, though a page may be short (Options.HistoryScan).
//     Each PBX keeps Options.HistoryMaxRecords records (exactly); records older than
//     store.DefaultHistoryMaxAge are never returned. Writing a record again (same id and end)
//     stores it once. CallRecord returns a call's newest record or ErrNoRecord. A bad
//     limit, direction, outcome, cursor, line or time range is ErrBadQuery.
//   - Journal: History of one line. Limit 0 means all retained entries; negative skip or
//     limit, or a line name without "/", is an error. An unknown line has an empty journal.
//   - Subscriptions buffer Options.SubscriberBuffer entries. A subscriber more than that behind
//     is dropped with ErrSlowSubscriber; Apply and other subscribers never wait for it. The suite
//     paces its fast readers so that they are never more than 10 entries behind. Err is nil
//     while the subscription is live.
//   - Commands: SendCommand fails with ErrNoOwner, not with a context error, when nobody serves
//     the PBX, also when a lease owner exists but has stopped serving. ServeCommands returns
//     (nil or the context's error) when its ctx ends, ErrClosed when the store is closed.
//   - After Close every method returns ErrClosed (errors.Is), live subscriptions end with it.
//   - A context already cancelled makes Load and Apply fail with its error, writing nothing.
//   - Values are copied both ways: mutating what was passed to Apply, or what Load, Replay and
//     Subscribe returned, never changes what the store holds.
//
// The suite never asserts on durations. Lease expiry uses short TTLs (LeaseTTL) and polls
// LeaseOwner until the lease is gone; "prompt" outcomes are checked as "the right error rather
// than a context deadline".
package storetest
