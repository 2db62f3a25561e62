package csta

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"
)

// fastEventVariants rewrites an encoded event in the ways switches differ and in ways the
// fast path must leave to the generic decoder; each rewrite is applied alone.
var fastEventVariants = []struct{ old, new string }{
	{"<cause>", osvTrailer + "<cause>"},
	{"><", ">\n   <"},
	{"><", ">\r\n<"},
	{"<deviceIdentifier>", "<deviceIdentifier> "},
	{"</callID>", " \t</callID>"},
	{"<callID>", "<callID><![CDATA[x]]>"},
	{"<callID>", "<callID>&#65;"},
	{"<callID>", "<callID>a&amp;b&quot;&apos;&gt;"},
	{"<callID>", "<callID>&nbsp;"},
	{"<callID>", "<callID>é"},
	{"<callID>", "<callID>]]>"},
	{"<callID>", "<callID><!-- c -->"},
	{"<callID>", "<callID><x/>"},
	{"</callID>", "<x/></callID>"},
	{"</callID>", "</callID ><callID>again</callID>"},
	{"</callID>", "</callID><deviceID><notKnown/></deviceID>"},
	{"</callID>", "</callID><staticID><deviceIdentifier>9</deviceIdentifier></staticID>"},
	{"<callID>", "<callID a=\"1\">"},
	{"<callID>", "<callID a=\"1\" a=\"2\">"},
	{"<callID>", "<callID a='1'  b = \"2\">"},
	{"<callID>", "<callID a=\"&amp;\">"},
	{"<callID>", "<callID a=\"<\">"},
	{"<callID>", "<callID a=\"1\"b=\"2\">"},
	{"<callID>", "<callID xmlns=\"urn:x\">"},
	{"<callID>", "<p:callID xmlns:p=\"urn:x\">"},
	{"</callID>", "</p:callID>"},
	{"<deviceIdentifier>", "<deviceIdentifier><explicitPublic><international>"},
	{"</deviceIdentifier>", "</international></explicitPublic></deviceIdentifier>"},
	{"<deviceIdentifier>", "<deviceIdentifier><other>x</other><notKnown/><deviceNumber>"},
	{"<deviceIdentifier>", "<deviceIdentifier><restricted></restricted>"},
	{"<deviceIdentifier>", "<deviceIdentifier/><deviceIdentifier>"},
	{"<deviceIdentifier>", "<international>"},
	{"</deviceIdentifier>", "</international>"},
	{"<deviceIdentifier>", "<explicitPublic><international>"},
	{"</deviceIdentifier>", "</international></explicitPublic>"},
	{"<deviceIdentifier>", "<deviceIdentifier>x<y/>"},
	{"<monitorCrossRefID>", "<monitorCrossRefID><y/>"},
	{"<monitorCrossRefID>", "<monitorCrossRefID/><monitorCrossRefID>"},
	{"<monitorCrossRefID>", "text<monitorCrossRefID>"},
	{"<monitorCrossRefID>", "<?pi x?><monitorCrossRefID>"},
	{"<monitorCrossRefID>", "<unknown><deep><er>1</er></deep></unknown><monitorCrossRefID>"},
	{"<timestamp>", "<timestamp> "},
	{"<timestamp>", "<timestamp>x"},
	{"<timestamp>2026-12-06T21:30:00.", "<timestamp>2026-02-30T21:30:00."},
	{"<timestamp>", "<timestamp>20261206213000Z<!-- -->"},
	{"<security>", "<security><timestamp>2026-12-06T21:30:00Z</timestamp></security><security>"},
	{"<security>", "<security><x/>"},
	{"<extensions>", "<extensions/><extensions>"},
	{"<extensions>", "<extensions><security/>"},
	{"</extensions>", "</extensions><extensions>text</extensions>"},
	{"<acdCall>", "<acdCall>1</acdCall><acdCall>"},
	{"<callCharacteristics>", "<callCharacteristics><priorityCall>true</priorityCall>"},
	{"<numberQueued>3", "<numberQueued>+3"},
	{"<numberQueued>3", "<numberQueued>x"},
	{"<numberQueued>3", "<numberQueued>1234567890"},
	{"<numberQueued>3", "<numberQueued>"},
	{"<connectionListItem>", "<other/><connectionListItem><endpoint><deviceID>1</deviceID></endpoint></connectionListItem><connectionListItem>"},
	{"<transferredConnections>", "<transferredConnections/><transferredConnections>"},
	{"<newConnection>", "<newConnection/><newConnection>"},
	{"<doNotDisturbOn>true", "<doNotDisturbOn>TRUE"},
	{"<forwardStatus>true", "<forwardStatus>0"},
	{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0" encoding="UTF-8"?>` + "\n"},
	{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0"?><!-- c -->`},
	{`<?xml version="1.0" encoding="UTF-8"?>`, "\ufeff"},
	{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml-stylesheet x?>`},
	{`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml?>`},
	{`<?xml version="1.0" encoding="UTF-8"?>`, `<!DOCTYPE x>`},
	{`" xmlns="`, `" xmlns:a="b" xmlns="`},
	{`Event xmlns=`, `Event  xmlns=`},
	{"Event>", "Event >\n"},
	{"Event>", "Event><x/>"},
	{"Event>", "EventX>"},
	{"Event>", "Event"},
}

// fastEventSeeds are the documents TestDecodeFastEventEquivalence checks and FuzzDecodeFast
// starts from: every event in every edition, and each with every variant applied.
func fastEventSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, m := range fastEventMessages() {
		for _, ed := range []Edition{Ed2, Ed3, Ed4, Ed5, Ed6} {
			b, err := Encode(nil, m, ed)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b, bytes.TrimPrefix(b, []byte(xmlDecl)))
			if ed != Ed4 {
				continue
			}
			for _, v := range fastEventVariants {
				if bytes.Contains(b, []byte(v.old)) {
					out = append(out, bytes.Replace(b, []byte(v.old), []byte(v.new), 1))
					out = append(out, bytes.ReplaceAll(b, []byte(v.old), []byte(v.new)))
				}
			}
			// prefixed elements throughout
			p := bytes.ReplaceAll(b, []byte("</"), []byte("</c:"))
			p = bytes.ReplaceAll(p, []byte("<"), []byte("<c:"))
			p = bytes.ReplaceAll(p, []byte("<c:/c:"), []byte("</c:"))
			p = bytes.ReplaceAll(p, []byte("<c:?xml"), []byte("<?xml"))
			p = bytes.Replace(p, []byte(" xmlns="), []byte(" xmlns:c="), 1)
			out = append(out, p)
			// the TransferredEvent spelling
			out = append(out, bytes.ReplaceAll(b, []byte("TransferedEvent"), []byte("TransferredEvent")))
			// cut short
			for _, n := range []int{1, 7, len(b) / 2} {
				out = append(out, b[:len(b)-n])
			}
		}
	}
	for _, pattern := range []string{"*.frame", filepath.Join("xml", "osv-*.xml")} {
		files, _ := filepath.Glob(filepath.Join("testdata", pattern))
		for _, p := range files {
			docs, err := readFrameBody(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, docs...)
		}
	}
	return out
}

func TestDecodeFastEventEquivalence(t *testing.T) {
	took := map[string]int{}
	seeds := fastEventSeeds(t)
	n := 0
	for _, data := range seeds {
		if checkFastEquivalent(t, data) {
			m, _ := decodeFast(data)
			took[m.MessageName()]++
			n++
		}
	}
	t.Logf("the fast path took %d of %d documents", n, len(seeds))
	for _, m := range fastEventMessages() {
		if took[m.MessageName()] == 0 {
			t.Errorf("no %s took the fast path", m.MessageName())
		}
	}
	// What OpenScape Voice sends must take it, or the fast path misses the real switch.
	for _, p := range []string{"osv-OriginatedEvent.frame", filepath.Join("xml", "osv-DeliveredEvent.xml"), filepath.Join("xml", "osv-ServiceInitiatedEvent.xml")} {
		docs, err := readFrameBody(filepath.Join("testdata", p))
		if err != nil {
			t.Fatal(err)
		}
		body := docs[len(docs)-1]
		if _, ok := decodeFast(body); !ok {
			t.Errorf("%s does not take the fast path", p)
		}
	}
}

// TestDecodeFastEventRefuses: what the fast path must leave to the generic decoder.
func TestDecodeFastEventRefuses(t *testing.T) {
	ev, err := Encode(nil, &HeldEvent{EventCommon: EventCommon{MonitorCrossRefID: "7"}, HeldConnection: ConnectionID{CallID: "1", DeviceID: Device("201")}}, Ed4)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []struct{ old, new string }{
		{"<callID>1", "<callID><![CDATA[1]]>"}, {"<callID>1", "<callID>&#49;"}, {"<callID>1", "<callID>1<!-- -->"},
		{"<callID>1", "<callID>\u00e91"}, {"<callID>1", "<callID>1\r"}, {"<callID>1", "<callID>1<x/>"},
		{"</HeldEvent>", "</HeldEvent><x/>"}, {"</HeldEvent>", ""}, {"<callID>1", "<callID>1]"},
	} {
		doc := bytes.Replace(ev, []byte(v.old), []byte(v.new), 1)
		if _, ok := decodeFastEvent(doc); ok {
			t.Errorf("fast path took %q", doc)
		}
	}
	if _, ok := decodeFastEvent(ev); !ok {
		t.Errorf("fast path refused %q", ev)
	}
}

// TestParseTimestampFast: the hand-written reader of the common form gives what time.Parse
// gives, and leaves everything else to it.
func TestParseTimestampFast(t *testing.T) {
	for _, s := range []string{
		"2026-12-06T21:30:00.123456789Z", "2026-12-06T21:30:00Z", "2026-12-06T21:30:00.1Z", "2024-02-29T23:59:59.999Z",
		"0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-12-06T24:00:00Z", "2026-12-06T21:60:00Z",
		"2026-12-06T21:30:60Z", "2026-12-06T21:30:00.Z", "2026-12-06T21:30:00.1234567890Z", "2026-12-06t21:30:00Z",
		"2026-12-06T21:30:00+01:00", "20261206213000Z", "2026-12-06T21:30:00,5Z", "2026-00-06T21:30:00Z", "2026-12-00T21:30:00Z",
	} {
		checkTimestampFast(t, s)
	}
}

func checkTimestampFast(t *testing.T, s string) {
	t.Helper()
	got, ok := parseTimestampFast(s)
	if !ok {
		return
	}
	want, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !got.Equal(want) || got != want {
		t.Fatalf("%q: fast %v, time.Parse %v %v", s, got, want, err)
	}
}

func FuzzParseTimestampFast(f *testing.F) {
	f.Add("2026-12-06T21:30:00.123456789Z")
	f.Add("2024-02-29T23:59:59Z")
	f.Fuzz(func(t *testing.T, s string) { checkTimestampFast(t, s) })
}
