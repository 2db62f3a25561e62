package tapi

// AppendJSON appends the JSON form of c to b: byte for byte what json.Marshal writes, without
// reflection (the Redis store writes every changed call). It fails where Marshal fails; the
// caller may then use Marshal for its error. TestModelAppendJSONMatchesMarshal pins it.
func (c *Call) AppendJSON(b []byte) ([]byte, error) { return c.AppendJSONCached(b, nil) }

// AppendJSONCached is AppendJSON with the seconds of the times written kept in t (nil: none),
// as Event.AppendJSONCached: the Redis store writes a call with each of its events.
func (c *Call) AppendJSONCached(b []byte, t *TimeCache) ([]byte, error) {
	w := jsonWriter{b: b, times: t}
	w.call(c)
	return w.b, w.err
}

// AppendJSON appends the JSON form of l to b, as Call.AppendJSON does for a call.
func (l *Line) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.line(l)
	return w.b, w.err
}

// AppendJSON appends the JSON form of p to b (an object, also when p is zero), as
// Call.AppendJSON does for a call: for encoders of records that hold parties (the call
// history).
func (p *PartyID) AppendJSON(b []byte) ([]byte, error) {
	w := jsonWriter{b: b}
	w.partyObject(p)
	return w.b, w.err
}
