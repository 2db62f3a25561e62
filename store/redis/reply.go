package redisstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Script replies arrive as nested []any of string and int64; these helpers read them with a
// specific error instead of a panic when a reply has an unexpected shape.

func replyArray(v any, min int) ([]any, error) {
	a, ok := v.([]any)
	if !ok || len(a) < min {
		return nil, fmt.Errorf("unexpected script reply %v (want an array of at least %d)", v, min)
	}
	return a, nil
}

func replyString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	}
	return "", fmt.Errorf("unexpected script reply element %v (want a string)", v)
}

func replyUint(v any) (uint64, error) {
	switch x := v.(type) {
	case int64:
		if x < 0 {
			return 0, fmt.Errorf("unexpected negative number %d in script reply", x)
		}
		return uint64(x), nil
	case string:
		n, err := strconv.ParseUint(x, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("unexpected number %q in script reply", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("unexpected script reply element %v (want a number)", v)
}

func replyInt(v any) (int64, error) {
	x, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("unexpected script reply element %v (want an integer)", v)
	}
	return x, nil
}

// streamEntryOffsets returns the offsets a log entry holds by its ID: "<last>-<first>" for a
// batch, "<offset>-0" for one event as written before batches were (field "e").
func streamEntryOffsets(id string) (first, last uint64, err error) {
	l, f, _ := strings.Cut(id, "-")
	last, err = strconv.ParseUint(l, 10, 64)
	if err == nil {
		first, err = strconv.ParseUint(f, 10, 64)
	}
	switch {
	case err != nil || first > last:
		return 0, 0, fmt.Errorf("stream entry ID %q is not \"<last offset>-<first offset>\"", id)
	case first == 0:
		first = last
	}
	return first, last, nil
}

// decodeStreamEntries turns XRANGE entries (a batch each, {"<last>-<first>", {"b", the batch
// as published}}, or an event, {"<offset>-0", {"e", event JSON}}) into the log entries after
// offset after, at most limit (0: all); events this Store wrote lately come from local
// instead of being decoded.
func decodeStreamEntries(local *localEvents, pbx, epoch string, after uint64, limit int, v any) ([]store.Entry, error) {
	raw, err := replyArray(v, 0)
	if err != nil {
		return nil, err
	}
	out := make([]store.Entry, 0, entriesAfter(raw, after, limit))
	for _, r := range raw {
		pair, err := replyArray(r, 2)
		if err != nil {
			return nil, err
		}
		id, err := replyString(pair[0])
		if err != nil {
			return nil, err
		}
		first, last, err := streamEntryOffsets(id)
		if err != nil {
			return nil, err
		}
		events, write, err := streamEntryEvents(pair[1], first, last)
		if err != nil {
			return nil, fmt.Errorf("log entry %s: %w", id, err)
		}
		for i, js := range events {
			off := first + uint64(i)
			if off <= after {
				continue
			}
			if limit > 0 && len(out) == limit {
				return out, nil
			}
			e, err := local.entry(pbx, epoch, off, js, written{write: write, first: first}, false)
			if err != nil {
				return nil, fmt.Errorf("log %w", err)
			}
			out = append(out, e)
		}
	}
	return out, nil
}

// entriesAfter returns how many entries after offset after, at most limit (0: all), the
// XRANGE entries raw hold by the last one's ID (0 if it is not one of ours).
func entriesAfter(raw []any, after uint64, limit int) int {
	if len(raw) == 0 {
		return 0
	}
	pair, ok := raw[len(raw)-1].([]any)
	if !ok || len(pair) == 0 {
		return 0
	}
	id, _ := pair[0].(string)
	_, last, err := streamEntryOffsets(id)
	if err != nil || last <= after {
		return 0
	}
	n := last - after
	if limit > 0 {
		n = min(n, uint64(limit))
	}
	return int(min(n, 1<<20))
}

// streamEntryEvents returns the events' JSON of one stream entry's fields, which must hold
// the offsets first to last, and the ID of the write that made it ("" when it names none).
func streamEntryEvents(v any, first, last uint64) ([]string, string, error) {
	fields, err := replyArray(v, 2)
	if err != nil {
		return nil, "", err
	}
	name, err := replyString(fields[0])
	if err != nil {
		return nil, "", err
	}
	text, err := replyString(fields[1])
	if err != nil {
		return nil, "", err
	}
	if name == "e" && first == last {
		return []string{text}, "", nil
	}
	p, ok := parsePublished(text)
	if name != "b" || !ok || p.first != first || uint64(p.n) != last-first+1 {
		return nil, "", fmt.Errorf("field %q does not hold offsets %d to %d", name, first, last)
	}
	return p.lines(), p.write, nil
}

// decodeEvent decodes an event's JSON and returns it with the JSON as bytes, for the
// entry's JSON (store.Entry.JSON: one copy of the text serves both). A function of its own,
// so that the entries it goes into are not moved to the heap for the decoder's pointer.
func decodeEvent(js string) (tapi.Event, []byte, error) {
	var ev tapi.Event
	raw := []byte(js)
	if err := unmarshalStored(raw, &ev); err != nil {
		return tapi.Event{}, nil, fmt.Errorf("decode event: %w", err)
	}
	return ev, raw, nil
}

// decodeEntry returns the entry at offset off of the PBX's log in epoch, decoded from its
// JSON.
func decodeEntry(pbx, epoch string, off uint64, js string) (store.Entry, error) {
	e := store.Entry{PBX: pbx, Epoch: epoch, Offset: off}
	var err error
	if e.Event, e.JSON, err = decodeEvent(js); err != nil {
		return store.Entry{}, fmt.Errorf("entry %d: %w", off, err)
	}
	return e, nil
}

// decodeJSONList decodes each JSON string of a reply array into a T.
func decodeJSONList[T any](what string, v any) ([]T, error) {
	raw, err := replyArray(v, 0)
	if err != nil {
		return nil, err
	}
	out := make([]T, 0, len(raw))
	for _, r := range raw {
		js, err := replyString(r)
		if err != nil {
			return nil, err
		}
		var x T
		if err := unmarshalStored([]byte(js), &x); err != nil {
			return nil, fmt.Errorf("decode stored %s: %w", what, err)
		}
		out = append(out, x)
	}
	return out, nil
}
