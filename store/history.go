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
	"unicode/utf8"

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

// checkRecord rejects a record that cannot be indexed; pbx is the batch's PBX.
func checkRecord(pbx string, j *JournalEntry) error {
	p, _, ok := tapi.SplitLine(j.Line)
	if !ok || p != pbx {
		return fmt.Errorf("journal entry for line %q, want a line %q/<extension>", j.Line, pbx)
	}
	if j.PBX != "" && j.PBX != pbx {
		return fmt.Errorf("journal entry of line %q names PBX %q", j.Line, j.PBX)
	}
	if j.ID == "" || len(j.ID) > 64 {
		return fmt.Errorf("journal entry of line %q: id %q must have 1 to 64 characters", j.Line, j.ID)
	}
	for _, r := range j.ID {
		if r <= ' ' || r > '~' {
			return fmt.Errorf("journal entry of line %q: id %q has a character other than printable ASCII", j.Line, j.ID)
		}
	}
	return nil
}

// CheckRecord validates a record of a batch for pbx (for the implementations) and returns
// its index member (see HistoryIndex).
func CheckRecord(pbx string, j *JournalEntry) (string, error) {
	if err := checkRecord(pbx, j); err != nil {
		return "", err
	}
	return HistoryIndex(j), nil
}

// The index: each record has a member string that sorts (bytewise) by end time and id and
// carries the fields filters look at, so both implementations filter without decoding
// records: "<end ms, 13 digits>␟<id>␟<line>␟<direction>␟<outcome>␟<handle>␟<numbers...>"
// with ␟ = 0x1f. 0x1f sorts below every character an id may hold, so comparing a member with
// a key "<end ms>␟<id>" orders it as comparing the keys would.
const sep = "\x1f"

// Index fields.
const (
	ixKey = iota // not a field: the first two joined
	ixID
	ixLine
	ixDirection
	ixOutcome
	ixHandle
	ixNumbers
)

// HistoryIndex returns j's index member. j must be valid (CheckRecord).
func HistoryIndex(j *JournalEntry) string {
	fields := [...]string{j.ID, j.Line, j.Direction, j.Outcome, string(j.Handle),
		j.Caller.Number, j.Called.Number, j.Connected.Number, j.AnsweredBy.Number}
	n := msKeyLen
	for _, f := range fields {
		n += len(sep) + len(f)
	}
	// Sized once: every call that ends writes one (strings.Map copies a field only when it
	// has control characters to drop).
	var b strings.Builder
	b.Grow(n)
	var digits [20]byte
	ms := strconv.AppendInt(digits[:0], max(j.Ended.UnixMilli(), 0), 10)
	for range msKeyLen - len(ms) {
		b.WriteByte('0')
	}
	b.Write(ms)
	for _, f := range fields {
		b.WriteString(sep)
		if plainASCII(f) { // what strings.Map would return unchanged, found without a call per rune
			b.WriteString(f)
		} else {
			b.WriteString(strings.Map(noControl, f))
		}
	}
	return b.String()
}

// plainASCII reports whether s is ASCII without control characters below ' '.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// msKeyLen is the width of msKey.
const msKeyLen = 13

func noControl(r rune) rune {
	if r < ' ' {
		return -1
	}
	return r
}

// msKey is a time as 13 digits of Unix milliseconds (zero before 1970).
func msKey(t time.Time) string { return string(AppendIndexTime(nil, t)) }

// IndexTime returns the index key prefix of time t: members of records that ended before t
// sort below it.
func IndexTime(t time.Time) string { return msKey(t) }

// AppendIndexTime appends IndexTime(t) to dst: a store trimming its history on every write
// compares with it without making a string.
func AppendIndexTime(dst []byte, t time.Time) []byte {
	var digits [20]byte
	ms := strconv.AppendInt(digits[:0], max(t.UnixMilli(), 0), 10)
	for range msKeyLen - len(ms) {
		dst = append(dst, '0')
	}
	return append(dst, ms...)
}

// IndexKey returns the key part of an index member: end time and id.
func IndexKey(member string) string {
	_, rest, _ := strings.Cut(member, sep)
	id, _, _ := strings.Cut(rest, sep)
	return member[:len(member)-len(rest)] + id
}

// indexField returns field n (ixID ...) of a member; "" when absent. It allocates nothing:
// trimming the history reads the handle of every record it drops.
func indexField(member string, n int) string {
	rest := member
	for range n {
		var ok bool
		if _, rest, ok = strings.Cut(rest, sep); !ok {
			return ""
		}
	}
	f, _, _ := strings.Cut(rest, sep)
	return f
}

// IndexID and IndexHandle return a member's record id and call handle.
func IndexID(member string) string     { return indexField(member, ixID) }
func IndexHandle(member string) string { return indexField(member, ixHandle) }

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
