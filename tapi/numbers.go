package tapi

// NumberMap rewrites one party number for presentation; the front end turns the numbers a PBX
// reports into E.164 with it (web's Numbering.ToE164). It must return extensions and numbers
// it cannot read unchanged.
type NumberMap func(string) string

// All returns a new slice of f applied to each number (nil for nil).
func (f NumberMap) All(numbers []string) []string {
	if numbers == nil {
		return nil
	}
	out := make([]string, len(numbers))
	for i, n := range numbers {
		out[i] = f(n)
	}
	return out
}

// WithNumbers returns a copy of the call record with f applied to every party number;
// the receiver's slices and conference are not changed.
func (i CallInfo) WithNumbers(f NumberMap) CallInfo {
	for _, p := range []*PartyID{&i.Caller, &i.Called, &i.Connected, &i.Redirecting, &i.Redirection} {
		p.Number = f(p.Number)
	}
	return i
}

// WithNumbers returns a copy of the call with f applied to its numbers (record, parties,
// conference); the receiver is not changed.
func (c Call) WithNumbers(f NumberMap) Call {
	c.Info = c.Info.WithNumbers(f)
	c.Parties = f.All(c.Parties)
	c.Conference = c.Conference.WithNumbers(f)
	return c
}

// WithNumbers returns a copy of the conference with f applied to its parties' numbers (nil
// for nil).
func (c *Conference) WithNumbers(f NumberMap) *Conference {
	if c == nil {
		return nil
	}
	d := c.Clone()
	for i := range d.Parties {
		d.Parties[i].Number = f(d.Parties[i].Number)
	}
	return d
}

// WithNumbers returns a copy of the line with f applied to its forwarding destinations. The
// line's own address is the PBX's extension and stays.
func (l Line) WithNumbers(f NumberMap) Line {
	if l.Forwarding != nil {
		fw := make([]Forward, len(l.Forwarding))
		for i, x := range l.Forwarding {
			x.Destination = f(x.Destination)
			fw[i] = x
		}
		l.Forwarding = fw
	}
	return l
}

// WithNumbers returns a copy of the event with f applied to the numbers of its payload. Only
// payloads that carry numbers are copied; the rest are shared with the receiver, which is not
// changed (events in a store's log are shared by every reader).
func (e Event) WithNumbers(f NumberMap) Event {
	switch {
	case e.Call != nil:
		c := e.Call.WithNumbers(f)
		e.Call = &c
	case e.CallInfo != nil:
		ci := *e.CallInfo
		ci.Info = ci.Info.WithNumbers(f)
		e.CallInfo = &ci
	case e.LineState != nil:
		ls := *e.LineState
		ls.Line = ls.Line.WithNumbers(f)
		e.LineState = &ls
	case e.Conference != nil:
		e.Conference = e.Conference.WithNumbers(f)
	}
	return e
}
