package store

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/tapi/wordbytes"
)

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
	// By bytes: a byte outside '!'..'~' is either such a character or part of a rune above
	// '~' (or of invalid UTF-8, which ranging over the string reads as U+FFFD).
	for i := 0; i < len(j.ID); i++ {
		if c := j.ID[i]; c <= ' ' || c > '~' {
			return fmt.Errorf("journal entry of line %q: id %q has a character other than printable ASCII", j.Line, j.ID)
		}
	}
	return nil
}

// AppendCheckedIndex validates a record of a batch for pbx (for the implementations) and
// appends its index member (see HistoryIndex) to dst: both stores keep the members of a
// batch in one buffer, without a string per record. On error dst is returned unchanged.
func AppendCheckedIndex(dst []byte, pbx string, j *JournalEntry) ([]byte, error) {
	if err := checkRecord(pbx, j); err != nil {
		return dst, err
	}
	return AppendHistoryIndex(dst, j), nil
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
	b := AppendHistoryIndex(make([]byte, 0, historyIndexLen(j)), j)
	// The string is the buffer, which nothing else holds or writes (as strings.Builder
	// does it): one allocation per record, not a second for a copy.
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// historyIndexLen is the length of j's member when its fields have no control characters.
func historyIndexLen(j *JournalEntry) int {
	return msKeyLen + 9*len(sep) + len(j.ID) + len(j.Line) + len(j.Direction) + len(j.Outcome) + len(j.Handle) +
		len(j.Caller.Number) + len(j.Called.Number) + len(j.Connected.Number) + len(j.AnsweredBy.Number)
}

// AppendHistoryIndex appends j's index member (HistoryIndex) to dst. j must be valid.
func AppendHistoryIndex(dst []byte, j *JournalEntry) []byte {
	// Grown once per member at most, and by half at least: a batch's members go one after
	// the other into one buffer.
	if n := historyIndexLen(j); cap(dst)-len(dst) < n {
		dst = append(make([]byte, 0, len(dst)+max(n, len(dst)/2)), dst...)
	}
	dst = AppendIndexTime(dst, j.Ended)
	dst = appendIndexField(dst, j.ID)
	dst = appendIndexField(dst, j.Line)
	dst = appendIndexField(dst, j.Direction)
	dst = appendIndexField(dst, j.Outcome)
	dst = appendIndexField(dst, string(j.Handle))
	dst = appendIndexField(dst, j.Caller.Number)
	dst = appendIndexField(dst, j.Called.Number)
	dst = appendIndexField(dst, j.Connected.Number)
	return appendIndexField(dst, j.AnsweredBy.Number)
}

// appendIndexField appends sep and f without its control characters. The common field has
// none: its bytes are tested and copied 8 at a time in one pass (the last word overlapping the
// one before), rather than tested and then copied by a call of memmove.
func appendIndexField(dst []byte, f string) []byte {
	n, at := len(f), len(dst)
	if cap(dst)-at < n+1 {
		dst = append(make([]byte, 0, 2*cap(dst)+n+1), dst...)
	}
	dst = dst[:at+1+n]
	dst[at] = sep[0]
	d := dst[at+1:]
	if n < 8 {
		for i := 0; i < n; i++ {
			c := f[i]
			if c < ' ' || c >= 0x80 {
				return appendMapped(dst[:at+1], f)
			}
			d[i] = c
		}
		return dst
	}
	for i := 0; i+8 <= n; i += 8 {
		x := wordbytes.Load8(f[i:])
		if !plainWord(x) {
			return appendMapped(dst[:at+1], f)
		}
		binary.LittleEndian.PutUint64(d[i:], x)
	}
	x := wordbytes.Load8(f[n-8:])
	if !plainWord(x) {
		return appendMapped(dst[:at+1], f)
	}
	binary.LittleEndian.PutUint64(d[n-8:], x)
	return dst
}

// appendMapped appends f without its control characters (and invalid UTF-8 as U+FFFD), as
// the index always wrote its fields.
func appendMapped(dst []byte, f string) []byte { return append(dst, strings.Map(noControl, f)...) }

// plainWord reports whether each byte of x is in ' '..0x7f. A byte below ' ' sets its high bit
// in the difference, unless a borrow from a lower byte did it: a lower byte below ' ' itself.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	return (x|(x-' '*ones))&highs == 0
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
	ms := uint64(max(t.UnixMilli(), 0))
	if ms >= 1e13 { // after the year 2286: more digits than the key's width
		return strconv.AppendUint(dst, ms, 10)
	}
	// Two digits at a time from the low end; the first of the 13 alone.
	var digits [msKeyLen + 1]byte
	for i := msKeyLen - 1; i > 0; i -= 2 {
		k := ms % 100 * 2
		digits[i], digits[i+1] = wordbytes.DigitPairs[k], wordbytes.DigitPairs[k+1]
		ms /= 100
	}
	digits[1] = byte('0' + ms)
	return append(dst, digits[1:]...)
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
