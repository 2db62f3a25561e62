package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// wireEvent is what the bench needs of one "event" message. Reading it by scanning, instead of
// decoding the whole tapi.Event, keeps 10,000 clients cheap: the bench must not be the
// bottleneck it measures.
type wireEvent struct {
	Epoch  string
	Offset uint64
	Type   string // tapi event type
	Line   string // "" for line-less BRIDGE_* events
	Time   time.Time
	// SwitchTime is the simulator's send time of the CSTA event, which the bridge passes on
	// (zero when absent).
	SwitchTime time.Time
}

var (
	eventPrefix = []byte(`{"type":"event"`)
	eventKey    = []byte(`"event":{`)
)

// isEventMsg reports whether a server message is an "event" (the server encodes type first).
func isEventMsg(b []byte) bool { return bytes.HasPrefix(b, eventPrefix) }

// scanEvent extracts the envelope fields of an event message. The envelope of tapi.Event comes
// before its payload, so the first "type", "time" and "line" after "event":{ are the event's.
func scanEvent(b []byte) (wireEvent, error) {
	var ev wireEvent
	i := bytes.Index(b, eventKey)
	if i < 0 {
		return ev, errors.New("event message without an event object")
	}
	outer, inner := b[:i], b[i+len(eventKey)-1:]
	var ok bool
	if ev.Epoch, ok = strField(outer, "epoch"); !ok {
		return ev, errors.New("event message without epoch")
	}
	off, ok := uintField(outer, "offset")
	if !ok {
		return ev, errors.New("event message without offset")
	}
	ev.Offset = off
	if ev.Type, ok = strField(inner, "type"); !ok {
		return ev, errors.New("event without type")
	}
	ts, ok := strField(inner, "time")
	if !ok {
		return ev, errors.New("event without time")
	}
	t, err := time.Parse(time.RFC3339Nano, ts)
	if err != nil {
		return ev, fmt.Errorf("event time %q: %w", ts, err)
	}
	ev.Time = t
	if st, ok := strField(inner, "switchTime"); ok {
		if ev.SwitchTime, err = time.Parse(time.RFC3339Nano, st); err != nil {
			return ev, fmt.Errorf("event switchTime %q: %w", st, err)
		}
	}
	ev.Line, _ = strField(inner, "line")
	return ev, nil
}

// strField finds "key":"value" and returns value; values with escapes are refused (none of the
// fields read here may contain any).
func strField(b []byte, key string) (string, bool) {
	pat := make([]byte, 0, len(key)+5)
	pat = append(append(append(pat, '"'), key...), `":"`...)
	i := bytes.Index(b, pat)
	if i < 0 {
		return "", false
	}
	rest := b[i+len(pat):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || bytes.IndexByte(rest[:j], '\\') >= 0 {
		return "", false
	}
	return string(rest[:j]), true
}

// uintField finds "key":digits.
func uintField(b []byte, key string) (uint64, bool) {
	pat := make([]byte, 0, len(key)+3)
	pat = append(append(append(pat, '"'), key...), `":`...)
	i := bytes.Index(b, pat)
	if i < 0 {
		return 0, false
	}
	rest := b[i+len(pat):]
	j := 0
	for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
		j++
	}
	n, err := strconv.ParseUint(string(rest[:j]), 10, 64)
	return n, err == nil
}
