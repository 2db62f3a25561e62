package reducer

import (
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// NameParty gives the parties of call h that have number and no name the name found for it
// (caller lookup, package lookup). With announce the change goes out as LINE_CALLINFO with
// the changed party IDs (LINECALLINFOSTATE_CALLERID, ...); without, the caller has put the
// name into the events of the same batch already and only the state follows. A call that
// ended, or whose parties no longer have that number unnamed, is left alone.
func (s *State) NameParty(h tapi.CallHandle, number, name string, announce bool, now time.Time) Result {
	c, ok := s.calls[h]
	if !ok || number == "" || name == "" {
		return Result{}
	}
	ext, _ := strings.CutPrefix(c.Line, s.PBX+"/")
	ls, ok := s.lines[ext]
	if !ok {
		return Result{}
	}
	st := &step{s: s, ls: ls, now: now}
	set := func(i *tapi.CallInfo) {
		for _, p := range []*tapi.PartyID{&i.Caller, &i.Called, &i.Connected, &i.Redirecting, &i.Redirection} {
			if p.Number == number && p.Name == "" {
				p.Name = name
				p.Flags |= tapi.LINECALLPARTYID_NAME
			}
		}
	}
	if announce {
		st.updateInfo(c, 0, set)
		return st.res
	}
	old := c.Info
	set(&c.Info)
	if c.Info != old {
		st.changed(c)
	}
	return st.res
}
