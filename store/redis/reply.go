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

// streamOffset returns the offset of a stream entry ID "<offset>-0".
func streamOffset(id string) (uint64, error) {
	ms, _, _ := strings.Cut(id, "-")
	n, err := strconv.ParseUint(ms, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("stream entry ID %q is not \"<offset>-0\"", id)
	}
	return n, nil
}

// decodeStreamEntries turns XRANGE entries ({id, {"e", event JSON}}) into log entries; events
// this Store wrote lately come from local instead of being decoded.
func decodeStreamEntries(local *localEvents, pbx, epoch string, v any) ([]store.Entry, error) {
	raw, err := replyArray(v, 0)
	if err != nil {
		return nil, err
	}
	out := make([]store.Entry, 0, len(raw))
	for _, r := range raw {
		pair, err := replyArray(r, 2)
		if err != nil {
			return nil, err
		}
		id, err := replyString(pair[0])
		if err != nil {
			return nil, err
		}
		off, err := streamOffset(id)
		if err != nil {
			return nil, err
		}
		fields, err := replyArray(pair[1], 2)
		if err != nil {
			return nil, err
		}
		js, err := replyString(fields[1])
		if err != nil {
			return nil, err
		}
		e := store.Entry{PBX: pbx, Epoch: epoch, Offset: off}
		if !local.get(pbx, epoch, off, js, false, &e) { // else written by this Store
			if e.Event, e.JSON, err = decodeEvent(js); err != nil {
				return nil, fmt.Errorf("log entry %d: %w", off, err)
			}
		}
		out = append(out, e)
	}
	return out, nil
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
