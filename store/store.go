package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// Store is the shared state of all bridge instances: the parts below, each a small
// interface a component can ask for alone (the webhook deliverers need the log, leases and
// the history, not the state). All methods are safe for concurrent use.
type Store interface {
	StateStore
	LogStore
	LeaseStore
	HistoryStore
	CommandStore

	// Ping reports whether the store is reachable (readiness).
	Ping(ctx context.Context) error
	// Close releases resources; subscriptions end with ErrClosed.
	Close() error
}

// StateStore holds each PBX's lines and calls and writes them with the log in fenced steps.
type StateStore interface {
	// Load returns a PBX's stored lines, calls, handle counter and log position.
	Load(ctx context.Context, pbx string) (Snapshot, error)
	// LoadLines is Load for some lines only: those of the named lines the store holds (in
	// name order), the calls on them, and the handle counter and position of the whole PBX,
	// read at one moment. A client subscribing to its lines costs what its lines cost, not what
	// the PBX's are.
	LoadLines(ctx context.Context, pbx string, lines []string) (Snapshot, error)
	// Apply writes changed lines and calls, deletes removed calls, appends events and journal
	// entries, in one fenced step: nothing is written unless fence holds the PBX's lease.
	// It returns the offsets the events were given (Appended; zero for a batch without).
	Apply(ctx context.Context, pbx string, fence Fence, b Batch) (Appended, error)
}

// LogStore is each PBX's event log, for clients that resume from a cursor.
type LogStore interface {
	// Position returns the log's epoch and last offset (0 when empty).
	Position(ctx context.Context, pbx string) (Position, error)
	// Replay returns entries with offset > after, oldest first, at most limit (0: no limit).
	// It fails with ErrEpochChanged when epoch is not the log's epoch and ErrCursorTooOld when
	// entries after `after` have been trimmed.
	Replay(ctx context.Context, pbx, epoch string, after uint64, limit int) ([]Entry, error)
	// Subscribe delivers entries appended after the call, in offset order, until ctx ends or
	// the subscription fails (see Subscription.Err).
	Subscribe(ctx context.Context, pbx string) (Subscription, error)
}

// LeaseStore grants the fenced leases that make one instance the owner of a PBX link (and of
// other work that must run once, such as a webhook subscription's deliveries).
type LeaseStore interface {
	// AcquireLease takes the PBX's lease for owner if it is free or already owner's. The
	// token grows with every acquisition. ErrLeaseHeld (as *LeaseHeldError) when another owns it.
	AcquireLease(ctx context.Context, pbx, owner string, ttl time.Duration) (Lease, error)
	// RenewLease extends a held lease; ErrLeaseLost when it expired or changed hands. A lost
	// lease is never re-created by renewing.
	RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error)
	// ReleaseLease gives the lease up at once (graceful hand-over), if still held.
	ReleaseLease(ctx context.Context, l Lease) error
	// LeaseOwner returns the current owner and token, or ErrNoOwner.
	LeaseOwner(ctx context.Context, pbx string) (owner string, token uint64, err error)
}

// HistoryStore is the call history (records written by Apply).
type HistoryStore interface {
	// Journal returns a line's finished calls, newest first, skipping `skip`, at most limit
	// (0: all retained): History with a line filter (JournalFromHistory).
	Journal(ctx context.Context, line string, skip, limit int) ([]JournalEntry, error)
	// History returns call records of every line and PBX, newest first (HistoryQuery).
	History(ctx context.Context, q HistoryQuery) (HistoryPage, error)
	// CallRecord returns the newest record of a PBX's call, ErrNoRecord when there is none.
	CallRecord(ctx context.Context, pbx string, handle tapi.CallHandle) (JournalEntry, error)
}

// CommandStore routes client commands to the instance that owns a PBX's link.
type CommandStore interface {
	// ServeCommands receives commands sent to pbx and answers them with handle, until ctx
	// ends. Only the lease owner should serve.
	ServeCommands(ctx context.Context, pbx, owner string, handle CommandHandler) error
	// SendCommand delivers a command to the instance serving pbx and waits for its reply
	// until ctx's deadline; ErrNoOwner when nobody serves it.
	SendCommand(ctx context.Context, pbx string, cmd []byte) ([]byte, error)
}

// CommandHandler answers one routed command. Payloads are opaque to the store.
type CommandHandler func(ctx context.Context, cmd []byte) []byte

// FixedEpochs is implemented by a store whose logs keep their epoch for as long as it is
// open: the memory store, which only its own process writes and which loses nothing. An
// owner need not follow such a log for a new epoch (each subscriber costs a copy of every
// event and a wake-up per batch).
type FixedEpochs interface {
	FixedEpochs() bool
}

// RoundTrips is implemented by a store each of whose writes is a network round trip (the
// Redis store): its fixed cost per fenced write is what the engine's linger spreads over more
// events, so the engine lingers by default with such a store (cti.DefaultLinger).
type RoundTrips interface {
	RoundTrips() bool
}

// Subscription is a live feed of a PBX's event log.
type Subscription interface {
	// C delivers entries in offset order. It is closed when the subscription ends.
	C() <-chan Entry
	// Err says why C was closed: ErrSlowSubscriber, ErrClosed, a context error, or a store
	// error. The consumer resumes with Replay from its last offset.
	Err() error
	// Close ends the subscription.
	Close() error
}

