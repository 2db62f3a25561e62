package memory

import (
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// journalEntry encodes a call record (the binary form of codec.go).
func (w *encoder) journalEntry(j *store.JournalEntry) { w.record(j, j.PBX) }

// record encodes j with pbx in place of its PBX: the record as the store keeps it.
func (w *encoder) record(j *store.JournalEntry, pbx string) {
	b := appendStr(w.b, j.ID)
	b = appendStr(b, pbx)
	b = appendStr(b, j.Line)
	b = appendStr(b, string(j.Handle))
	b = appendStr(b, j.CallID)
	b = appendUint(b, uint64(j.Origin))
	b = appendUint(b, uint64(j.Reason))
	b = appendParty(b, &j.Caller)
	b = appendParty(b, &j.Called)
	w.b = appendParty(b, &j.Connected)
	w.time(j.Started)
	w.time(j.Answered)
	w.time(j.Ended)
	w.str(j.Outcome)
	w.str(j.Direction)
	w.party(&j.AnsweredBy)
	w.int(j.RingMs)
	w.int(j.TalkMs)
	if j.Chain == nil {
		w.uint(0)
		return
	}
	w.uint(uint64(len(j.Chain)) + 1)
	for i := range j.Chain {
		r := &j.Chain[i]
		w.str(r.Kind)
		w.uint(uint64(r.Reason))
		w.party(&r.From)
		w.party(&r.To)
	}
}

func (d *decoder) journalEntry(j *store.JournalEntry) {
	j.ID = d.str()
	j.PBX = d.str()
	j.Line = d.str()
	j.Handle = tapi.CallHandle(d.str())
	j.CallID = d.str()
	j.Origin = tapi.CallOrigin(d.u32())
	j.Reason = tapi.CallReason(d.u32())
	d.party(&j.Caller)
	d.party(&j.Called)
	d.party(&j.Connected)
	j.Started = d.time()
	j.Answered = d.time()
	j.Ended = d.time()
	j.Outcome = d.str()
	j.Direction = d.str()
	d.party(&j.AnsweredBy)
	j.RingMs = d.int()
	j.TalkMs = d.int()
	n := d.uint()
	if n == 0 {
		return
	}
	if n-1 > uint64(len(d.s)-d.i) { // every step takes at least a byte
		d.bad = true
		return
	}
	j.Chain = make([]store.Redirect, n-1)
	for i := range j.Chain {
		r := &j.Chain[i]
		r.Kind = d.str()
		r.Reason = tapi.CallReason(d.u32())
		d.party(&r.From)
		d.party(&r.To)
	}
}
