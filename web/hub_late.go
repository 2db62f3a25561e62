package web

import (
	"sync/atomic"
	"time"
)

// Events reaching this instance's clients late. The owner's pipeline reports its own overload
// (cti.LinkInfo.Overload), but an instance that only follows the PBX's log never sees that
// signal, and its clients suffer as much from its own hub lagging the log (its CPU, the
// store's subscription, a large burst). So the hub also measures how late it fans entries out
// here: the age of each live burst's first entry, from the owner's receipt of the CSTA event
// (tapi.Event.Time) to now. A burst at least web.late_after (Config.LateAfter) old makes the
// PBX count as overloaded on this instance for lateHold: shedLoop probes its sessions and sheds the slowest. Clocks of
// instances differ by milliseconds under NTP; a larger skew at worst makes the probes run (a
// ping a second per session): only sessions that have not read up to their ping for
// shedBehind are shed, whatever the signal.
const lateHold = 2 * shedInterval

// lateness records the last time a live burst was fanned out late; the hub writes it, the
// shed loop reads it.
type lateness struct {
	after time.Duration // Config.LateAfter; 0 or negative: never late
	last  atomic.Int64  // unix nanoseconds of the last late burst, 0 before any
	worst atomic.Int64  // the latest burst's lateness, in nanoseconds, when it was late
}

// observe records a burst whose first entry was received by the owner at at.
func (l *lateness) observe(at, now time.Time) {
	if at.IsZero() || l.after <= 0 {
		return
	}
	if age := now.Sub(at); age >= l.after {
		l.last.Store(now.UnixNano())
		l.worst.Store(int64(age))
	}
}

// recently reports whether a burst was late within lateHold before now, and how late.
func (l *lateness) recently(now time.Time) (time.Duration, bool) {
	t := l.last.Load()
	if t == 0 || now.Sub(time.Unix(0, t)) >= lateHold {
		return 0, false
	}
	return time.Duration(l.worst.Load()), true
}
