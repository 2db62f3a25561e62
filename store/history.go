package store

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Retention of the call history, the same for both implementations: records older than
// DefaultHistoryMaxAge are not returned and are trimmed; each PBX keeps at most
// DefaultHistoryMaxRecords records.
const (
	DefaultHistoryMaxAge     = 30 * 24 * time.Hour
	DefaultHistoryMaxRecords = 100000
	// MaxHistoryLimit bounds HistoryQuery.Limit.
	MaxHistoryLimit = 1000
)

// Directions of a call record (JournalEntry.Direction).
const (
	DirectionInbound  = "inbound"
	DirectionOutbound = "outbound"
	DirectionInternal = "internal"
	DirectionUnknown  = "unknown" // adopted calls whose origin the PBX did not tell
)

// Outcomes of a call record (JournalEntry.Outcome).
const (
	OutcomeAnswered  = "answered"
	OutcomeMissed    = "missed"
	OutcomeBusy      = "busy"
	OutcomeFailed    = "failed"
	OutcomeAbandoned = "abandoned"
	OutcomeForwarded = "forwarded" // sent on while ringing or before: forwarding, deflection
	OutcomePickedUp  = "pickedUp"  // taken by another device's pickup
)

// Directions and Outcomes list the valid values, for validating filters.
var (
	Directions = []string{DirectionInbound, DirectionOutbound, DirectionInternal, DirectionUnknown}
	Outcomes   = []string{OutcomeAnswered, OutcomeMissed, OutcomeBusy, OutcomeFailed, OutcomeAbandoned,
		OutcomeForwarded, OutcomePickedUp}
)

// Redirect is one step of a call's forwarding or transfer chain.
type Redirect struct {
	// Kind is "forwarded" (forwarding busy/no answer/unconditional), "redirected"
	// (deflection), "transferred" or "pickedUp".
	Kind   string          `json:"kind"`
	Reason tapi.CallReason `json:"reason,omitempty"` // the LINECALLREASON_* the call carried
	From   tapi.PartyID    `json:"from,omitzero"`    // the redirecting party, when known
	To     tapi.PartyID    `json:"to,omitzero"`      // where the call went
}

// ErrNoRecord: CallRecord found no record of the call.
var ErrNoRecord = errors.New("store: no call record")

// ErrBadQuery marks a history query the store refuses (a malformed cursor, a bad limit).
var ErrBadQuery = errors.New("store: bad history query")

// HistoryQuery selects call records. Records come newest first, by end time and then id.
type HistoryQuery struct {
	// PBXs limits the query to these PBXs; empty: every PBX the store holds records of.
	PBXs []string
	// Lines limits the query to these lines ("pbx/ext"); empty: every line. A user's access
	// rights are a set of lines.
	Lines []string
	// Number keeps records one of whose numbers (caller, called, connected, answeredBy)
	// equals it. NumberForm, when set, maps both the stored numbers and Number to one form
	// per PBX first (e.g. E.164), so that "as given" and E.164 both match.
	Number     string
	NumberForm func(pbx, number string) string
	// Direction and Outcome keep records with that value; empty: any.
	Direction, Outcome string
	// From (inclusive) and To (exclusive) bound the end time, at millisecond precision;
	// zero: open.
	From, To time.Time
	// Cursor continues after a previous page (HistoryPage.Next) of the same query.
	Cursor string
	// Limit is the page size, 1..MaxHistoryLimit.
	Limit int
}

// HistoryPage is one page of a history query. A page may hold fewer than Limit records
// while Next is set: each call examines a bounded number of records, so a selective filter
// over a long history takes several calls. Next is empty at the end.
type HistoryPage struct {
	Records []JournalEntry
	Next    string
}

// RecordIDLen is the length of a call record id (NewRecordID).
const RecordIDLen = 26

// recordIDRandom is how many random bytes an id takes (80 bits).
const recordIDRandom = 10

// NewRecordID returns a new call record id: 26 characters (Crockford base32) of the time in
// milliseconds and 80 random bits, so ids are unique across instances and epochs and sort
// by time.
func NewRecordID(t time.Time) string {
	var rnd [recordIDRandom]byte
	rand.Read(rnd[:]) // crypto/rand.Read never fails (Go 1.24+)
	id := recordID(t, rnd[:])
	return string(id[:])
}

// NewRecordIDs returns n new call record ids for time t, as NewRecordID makes them, one
// after the other in one string (RecordIDLen characters each): the records of a batch take
// their ids from it, one allocation and a read of random bits per 32 ids instead of one
// of each per record.
func NewRecordIDs(t time.Time, n int) string {
	var b strings.Builder
	b.Grow(RecordIDLen * max(n, 0))
	var rnd [32 * recordIDRandom]byte
	for i := range n {
		k := i % 32 * recordIDRandom
		if k == 0 {
			rand.Read(rnd[:])
		}
		id := recordID(t, rnd[k:k+recordIDRandom])
		b.Write(id[:])
	}
	return b.String()
}

// recordID encodes the id of time t with the random bits rnd (recordIDRandom bytes).
func recordID(t time.Time, rnd []byte) [RecordIDLen]byte {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(max(t.UnixMilli(), 0))<<16)
	copy(b[6:], rnd)
	const digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	var out [RecordIDLen]byte
	for i := RecordIDLen - 1; i >= 0; i-- { // 128 bits, 5 at a time from the low end (the top digit takes 3)
		out[i] = digits[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return out
}

// encodeCursor and decodeCursor make an index key opaque for clients: "h1." and base64url.
func encodeCursor(key string) string {
	return "h1." + base64.RawURLEncoding.EncodeToString([]byte(key))
}

func decodeCursor(c string) (string, error) {
	raw, ok := strings.CutPrefix(c, "h1.")
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if !ok || err != nil {
		return "", fmt.Errorf("%w: cursor %q is not one this bridge made", ErrBadQuery, c)
	}
	ms, id, ok := strings.Cut(string(b), sep)
	if _, err := strconv.ParseUint(ms, 10, 64); !ok || err != nil || len(ms) != 13 || id == "" {
		return "", fmt.Errorf("%w: cursor %q is not one this bridge made", ErrBadQuery, c)
	}
	return string(b), nil
}