// Position is a point in a PBX's event log: the cursor of the client protocol (wire.Position).
type Position = wire.Position

// Entry is one event in the log.
type Entry struct {
	PBX    string     `json:"pbx"`
	Epoch  string     `json:"epoch"`
	Offset uint64     `json:"offset"`
	Event  tapi.Event `json:"event"`
	// JSON is Event as tapi's encoder writes it (Event.AppendJSON, json.Marshal's bytes),
	// when the store has it at hand (the Redis store: the JSON this instance wrote, or read
	// and decoded the event from); nil otherwise. The web hub puts it in client messages
	// instead of encoding the event again. It may be shared: readers never change it, and
	// whoever changes Event clears it.
	JSON []byte `json:"-"`
}

// Snapshot is a PBX's stored state.
type Snapshot struct {
	Lines      []tapi.Line
	Calls      []tapi.Call
	NextHandle uint64 // reducer's handle counter; 0 when nothing was stored
	Position   Position
}

// Batch is one fenced write. A store keeps nothing of the batch's slices once Apply returns
// (it copies what it stores): the engine reuses their arrays for its next batch.
type Batch struct {
	Lines        []tapi.Line // lines to store (replacing by name)
	Calls        []tapi.Call // calls to store (replacing by handle)
	RemovedCalls []tapi.CallHandle
	NextHandle   uint64 // stored when non-zero
	Events       []tapi.Event
	Journal      []JournalEntry
	// ID names the write, unique among the writer's writes to the PBX ("": unnamed). A
	// write whose reply was lost may have happened: the writer sends it again with the same
	// ID, and when it is the PBX's last write the store answers with that write's offsets
	// and writes nothing, instead of appending its events a second time.
	ID string
}

// Fence identifies the writer: the lease owner and the token it was granted.
type Fence struct {
	Owner string
	Token uint64
}

// Lease is a granted ownership of a PBX link.
type Lease struct {
	PBX     string
	Owner   string
	Token   uint64
	Expires time.Time // by the store's clock, for information
	// NoHistory: the store had no record of any earlier lease of the PBX (a first start, or
	// a store that lost its data). A former owner may then still believe, for up to one TTL,
	// that it holds the lease, so the new owner waits that long before talking to the PBX.
	// The memory store never sets it: it lives and dies with the process of its owners.
	NoHistory bool
}

// Fence returns the fence for writes under this lease.
func (l Lease) Fence() Fence { return Fence{Owner: l.Owner, Token: l.Token} }

// JournalEntry is one finished call on a line: a record of the call history, for CRMs.
type JournalEntry struct {
	// ID names the record (NewRecordID): unique across PBXs, instances and epochs.
	ID        string          `json:"id"`
	PBX       string          `json:"pbx"`
	Line      string          `json:"line"`
	Handle    tapi.CallHandle `json:"handle"`
	CallID    string          `json:"callId,omitempty"`
	Origin    tapi.CallOrigin `json:"origin,omitempty"`
	Reason    tapi.CallReason `json:"reason,omitempty"`
	Caller    tapi.PartyID    `json:"caller,omitzero"`
	Called    tapi.PartyID    `json:"called,omitzero"`
	Connected tapi.PartyID    `json:"connected,omitzero"`
	Started   time.Time       `json:"started"`
	Answered  time.Time       `json:"answered,omitzero"`
	Ended     time.Time       `json:"ended"`
	// Outcome is one of Outcomes: "answered", "missed", "busy", "failed", "abandoned",
	// "forwarded" (sent on while ringing or before) or "pickedUp" (taken by another
	// device's pickup).
	Outcome string `json:"outcome"`
	// Direction is one of Directions, from the line's point of view (see cti's journal).
	Direction string `json:"direction"`
	// AnsweredBy is the party that answered, when known.
	AnsweredBy tapi.PartyID `json:"answeredBy,omitzero"`
	// RingMs is from Started to Answered (or to Ended when unanswered), TalkMs from Answered
	// to Ended, in milliseconds.
	RingMs int64 `json:"ringMs"`
	TalkMs int64 `json:"talkMs"`
	// Chain holds the forwarding and transfer steps the call carried, oldest first.
	Chain []Redirect `json:"chain,omitempty"`
}

// Errors shared by all implementations.
var (
	ErrFenced         = errors.New("store: write rejected: writer does not hold the lease (fenced)")
	ErrLeaseHeld      = errors.New("store: lease held by another instance")
	ErrLeaseLost      = errors.New("store: lease lost")
	ErrNoOwner        = errors.New("store: no instance owns this PBX")
	ErrCursorTooOld   = errors.New("store: cursor older than the retained event log")
	ErrEpochChanged   = errors.New("store: event log epoch changed")
	ErrSlowSubscriber = errors.New("store: subscriber too slow, subscription dropped")
	ErrClosed         = errors.New("store: closed")
)

// LeaseHeldError says who holds a lease. It matches ErrLeaseHeld with errors.Is.
type LeaseHeldError struct {
	PBX   string
	Owner string
	Token uint64
}

func (e *LeaseHeldError) Error() string {
	return fmt.Sprintf("store: lease of %s held by %s (token %d)", e.PBX, e.Owner, e.Token)
}

// Is makes errors.Is(err, ErrLeaseHeld) true.
func (e *LeaseHeldError) Is(target error) bool { return target == ErrLeaseHeld }
