package memory

import (
	"encoding/binary"
	"sync"
	"time"
)

// The codec's form of a time (see codec.go): a tag, a uvarint, that is the index of the
// time's location (see locations) times timeForms plus the form of its instant:
//
//   - timeZero: seconds and nanoseconds since year 1 are both 0 (the zero Time), nothing follows;
//   - timeFixed: seconds since year 1 in 5 bytes and nanoseconds in 4, little-endian: any time
//     from year 1 to year 36,000, in 9 bytes and without a varint's loop either way;
//   - timeVarint: the seconds as a varint and the nanoseconds as a uvarint (other times).
//
// A zone written out (index inlineZone) follows the instant as its name and offset at t.
const (
	timeZero = iota
	timeFixed
	timeVarint
	timeForms = 4

	fixedSecBytes = 5
	fixedBytes    = fixedSecBytes + 4
)

// unixToInternal is time's offset of Unix seconds from seconds since year 1: the zero Time
// is at 0, and every Time's seconds fit an int64.
const unixToInternal = 62135596800

func (w *encoder) time(t time.Time) {
	var i uint64
	ok := true
	switch loc := t.Location(); loc { // the clocks' zones without a call
	case time.UTC:
	case time.Local:
		i = 1
	default:
		i, ok = w.locs.indexOf(loc)
	}
	sec, nsec := t.Unix()+unixToInternal, t.Nanosecond()
	switch {
	case sec == 0 && nsec == 0:
		w.uint(i*timeForms + timeZero)
	case uint64(sec) < 1<<(8*fixedSecBytes) && i*timeForms+timeFixed < 0x80:
		// The form below in one append (four, each storing a slice header), the tag in the
		// one byte uint writes for it.
		w.b = append(w.b, byte(i*timeForms+timeFixed), byte(sec), byte(sec>>8), byte(sec>>16),
			byte(sec>>24), byte(sec>>32), byte(nsec), byte(nsec>>8), byte(nsec>>16), byte(nsec>>24))
	case uint64(sec) < 1<<(8*fixedSecBytes):
		w.uint(i*timeForms + timeFixed)
		n := len(w.b)
		w.b = binary.LittleEndian.AppendUint64(w.b, uint64(sec))[:n+fixedSecBytes]
		w.b = binary.LittleEndian.AppendUint32(w.b, uint32(nsec))
	default:
		w.uint(i*timeForms + timeVarint)
		w.int(sec)
		w.uint(uint64(nsec))
	}
	if !ok { // the zone as it is at t, as a fixed zone
		name, offset := t.Zone()
		w.str(name)
		w.int(int64(offset))
	}
}

func (d *decoder) time() time.Time {
	tag := d.uint()
	var sec, nsec int64
	switch tag % timeForms {
	case timeZero:
	case timeFixed:
		if len(d.s)-d.i < fixedBytes {
			d.bad = true
			return time.Time{}
		}
		b := d.s[d.i : d.i+fixedBytes]
		sec = int64(b[0]) | int64(b[1])<<8 | int64(b[2])<<16 | int64(b[3])<<24 | int64(b[4])<<32
		nsec = int64(b[5]) | int64(b[6])<<8 | int64(b[7])<<16 | int64(b[8])<<24
		d.i += fixedBytes
	case timeVarint:
		sec, nsec = d.int(), int64(d.uint())
	default:
		d.bad = true
		return time.Time{}
	}
	var loc *time.Location
	if i := tag / timeForms; i == inlineZone {
		name := d.str()
		loc = time.FixedZone(name, int(d.int()))
	} else if loc = d.locs.at(i); loc == nil {
		d.bad = true
		return time.Time{}
	}
	return time.Unix(sec-unixToInternal, nsec).In(loc)
}

// locations numbers the time zones of stored times: 0 is UTC, 1 Local, 2 (inlineZone) a zone
// written out with the time, the others as they come, up to maxLocations. Beyond that (times
// parsed with numeric offsets each carry a new *time.Location), a time keeps its zone's name
// and offset at that instant and decodes in a fixed zone of them.
type locations struct {
	mu    sync.Mutex
	byLoc map[*time.Location]uint64
	all   []*time.Location
}

const (
	inlineZone   = 2
	maxLocations = 64
)

// indexOf returns loc's index; ok is false when the zone must be written out (inlineZone).
func (l *locations) indexOf(loc *time.Location) (i uint64, ok bool) {
	switch loc {
	case time.UTC:
		return 0, true
	case time.Local:
		return 1, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i, ok := l.byLoc[loc]; ok {
		return i, true
	}
	if len(l.all) == maxLocations {
		return inlineZone, false
	}
	if l.byLoc == nil {
		l.byLoc = map[*time.Location]uint64{}
	}
	l.all = append(l.all, loc)
	i = uint64(len(l.all)) + inlineZone
	l.byLoc[loc] = i
	return i, true
}

// at returns the location of index i (not inlineZone), nil when there is none.
func (l *locations) at(i uint64) *time.Location {
	switch i {
	case 0:
		return time.UTC
	case 1:
		return time.Local
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if i <= inlineZone || i-inlineZone-1 >= uint64(len(l.all)) {
		return nil
	}
	return l.all[i-inlineZone-1]
}
