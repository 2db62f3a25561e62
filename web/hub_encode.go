package web

import (
	"encoding/json"
	"strconv"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The event messages of log entries: encoded once per entry for all the feeds that get it.

// encodeLocked returns the event message of e with its party numbers presented (h.num),
// under the hub's lock, which guards the hub's message writer.
func (h *hub) encodeLocked(e *store.Entry) []byte { return h.msgs.write(e, h.num) }

// msgWriter writes event messages in place in shared blocks (msgBlocks) instead of allocating
// each, and keeps the envelope of the entry it wrote last. One goroutine at a time uses one:
// the hub's fan-out under the hub's lock (hub.msgs), or a replay its own.
type msgWriter struct {
	blocks msgBlocks
	env    msgEnvelope
	// times keeps the JSON of the seconds of the events written last.
	times tapi.TimeCache
}

// write returns the event message of e, with its party numbers presented by num unless nil.
func (w *msgWriter) write(e *store.Entry, num tapi.NumberMap) []byte {
	if num != nil {
		n := *e
		n.Event, n.JSON = n.Event.WithNumbers(num), nil
		e = &n
	}
	env := w.env.of(e)
	if e.JSON != nil {
		b := w.blocks.room(len(env) + len(e.JSON) + 1)
		return w.blocks.keep(append(append(append(b, env...), e.JSON...), '}'))
	}
	b := w.blocks.room(w.env.head + maxEventLen) // the offset's members count in the event's room
	b, err := e.Event.AppendJSONCached(append(b, env...), &w.times)
	if err != nil {
		msg := marshalEntry(*e)
		return msg[:len(msg):len(msg)]
	}
	return w.blocks.keep(append(b, '}'))
}

// msgEnvelope is the envelope of the entry written last, up to its event member's value: the
// head that the entries of one PBX and epoch share, then the entry's offset. Entries mostly
// come one offset after another, so the offset's digits are counted up in place, instead of
// formatted anew after a copy of the head for every message.
type msgEnvelope struct {
	b          []byte
	pbx, epoch string
	offset     uint64
	head       int // len of the head in b
	digits     int // where the offset's digits start in b; 0: no offset member
}

// of returns e's envelope, valid until the next call.
func (v *msgEnvelope) of(e *store.Entry) []byte {
	switch {
	case v.b == nil || e.PBX != v.pbx || e.Epoch != v.epoch:
		v.b = appendEnvelopeHead(v.b[:0], e)
		v.pbx, v.epoch, v.head = e.PBX, e.Epoch, len(v.b)
		v.setOffset(e)
	case e.Offset == v.offset:
	case e.Offset == v.offset+1 && v.digits != 0 && e.Offset != 0 &&
		countUp(v.b[v.digits:len(v.b)-len(eventMember)]):
		v.offset++
	default:
		v.setOffset(e)
	}
	return v.b
}

// setOffset writes the part of the envelope after the head for e.
func (v *msgEnvelope) setOffset(e *store.Entry) {
	v.b = appendEnvelopeTail(v.b[:v.head], e)
	v.offset, v.digits = e.Offset, 0
	if e.Offset != 0 {
		v.digits = v.head + len(offsetMember)
	}
}

// countUp adds one to the decimal number d in place; false when it needs another digit (then
// d is garbage).
func countUp(d []byte) bool {
	for i := len(d) - 1; i >= 0; i-- {
		if d[i] != '9' {
			d[i]++
			return true
		}
		d[i] = '0'
	}
	return false
}

// The envelope's members after its head.
const (
	offsetMember = `,"offset":`
	eventMember  = `,"event":`
)

// appendEnvelopeHead appends the part of the envelope that entries of one PBX and epoch share
// (a msgWriter keeps it).
func appendEnvelopeHead(b []byte, e *store.Entry) []byte {
	b = append(b, `{"type":`...)
	b = tapi.AppendJSONString(b, msgEvent)
	if e.PBX != "" {
		b = append(b, `,"pbx":`...)
		b = tapi.AppendJSONString(b, e.PBX)
	}
	if e.Epoch != "" {
		b = append(b, `,"epoch":`...)
		b = tapi.AppendJSONString(b, e.Epoch)
	}
	return b
}

// appendEnvelopeTail appends the rest of the envelope after its head, up to the event
// member's value.
func appendEnvelopeTail(b []byte, e *store.Entry) []byte {
	if e.Offset != 0 {
		b = append(b, offsetMember...)
		b = strconv.AppendUint(b, e.Offset, 10)
	}
	return append(b, eventMember...)
}

// marshalEntry is msgWriter.write by encoding/json, for the events the encoder refuses.
func marshalEntry(e store.Entry) []byte {
	ev := e.Event
	b, err := json.Marshal(eventMsg{Type: msgEvent, PBX: e.PBX, Epoch: e.Epoch, Offset: e.Offset, Event: &ev})
	if err != nil {
		// Every event the engine produces is encodable; this is a programming error upstream.
		b, _ = json.Marshal(errorMsg{Type: msgError, Code: "internal",
			Message: "event at offset could not be encoded: " + err.Error()})
	}
	return b
}
