package tapi

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/cputime"
)

// jsonStrings are the strings the random events draw from: plain ones and every kind encoding/json
// escapes (quotes, backslash, control characters, HTML characters, invalid UTF-8, U+2028/9).
var jsonStrings = []string{
	"", "hq", "hq/201", "hq:17", "+4930555123", "Anna Schmidt", "Zoë Müller 日本",
	`say "hi"`, `back\slash`, "tab\tnew\nline\rcr", "bell\bform\f", "\x00\x01\x1f\x7f",
	"<script>&amp;</script>", "line\u2028sep\u2029para", "bad\xffutf8\xc3", "\xe2\x80", "emoji 😀",
}

// jsonTimes are times of every kind the wire form meets: zero, UTC, local, odd zones, nanosecond
// precision, year 0, and then (from index jsonTimesGood) the ones time refuses to encode (years
// outside 0-9999, zone hour >= 24).
const jsonTimesGood = 8

func jsonTimes() []time.Time {
	base := time.Date(2025, 3, 17, 14, 49, 48, 0, time.UTC)
	return []time.Time{
		{}, base, base.Add(123456789), base.Add(time.Millisecond).Local(), time.Now(),
		base.In(time.FixedZone("X", -(9*3600 + 30*60))), base.In(time.FixedZone("", 5*3600+45*60+15)),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
		base.In(time.FixedZone("far", 24*3600)),
	}
}

// memberTables are the name tables of the constant types, for drawing valid members.
var memberTables = map[reflect.Type]*nameTable{
	reflect.TypeFor[CallState]():      callStateNames,
	reflect.TypeFor[CallOrigin]():     callOriginNames,
	reflect.TypeFor[CallReason]():     callReasonNames,
	reflect.TypeFor[DisconnectMode](): disconnectModeNames,
	reflect.TypeFor[BusyMode]():       busyModeNames,
	reflect.TypeFor[OfferingMode]():   offeringModeNames,
	reflect.TypeFor[ConnectedMode]():  connectedModeNames,
	reflect.TypeFor[DialToneMode]():   dialToneModeNames,
	reflect.TypeFor[DevState]():       devStateNames,
	reflect.TypeFor[AddressState]():   addressStateNames,
	reflect.TypeFor[ForwardMode]():    forwardModeNames,
	reflect.TypeFor[LineErr]():        lineErrNames,
	reflect.TypeFor[CallInfoState]():  callInfoStateNames,
	reflect.TypeFor[CallPartyID]():    callPartyIDNames,
	reflect.TypeFor[AgentState]():     agentStateNames,
}

// filler draws random values. With valid set it keeps to what the wire form can carry (members
// of the constant families, encodable times), so that whole events encode; otherwise anything.
type filler struct {
	r     *rand.Rand
	times []time.Time // the first `good` are encodable
	good  int
	valid bool
}

// fill sets v, recursively, to random values: nil or new pointers, nil, empty or short slices,
// strings from jsonStrings, numbers, constants and masks, and times from jsonTimes. Every field,
// present or added later, gets exercised.
func (f *filler) fill(v reflect.Value) {
	r := f.r
	switch v.Kind() {
	case reflect.Pointer:
		if r.IntN(4) == 0 {
			v.SetZero()
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem())
	case reflect.Slice:
		switch n := r.IntN(5); n {
		case 0:
			v.SetZero()
		default:
			v.Set(reflect.MakeSlice(v.Type(), n-1, n-1))
			for i := range n - 1 {
				f.fill(v.Index(i))
			}
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			n := len(f.times)
			if f.valid {
				n = f.good
			}
			v.Set(reflect.ValueOf(f.times[r.IntN(n)]))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				f.fill(v.Field(i))
			}
		}
	case reflect.String:
		v.SetString(jsonStrings[r.IntN(len(jsonStrings))])
	case reflect.Bool:
		v.SetBool(r.IntN(2) == 0)
	case reflect.Int, reflect.Int64, reflect.Int32:
		switch r.IntN(3) {
		case 0:
			v.SetInt(0)
		case 1:
			v.SetInt(r.Int64N(1000) - 100)
		default:
			v.SetInt(r.Int64() >> r.IntN(64))
		}
	case reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		var x uint64
		t := memberTables[v.Type()]
		switch k := r.IntN(4); {
		case k == 0:
		case t != nil && (f.valid || k < 3):
			x = uint64(t.entries[r.IntN(len(t.entries))].value)
			if t == callInfoStateNames || t == callPartyIDNames {
				x |= uint64(t.entries[r.IntN(len(t.entries))].value)
			}
		case k == 1:
			x = r.Uint64()
		default:
			x = 1 << r.IntN(32)
		}
		if v.OverflowUint(x) {
			x &= 1<<(8*v.Type().Size()) - 1
		}
		v.SetUint(x)
	}
}

