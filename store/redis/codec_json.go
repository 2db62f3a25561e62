package redisstore

import (
	gojson "github.com/goccy/go-json"
)

// unmarshalStored decodes JSON this package read from Redis: events (every follower decodes
// every event of the PBXs it serves, and replays decode the log), lines and calls (each
// client's subscribe loads its lines) and history records. It is goccy/go-json, a drop-in
// for encoding/json that decodes the bridge's own events in a third of the CPU with fewer
// than half the allocations (BenchmarkDecodeEvent: 9.6-10.7 against 3.1-4.3 µs). What it
// decodes was written by tapi's encoder or encoding/json; TestStoredJSONDecodesAsStdlib and
// FuzzStoredEventDecodesAsStdlib hold its results to encoding/json's on those forms.
func unmarshalStored(js []byte, v any) error {
	return gojson.Unmarshal(js, v)
}
