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
// each, and keeps the envelope's head of the PBX and epoch it saw last. One goroutine at a
// time uses one: the hub's fan-out under the hub's lock (hub.msgs), or a replay its own.
type msgWriter struct {
	blocks msgBlocks
	// head is the envelope's head of the entries of PBX pbx and epoch epoch.
	head       []byte
	pbx, epoch string
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
	if e.JSON != nil {
		return w.blocks.put(envelopeLen(e)+len(e.JSON)+1, func(b []byte) ([]byte, error) {
			return appendEnvelope(b, e, e.JSON), nil
		}, e)
	}
	if w.head == nil || e.PBX != w.pbx || e.Epoch != w.epoch {
		w.head = appendEnvelopeHead(w.head[:0], e)
		w.pbx, w.epoch = e.PBX, e.Epoch
	}
	return w.blocks.put(len(w.head)+maxEventLen, func(b []byte) ([]byte, error) {
		return appendMessage(b, w.head, e, &w.times)
	}, e)
}

// appendMessage appends the event message of e after the envelope's head made before
// (appendEnvelopeHead), with the writer's time cache. On failure b holds garbage: the caller
// falls back to marshalEntry.
func appendMessage(b, head []byte, e *store.Entry, times *tapi.TimeCache) ([]byte, error) {
	b = appendEnvelopeTail(append(b, head...), e, nil)
	b, err := e.Event.AppendJSONCached(b, times)
	return append(b, '}'), err
}

// appendEnvelope appends the event message of e up to its event member's value, then event
// and the closing brace when event is not nil.
func appendEnvelope(b []byte, e *store.Entry, event []byte) []byte {
	return appendEnvelopeTail(appendEnvelopeHead(b, e), e, event)
}

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
