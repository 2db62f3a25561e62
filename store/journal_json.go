package store

import "github.com/ctibridge/ctibridge/tapi"

// AppendJSON appends the JSON form of j to b: byte for byte what json.Marshal writes for *j
// (field order, omitempty and omitzero, tapi.h names, HTML-safe strings, RFC 3339 times),
// without reflection: the Redis store writes one record per ended call. It fails where
// Marshal fails (a constant that is not a member of its family, a time outside year
// 0-9999); the caller may then use Marshal for its error. TestJournalAppendJSONMatchesMarshal
// pins it.
func (j *JournalEntry) AppendJSON(b []byte) ([]byte, error) {
	w := tapi.NewObjectWriter(b)
	w.Str("id", j.ID)
	w.Str("pbx", j.PBX)
	w.Str("line", j.Line)
	w.Str("handle", string(j.Handle))
	if j.CallID != "" {
		w.Str("callId", j.CallID)
	}
	if j.Origin != 0 {
		w.Origin("origin", j.Origin)
	}
	if j.Reason != 0 {
		w.Reason("reason", j.Reason)
	}
	w.Party("caller", &j.Caller)
	w.Party("called", &j.Called)
	w.Party("connected", &j.Connected)
	w.Time("started", j.Started)
	if !j.Answered.IsZero() {
		w.Time("answered", j.Answered)
	}
	w.Time("ended", j.Ended)
	w.Str("outcome", j.Outcome)
	w.Str("direction", j.Direction)
	w.Party("answeredBy", &j.AnsweredBy)
	w.Int("ringMs", j.RingMs)
	w.Int("talkMs", j.TalkMs)
	if len(j.Chain) > 0 {
		w.Key("chain")
		w.Raw('[')
		for i := range j.Chain {
			if i > 0 {
				w.Raw(',')
			}
			r := &j.Chain[i]
			w.Raw('{')
			w.Str("kind", r.Kind)
			if r.Reason != 0 {
				w.Reason("reason", r.Reason)
			}
			w.Party("from", &r.From)
			w.Party("to", &r.To)
			w.Raw('}')
		}
		w.Raw(']')
	}
	return w.End()
}
