package store

import (
	"strconv"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// AppendJSON appends the JSON form of j to b: byte for byte what json.Marshal writes for *j
// (field order, omitempty and omitzero, tapi.h names, HTML-safe strings, RFC 3339 times),
// without reflection: the Redis store writes one record per ended call. It fails where
// Marshal fails (a constant that is not a member of its family, a time outside year
// 0-9999); the caller may then use Marshal for its error. TestJournalAppendJSONMatchesMarshal
// pins it.
func (j *JournalEntry) AppendJSON(b []byte) ([]byte, error) {
	w := recordWriter{b: append(b, '{')}
	w.str("id", j.ID)
	w.str("pbx", j.PBX)
	w.str("line", j.Line)
	w.str("handle", string(j.Handle))
	if j.CallID != "" {
		w.str("callId", j.CallID)
	}
	if j.Origin != 0 {
		w.text("origin", j.Origin.MarshalText)
	}
	if j.Reason != 0 {
		w.text("reason", j.Reason.MarshalText)
	}
	w.party("caller", &j.Caller)
	w.party("called", &j.Called)
	w.party("connected", &j.Connected)
	w.time("started", j.Started)
	if !j.Answered.IsZero() {
		w.time("answered", j.Answered)
	}
	w.time("ended", j.Ended)
	w.str("outcome", j.Outcome)
	w.str("direction", j.Direction)
	w.party("answeredBy", &j.AnsweredBy)
	w.key("ringMs")
	w.b = strconv.AppendInt(w.b, j.RingMs, 10)
	w.key("talkMs")
	w.b = strconv.AppendInt(w.b, j.TalkMs, 10)
	if len(j.Chain) > 0 {
		w.key("chain")
		w.b = append(w.b, '[')
		for i := range j.Chain {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			r := &j.Chain[i]
			w.b = append(w.b, '{')
			w.str("kind", r.Kind)
			if r.Reason != 0 {
				w.text("reason", r.Reason.MarshalText)
			}
			w.party("from", &r.From)
			w.party("to", &r.To)
			w.b = append(w.b, '}')
		}
		w.b = append(w.b, ']')
	}
	w.b = append(w.b, '}')
	return w.b, w.err
}

// recordWriter appends a JSON object's members to b; the first failure is kept in err.
type recordWriter struct {
	b   []byte
	err error
}

// key appends `,"name":`, or `"name":` right after the object's opening brace.
func (w *recordWriter) key(name string) {
	if w.b[len(w.b)-1] != '{' {
		w.b = append(w.b, ',')
	}
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *recordWriter) str(name, v string) {
	w.key(name)
	w.b = tapi.AppendJSONString(w.b, v)
}

// text appends a constant by its MarshalText (a tapi.h name) as a JSON string.
func (w *recordWriter) text(name string, marshal func() ([]byte, error)) {
	t, err := marshal()
	if err != nil {
		w.fail(err)
		return
	}
	w.key(name)
	w.b = tapi.AppendJSONString(w.b, string(t))
}

// party appends a party member unless the party is zero (omitzero).
func (w *recordWriter) party(name string, p *tapi.PartyID) {
	if p.IsZero() {
		return
	}
	w.key(name)
	b, err := p.AppendJSON(w.b)
	if err != nil {
		w.fail(err)
		return
	}
	w.b = b
}

func (w *recordWriter) time(name string, t time.Time) {
	w.key(name)
	w.b = append(w.b, '"')
	b, err := t.AppendText(w.b)
	if err != nil {
		w.fail(err)
		return
	}
	w.b = append(b, '"')
}

func (w *recordWriter) fail(err error) {
	if w.err == nil {
		w.err = err
	}
}