// checkAppendJSON fails unless AppendJSON and json.Marshal agree on e: the same bytes, or both an
// error.
func checkAppendJSON(t *testing.T, e *Event) {
	t.Helper()
	want, werr := json.Marshal(e)
	prefix := []byte(`{"x":`)
	got, gerr := e.AppendJSON(bytes.Clone(prefix))
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("Marshal error %v, AppendJSON error %v, for %+v", werr, gerr, e)
	}
	if werr != nil {
		return
	}
	if !bytes.HasPrefix(got, prefix) {
		t.Fatalf("AppendJSON overwrote what the buffer held")
	}
	if got = got[len(prefix):]; !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON differs from json.Marshal\n got: %s\nwant: %s", got, want)
	}
	// With a cache that holds the seconds of the events before, and then this event's own.
	checkTimesMu.Lock()
	defer checkTimesMu.Unlock()
	for range 2 {
		if got, err := e.AppendJSONCached(nil, &checkTimes); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("AppendJSONCached differs from json.Marshal (%v)\n got: %s\nwant: %s", err, got, want)
		}
	}
}

// checkTimes is checkAppendJSON's time cache, kept from event to event.
var (
	checkTimes   TimeCache
	checkTimesMu sync.Mutex
)

func TestAppendJSONMatchesMarshal(t *testing.T) {
	f := &filler{r: rand.New(rand.NewPCG(1, 2)), times: jsonTimes(), good: jsonTimesGood}
	ok := 0
	n := 40000
	if testing.Short() {
		n = 4000
	}
	for i := range n {
		var e Event
		f.valid = i%8 != 0 // mostly valid: each payload adds members that must be family members
		f.fill(reflect.ValueOf(&e).Elem())
		checkAppendJSON(t, &e)
		if _, err := json.Marshal(&e); err == nil {
			ok++
		}
	}
	if ok < n/4 {
		t.Fatalf("only %d of %d random events were encodable: the comparison covers too little", ok, n)
	}
}

