package storetest

import (
	"fmt"
	"strconv"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// base is the time all fixtures derive from: UTC and without a monotonic reading, so values
// survive an encode/decode round trip unchanged.
var base = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// Line returns a line fixture on pbx with a forwarding entry, so copies of its slice matter.
func Line(pbx, ext string) tapi.Line {
	l := tapi.NewLine(pbx, ext, "Desk "+ext)
	l.Forwarding = []tapi.Forward{{Mode: tapi.LINEFORWARDMODE_BUSY, Destination: "9" + ext}}
	return l
}

// Call returns call fixture number n on line pbx/ext, with slices and times set.
func Call(pbx, ext string, n uint64) tapi.Call {
	at := base.Add(time.Duration(n) * time.Second)
	return tapi.Call{
		Handle:       tapi.CallHandle(pbx + ":" + strconv.FormatUint(n, 10)),
		Line:         tapi.LineName(pbx, ext),
		CallID:       fmt.Sprintf("C%04d", n),
		OtherCallIDs: []string{fmt.Sprintf("X%04d", n)},
		CallStatus:   tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED, ConnectedMode: tapi.LINECONNECTEDMODE_ACTIVE},
		Info: tapi.CallInfo{
			Origin: tapi.LINECALLORIGIN_INTERNAL, Reason: tapi.LINECALLREASON_DIRECT,
			Caller: tapi.PartyID{Number: ext, Flags: tapi.LINECALLPARTYID_ADDRESS},
			Called: tapi.PartyID{Number: "300", Name: "Sales", Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME},
		},
		Parties:     []string{"300"},
		Created:     at,
		StateSince:  at.Add(2 * time.Second),
		ConnectedAt: at.Add(2 * time.Second),
	}
}

// Events returns n distinct events on pbx, cycling through call, line and bridge event types.
// Each event's Detail is "<tag>#<i>", which lets tests tell events apart after a round trip.
func Events(pbx, tag string, n int) []tapi.Event {
	evs := make([]tapi.Event, n)
	for i := range evs {
		evs[i] = event(pbx, fmt.Sprintf("%s#%d", tag, i), i)
	}
	return evs
}

func event(pbx, detail string, i int) tapi.Event {
	ext := strconv.Itoa(200 + i%7)
	line := tapi.LineName(pbx, ext)
	e := tapi.Event{V: tapi.WireVersion, Time: base.Add(time.Duration(i) * time.Millisecond),
		PBX: pbx, Detail: detail}
	switch i % 4 {
	case 0:
		c := Call(pbx, ext, uint64(i+1))
		e.Type, e.Line, e.Device, e.Handle, e.Call = tapi.LineNewCall, line, tapi.LineDeviceID(line), c.Handle, &c
	case 1:
		e.Type, e.Line, e.Device = tapi.LineCallState, line, tapi.LineDeviceID(line)
		e.Handle = tapi.CallHandle(pbx + ":" + strconv.Itoa(i))
		e.CallState = &tapi.CallStatus{State: tapi.LINECALLSTATE_OFFERING, OfferingMode: tapi.LINEOFFERINGMODE_ACTIVE}
	case 2:
		e.Type, e.Line, e.Device = tapi.LineLineDevState, line, tapi.LineDeviceID(line)
		e.LineState = &tapi.LineEvent{DevState: tapi.LINEDEVSTATE_OUTOFSERVICE, Line: Line(pbx, ext)}
	default:
		e.Type = tapi.BridgeLinkStatus
		e.Link = &tapi.LinkStatus{Node: "primary", Status: "up", Address: "10.1.0.10:8800", Active: true}
	}
	return e
}

// recent is the time call records derive from: recent enough that the default history age
// (store.DefaultHistoryMaxAge) keeps them, whole seconds in UTC so they round-trip.
var recent = time.Now().UTC().Truncate(time.Second).Add(-24 * time.Hour)

// JournalEntry returns finished call number n on line, with Outcome and Direction cycling
// through their values, and a forwarding step in every fourth. Its id is unique per line
// and n.
func JournalEntry(line string, n int) store.JournalEntry {
	outcomes := []string{"answered", "missed", "busy", "failed", "abandoned"}
	started := recent.Add(time.Duration(n) * time.Minute)
	pbx, ext, _ := tapi.SplitLine(line)
	j := store.JournalEntry{
		ID:        fmt.Sprintf("R-%s-%s-%05d", pbx, ext, n),
		PBX:       pbx,
		Line:      line,
		Handle:    tapi.CallHandle(fmt.Sprintf("j:%d", n)),
		CallID:    fmt.Sprintf("J%05d", n),
		Origin:    tapi.LINECALLORIGIN_EXTERNAL,
		Reason:    tapi.LINECALLREASON_DIRECT,
		Caller:    tapi.PartyID{Number: "+4930123" + strconv.Itoa(n), Name: "Caller " + strconv.Itoa(n), Flags: tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_NAME},
		Called:    tapi.PartyID{Number: ext, Flags: tapi.LINECALLPARTYID_ADDRESS},
		Started:   started,
		Ended:     started.Add(40 * time.Second),
		Outcome:   outcomes[n%len(outcomes)],
		Direction: store.Directions[n%3],
		RingMs:    40000,
	}
	if j.Outcome == "answered" {
		j.Answered = started.Add(5 * time.Second)
		j.AnsweredBy = j.Called
		j.RingMs, j.TalkMs = 5000, 35000
	}
	if n%4 == 0 {
		j.Reason = tapi.LINECALLREASON_FWDNOANSWER
		j.Chain = []store.Redirect{{Kind: "forwarded", Reason: tapi.LINECALLREASON_FWDNOANSWER,
			From: tapi.PartyID{Number: "299", Flags: tapi.LINECALLPARTYID_ADDRESS}, To: j.Called}}
	}
	return j
}
