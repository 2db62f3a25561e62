package web

import (
	"bytes"
	"encoding/json"
	"strconv"
	"sync"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/web/internal/wsout"
)

// The event messages of log entries: encoded once per entry for all the feeds that get it.

// encode returns the event message of e with its party numbers presented (h.num).
func (h *hub) encode(e store.Entry) []byte {
	if h.num != nil {
		e.Event, e.JSON = e.Event.WithNumbers(h.num), nil
	}
	return encodeEntry(e)
}

// encodeLocked is encode under the hub's lock, which guards the hub's message blocks
// (msgBlocks): the fan-out writes each message in place in a shared block instead of
// allocating it.
func (h *hub) encodeLocked(e *store.Entry) []byte {
	if h.num != nil {
		return h.encode(*e)
	}
	if e.JSON != nil {
		return h.blocks.put(envelopeLen(e)+len(e.JSON)+1, func(b []byte) ([]byte, error) {
			return appendEnvelope(b, e, e.JSON), nil
		}, e)
	}
	if h.envHead == nil || e.PBX != h.envPBX || e.Epoch != h.envEpoch {
		h.envHead = appendEnvelopeHead(h.envHead[:0], e)
		h.envPBX, h.envEpoch = e.PBX, e.Epoch
	}
	return h.blocks.put(len(h.envHead)+maxEventLen, func(b []byte) ([]byte, error) {
		return appendMessage(b, h.envHead, e)
	}, e)
}

// encodeEntry returns the event message of e. It writes the JSON with tapi's encoder into a
// pooled buffer and copies it out at its exact size: the bytes are exactly what json.Marshal
// of the eventMsg writes (marshalEntry, which also answers for events the encoder refuses).
// The event's JSON the store made (e.JSON) is put in as it is.
func encodeEntry(e store.Entry) []byte {
	if e.JSON != nil {
		return encodeWith(nil, nil, &e)
	}
	bp := encodeBufs.Get().(*[]byte)
	msg := encodeWith(bp, nil, &e)
	encodeBufs.Put(bp)
	return msg
}

// encodeWith is encodeEntry with the caller's buffer (*buf, kept for the next call unless it
// grew too large; not used when the store made the event's JSON) and, unless nil, the
// envelope's head of e made before (appendEnvelopeHead).
func encodeWith(buf *[]byte, head []byte, e *store.Entry) []byte {
	if e.JSON != nil {
		return appendEnvelope(make([]byte, 0, envelopeLen(e)+len(e.JSON)+1), e, e.JSON)
	}
	b, err := appendMessage((*buf)[:0], head, e)
	var msg []byte
	if err == nil {
		msg = bytes.Clone(b)
	}
	*buf = b[:0]
	if cap(b) > wsout.MaxIdleBuffer {
		*buf = nil
	}
	if err != nil {
		return marshalEntry(*e)
	}
	return msg
}

// appendMessage appends the event message of e, with the envelope's head made before (head,
// unless nil). On failure b holds garbage: the caller falls back to marshalEntry.
func appendMessage(b, head []byte, e *store.Entry) ([]byte, error) {
	if head == nil {
		b = appendEnvelopeHead(b, e)
	} else {
		b = append(b, head...)
	}
	b = appendEnvelopeTail(b, e, nil)
	b, err := e.Event.AppendJSON(b)
	return append(b, '}'), err
}

// appendEnvelope appends the event message of e up to its event member's value, then event
// and the closing brace when event is not nil.
func appendEnvelope(b []byte, e *store.Entry, event []byte) []byte {
	return appendEnvelopeTail(appendEnvelopeHead(b, e), e, event)
}

// appendEnvelopeHead appends the part of the envelope that entries of one PBX and epoch share
// (the hub keeps it: encodeLocked).
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

// appendEnvelopeTail appends the rest of the envelope after its head, then event and the
// closing brace when event is not nil.
func appendEnvelopeTail(b []byte, e *store.Entry, event []byte) []byte {
	if e.Offset != 0 {
		b = append(b, `,"offset":`...)
		b = strconv.AppendUint(b, e.Offset, 10)
	}
	b = append(b, `,"event":`...)
	if event != nil {
		b = append(append(b, event...), '}')
	}
	return b
}

// envelopeLen is what appendEnvelope writes before the event (more when PBX or Epoch need
// escapes, which the bridge's names and epochs do not).
func envelopeLen(e *store.Entry) int {
	n := len(`{"type":"","event":`) + len(msgEvent)
	if e.PBX != "" {
		n += len(`,"pbx":""`) + len(e.PBX)
	}
	if e.Epoch != "" {
		n += len(`,"epoch":""`) + len(e.Epoch)
	}
	if e.Offset != 0 {
		n += len(`,"offset":`)
		for v := e.Offset; v > 0; v /= 10 {
			n++
		}
	}
	return n
}

// encodeBufs are encodeEntry's buffers: it runs on the hub's goroutine and, for replays, on
// connections' goroutines.
var encodeBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// marshalEntry is encodeEntry by encoding/json.
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