// TestAppendJSONValidEvents compares the events the reducer's tests and docs use: valid members
// in every field, so that every member is written.
func TestAppendJSONValidEvents(t *testing.T) {
	at := time.Date(2025, 3, 17, 14, 49, 48, 120000000, time.UTC)
	party := PartyID{Number: "+4930555123", Name: "Anna <Schmidt> & Co", Flags: LINECALLPARTYID_NAME | LINECALLPARTYID_ADDRESS}
	info := CallInfo{Origin: LINECALLORIGIN_EXTERNAL, Reason: LINECALLREASON_FWDNOANSWER, Caller: party,
		Called: PartyID{Number: "202"}, Connected: PartyID{Name: "x"}, Redirecting: PartyID{Flags: LINECALLPARTYID_UNKNOWN},
		Redirection: party, RelatedCall: "hq:3", Trunk: "T1", UserData: "u"}
	call := Call{Handle: "hq:17", Line: "hq/201", CallID: "FF00", OtherCallIDs: []string{"A", "B"},
		CallStatus: CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE,
			ConnectedMode: LINECONNECTEDMODE_ACTIVE, DisconnectMode: LINEDISCONNECTMODE_NORMAL,
			BusyMode: LINEBUSYMODE_STATION, DialToneMode: LINEDIALTONEMODE_NORMAL},
		Info: info, Parties: []string{"+4930555123"}, Created: at, StateSince: at.Add(time.Second),
		ConnectedAt: at.Add(2 * time.Second)}
	conf := &Conference{Handle: ConferenceHandle("hq:17"), Parties: []PartyID{party, {Number: "203", Flags: LINECALLPARTYID_ADDRESS}}}
	confCall := call
	confCall.Conference = conf
	line := Line{Name: "hq/201", PBX: "hq", DeviceID: LineDeviceID("hq/201"), Address: "201", DisplayName: "Desk",
		InService: true, DND: true, Forwarding: []Forward{{Mode: LINEFORWARDMODE_UNCOND, Destination: "300"},
			{Mode: LINEFORWARDMODE_BUSY}}}
	base := Event{V: WireVersion, Time: at, SwitchTime: at.Add(-time.Millisecond), PBX: "hq", Line: "hq/201", Device: line.DeviceID, Handle: "hq:17",
		Detail: "why"}
	events := []Event{{}, base}
	add := func(f func(e *Event)) {
		e := base
		f(&e)
		events = append(events, e)
	}
	add(func(e *Event) { e.Type, e.Call = LineNewCall, &call })
	add(func(e *Event) { e.Type, e.Call = LineNewCall, &Call{CallStatus: CallStatus{State: LINECALLSTATE_IDLE}} })
	add(func(e *Event) { e.Type, e.CallState = LineCallState, &call.CallStatus })
	add(func(e *Event) {
		e.Type, e.CallInfo = LineCallInfo, &CallInfoEvent{Changed: LINECALLINFOSTATE_CALLID | LINECALLINFOSTATE_CALLERID,
			CallID: "FF01", Info: info}
	})
	add(func(e *Event) { e.Type, e.CallInfo = LineCallInfo, &CallInfoEvent{} })
	add(func(e *Event) {
		e.Type, e.LineState = LineLineDevState, &LineEvent{DevState: LINEDEVSTATE_OUTOFSERVICE, AddressState: LINEADDRESSSTATE_FORWARD, Line: line}
	})
	add(func(e *Event) {
		e.Type, e.Reply = LineReply, &Reply{RequestID: 7, Result: LINEERR_INVALCALLHANDLE, Handle: "hq:1", Error: "no",
			CSTACategory: "stateIncompatibility", CSTAValue: "invalidObjectState"}
	})
	add(func(e *Event) { e.Type, e.Reply = LineReply, &Reply{} })
	add(func(e *Event) {
		e.Type, e.Link = BridgeLinkStatus, &LinkStatus{Node: "primary", Status: "up", Address: "10.0.0.1:1", Active: true, Reason: "r"}
	})
	add(func(e *Event) { e.Type, e.Link = BridgeLinkStatus, &LinkStatus{} })
	add(func(e *Event) {
		e.Type, e.Switch = BridgeSwitchover, &Switchover{From: "primary", To: "standby", Reason: "down", Forced: true}
	})
	add(func(e *Event) {
		e.Type, e.Resync = BridgeResync, &Resync{Mode: "hot", Phase: "completed", Reason: "r", Started: at,
			DurationMs: 12, Lines: 3, Calls: 4, Events: 5}
	})
	add(func(e *Event) { e.Type, e.Resync = BridgeResync, &Resync{} })
	add(func(e *Event) { e.Type, e.Call = LineNewCall, &confCall })
	add(func(e *Event) { e.Type, e.Conference = LineConference, conf })
	add(func(e *Event) { e.Type = LineConference }) // no longer a conference: "conference":null
	add(func(e *Event) { e.Type, e.Conference = LineConference, &Conference{Handle: "hq:17.conf"} })
	for i := range events {
		checkAppendJSON(t, &events[i])
		if _, err := json.Marshal(&events[i]); err != nil && i > 0 {
			t.Fatalf("event %d: fixture not encodable: %v", i, err)
		}
	}
}

func TestAppendJSONStringMatchesMarshal(t *testing.T) {
	for _, s := range append(jsonStrings, "\u2027\u202a", string([]byte{0xf0, 0x9f, 0x98})) {
		want, _ := json.Marshal(s)
		if got := AppendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendJSONString(%q) = %s, want %s", s, got, want)
		}
	}
}

// FuzzAppendJSON drives the random events from the fuzzer's seed and strings.
func FuzzAppendJSON(f *testing.F) {
	f.Add(uint64(1), "hq/201", "x")
	f.Add(uint64(2), "<&>", "\xff")
	f.Fuzz(func(t *testing.T, seed uint64, s1, s2 string) {
		f := &filler{r: rand.New(rand.NewPCG(seed, seed>>1)), times: jsonTimes(), good: jsonTimesGood, valid: seed%2 == 0}
		var e Event
		f.fill(reflect.ValueOf(&e).Elem())
		e.Line, e.Detail = s1, s2
		if e.Call != nil {
			e.Call.Parties = append(e.Call.Parties, s1+s2)
		}
		checkAppendJSON(t, &e)
	})
}

