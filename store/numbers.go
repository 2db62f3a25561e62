package store

import (
	"slices"

	"github.com/ctibridge/ctibridge/tapi"
)

// WithNumbers returns a copy of the record with f applied to every party number (the front end
// presents them in E.164, as it does the events'); the receiver's chain is not changed.
func (r JournalEntry) WithNumbers(f tapi.NumberMap) JournalEntry {
	for _, p := range []*tapi.PartyID{&r.Caller, &r.Called, &r.Connected, &r.AnsweredBy} {
		p.Number = f(p.Number)
	}
	if r.Chain != nil {
		r.Chain = slices.Clone(r.Chain)
		for i := range r.Chain {
			r.Chain[i].From.Number = f(r.Chain[i].From.Number)
			r.Chain[i].To.Number = f(r.Chain[i].To.Number)
		}
	}
	return r
}