func BenchmarkEventJSON(b *testing.B) {
	at := time.Date(2025, 3, 17, 14, 49, 48, 120000000, time.Local)
	call := Call{Handle: "hq:17", Line: "hq/201", CallID: "FF00010000000000EC6114647E570000",
		CallStatus: CallStatus{State: LINECALLSTATE_OFFERING, OfferingMode: LINEOFFERINGMODE_ACTIVE},
		Info: CallInfo{Origin: LINECALLORIGIN_INTERNAL, Reason: LINECALLREASON_DIRECT,
			Caller: PartyID{Number: "10001", Flags: LINECALLPARTYID_ADDRESS},
			Called: PartyID{Number: "10002", Flags: LINECALLPARTYID_ADDRESS}},
		Parties: []string{"10001"}, Created: at, StateSince: at}
	e := Event{V: WireVersion, Type: LineNewCall, Time: at, PBX: "hq", Line: "hq/201", Device: 1696530100,
		Handle: "hq:17", Call: &call}
	b.Run("Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AppendJSON", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		cpu0 := cputime.Process()
		for b.Loop() {
			var err error
			if buf, err = e.AppendJSON(buf[:0]); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op")
	})
}

// TestConferenceWire pins the wire form of LINE_CONFERENCE and of a call's conference: the
// member is null when the call stopped being a conference, and both forms decode back.
func TestConferenceWire(t *testing.T) {
	at := time.Date(2025, 3, 17, 14, 55, 0, 0, time.UTC)
	conf := &Conference{Handle: ConferenceHandle("hq:17"), Parties: []PartyID{
		{Number: "202", Name: "Bob", Flags: LINECALLPARTYID_ADDRESS | LINECALLPARTYID_NAME},
		{Number: "203", Flags: LINECALLPARTYID_ADDRESS}}}
	e := Event{V: WireVersion, Type: LineConference, Time: at, PBX: "hq", Line: "hq/201",
		Device: LineDeviceID("hq/201"), Handle: "hq:17", Conference: conf}
	want := `{"v":1,"type":"LINE_CONFERENCE","time":"2025-03-17T14:55:00Z","pbx":"hq","line":"hq/201",` +
		`"deviceId":1696530100,"handle":"hq:17","conference":{"handle":"hq:17.conf","parties":[` +
		`{"number":"202","name":"Bob","flags":["LINECALLPARTYID_NAME","LINECALLPARTYID_ADDRESS"]},` +
		`{"number":"203","flags":["LINECALLPARTYID_ADDRESS"]}]}}`
	for i, ev := range []Event{e, {V: WireVersion, Type: LineConference, Time: at, PBX: "hq", Line: "hq/201",
		Device: LineDeviceID("hq/201"), Handle: "hq:17"}} {
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && string(b) != want {
			t.Errorf("wire form\n got: %s\nwant: %s", b, want)
		}
		if i == 1 && !bytes.HasSuffix(b, []byte(`"handle":"hq:17","conference":null}`)) {
			t.Errorf("ended conference: %s", b)
		}
		back, err := DecodeEventStrict(b)
		if err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if !back.Conference.Equal(ev.Conference) || back.Type != LineConference {
			t.Errorf("round trip: %+v, want %+v", back.Conference, ev.Conference)
		}
		checkAppendJSON(t, &ev)
	}
	c := Call{Handle: "hq:17", Line: "hq/201", CallID: "C1", CallStatus: CallStatus{State: LINECALLSTATE_CONFERENCED},
		Parties: []string{"202", "203"}, Conference: conf, Created: at, StateSince: at}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back Call
	if err := json.Unmarshal(b, &back); err != nil || !back.Conference.Equal(conf) {
		t.Fatalf("call round trip: %v %+v\n%s", err, back.Conference, b)
	}
	d := c.Clone()
	d.Conference.Parties[0].Number = "x"
	if c.Conference.Parties[0].Number != "202" {
		t.Error("Clone shares the conference's parties")
	}
	if h, ok := ConferenceCall(ConferenceHandle("hq:17")); !ok || h != "hq:17" || HandleNumber(ConferenceHandle("hq:17")) != 0 {
		t.Errorf("ConferenceCall: %q %v", h, ok)
	}
	if _, ok := ConferenceCall("hq:17"); ok {
		t.Error("a call handle taken for a conference handle")
	}
}

// TestAppendTimeJSON holds the wire encoder's time formatting to time.Time's MarshalJSON:
// random instants over years -2 to 10001 (and the edges of its range) in UTC, the local zone,
// zones with DST and fixed zones of odd, negative and too large offsets, each with whole and
// fractional seconds.
func TestAppendTimeJSON(t *testing.T) {
	zones := []*time.Location{time.UTC, time.Local, time.FixedZone("X", -(9*3600 + 30*60)),
		time.FixedZone("", 5*3600+45*60+15), time.FixedZone("", -30), time.FixedZone("", 59),
		time.FixedZone("", 23*3600+59*60+59), time.FixedZone("", -(24 * 3600)), time.FixedZone("", 24*3600),
		time.FixedZone("", 100*3600)}
	for _, name := range []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Asia/Kathmandu"} {
		if l, err := time.LoadLocation(name); err == nil {
			zones = append(zones, l)
		}
	}
	r := rand.New(rand.NewPCG(7, 11))
	lo := time.Date(-2, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	hi := time.Date(10002, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	instants := []time.Time{{}, time.Unix(0, 0), time.Unix(-1, 999999999), time.Unix(1<<62, 0),
		time.Unix(-1<<62, 0), time.Unix(minTimeJSON, 0), time.Unix(maxTimeJSON, 0),
		time.Unix(minTimeJSON-1, 0), time.Unix(maxTimeJSON+1, 0),
		time.Date(0, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(2000, 2, 29, 12, 0, 0, 1, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 100, time.UTC)}
	for range 50000 {
		ns := int64(0)
		switch r.IntN(3) {
		case 1:
			ns = r.Int64N(1e9)
		case 2:
			ns = r.Int64N(1000) * 1e6
		}
		instants = append(instants, time.Unix(lo+r.Int64N(hi-lo), ns))
	}
	for i, at := range instants {
		for _, z := range zones {
			tz := at.In(z)
			if i%7 == 0 {
				tz = tz.Round(0).Add(0) // also the monotonic-free form
			}
			want, werr := tz.MarshalJSON()
			got, ok := appendTimeJSON([]byte("x"), tz, nil)
			if !ok {
				if werr == nil && tz.Year() >= 0 && tz.Year() <= 9999 {
					t.Fatalf("%v (%s): refused, MarshalJSON gives %s", tz, z, want)
				}
				if string(got) != "x" {
					t.Fatalf("%v: refused but wrote %q", tz, got)
				}
				continue
			}
			if werr != nil || string(got[1:]) != string(want) {
				t.Fatalf("%v (%s): got %s, MarshalJSON gives %s (%v)", tz, z, got[1:], want, werr)
			}
		}
	}
}

// TestSafe8 holds the 8-byte test of appendJSONString to the byte table: every byte value at
// every position among safe bytes, and random words; then whole strings against Marshal with
// each byte value at each position of a 20-byte string.
func TestSafe8(t *testing.T) {
	for c := range 256 {
		for p := range 8 {
			w := []byte("abcdefgh")
			w[p] = byte(c)
			if got := safe8(string(w)); got != jsonSafe[c] {
				t.Fatalf("safe8(%q) = %v, want %v", w, got, jsonSafe[c])
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 9))
	for range 200000 {
		var w [8]byte
		want := true
		for i := range w {
			w[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				w[i] = byte(0x20 + r.IntN(0x60)) // mostly printable ASCII
			}
			want = want && jsonSafe[w[i]]
		}
		if got := safe8(string(w[:])); got != want {
			t.Fatalf("safe8(%q) = %v, want %v", w, got, want)
		}
	}
	for c := range 256 {
		for p := range 20 {
			w := []byte("hq/201 Anna Schmidt!")
			w[p] = byte(c)
			want, _ := json.Marshal(string(w))
			if got := AppendJSONString(nil, string(w)); !bytes.Equal(got, want) {
				t.Fatalf("AppendJSONString(%q) = %s, want %s", w, got, want)
			}
		}
	}
}

// TestAppendJSONRepeatedTimes covers the copy of a time equal to the one written before it
// (jsonWriter.time): the same time again, the same instant in other representations (another
// zone, a monotonic reading), and a time that fails after one that was copied.
func TestAppendJSONRepeatedTimes(t *testing.T) {
	now := time.Now() // with a monotonic reading
	at := now.Round(0)
	east := at.In(time.FixedZone("E", 5*3600+1800))
	for _, ts := range [][3]time.Time{
		{at, at, at}, {now, at, now}, {at, east, at}, {east, east, at},
		{at, at, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		c := Call{Handle: "hq:1", Line: "hq/201", CallStatus: CallStatus{State: LINECALLSTATE_OFFERING},
			Created: ts[1], StateSince: ts[2], ConnectedAt: ts[2]}
		checkAppendJSON(t, &Event{V: WireVersion, Type: LineNewCall, Time: ts[0], Call: &c})
	}
}
