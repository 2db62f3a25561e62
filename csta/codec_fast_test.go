package csta

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
)

// fastSeeds are documents around the fast path's shapes: what this codec writes in every
// edition, the fixtures, the fuzz corpus, and variants a switch may send (prefixes, white
// space, entities, comments, CDATA, optional elements, attributes, no declaration).
func fastSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, m := range []Message{
		&MonitorStartResponse{MonitorCrossRefID: "1000000001"},
		&MonitorStartResponse{},
		&SnapshotDeviceResponse{},
		&SnapshotDeviceResponse{Items: []SnapshotDeviceItem{{Connection: ConnectionID{CallID: "7", DeviceID: Device("201")}, States: []LocalConnectionState{StateConnected}}}},
		&MonitorStart{MonitorObject: Device("10001")},
		&MonitorStart{MonitorObject: Device("N<+4930123>;noa=nk")},
		&SnapshotDevice{SnapshotObject: Device("10001")},
		&SnapshotDevice{},
	} {
		for _, ed := range []Edition{Ed2, Ed3, Ed4, Ed5, Ed6} {
			b, err := Encode(nil, m, ed)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b, bytes.TrimPrefix(b, []byte(xmlDecl)))
		}
	}
	const ns = `http://www.ecma-international.org/standards/ecma-323/csta/ed4`
	for _, s := range []string{
		`<MonitorStartResponse><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID> 12 </monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>1&amp;2</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID><![CDATA[12]]></monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>12</monitorCrossRefID><actualMonitorMediaClass><voice>true</voice></actualMonitorMediaClass></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>1<!-- x -->2</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse>` + "\n",
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse><x/>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponseX>`,
		`<MonitorStartResponse xmlns='` + ns + `'><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="a&amp;b"><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns=""><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>12</monitorCrossRefID></MonitorStartResponse >`,
		`<csta:MonitorStartResponse xmlns:csta="` + ns + `"><csta:monitorCrossRefID>12</csta:monitorCrossRefID></csta:MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>é</monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID></monitorCrossRefID></MonitorStartResponse>`,
		`<MonitorStartResponse xmlns="` + ns + `"><monitorCrossRefID>1</monitorCrossRefID>`,
		`<MonitorStartResponse xmlns="` + ns + `"></MonitorStartResponse>`,
		`<MonitorStartResponse/>`,
		`<SnapshotDeviceResponse xmlns="` + ns + `"><crossRefIDorSnapshotData><snapshotData/></crossRefIDorSnapshotData></SnapshotDeviceResponse>`,
		`<SnapshotDeviceResponse xmlns="` + ns + `"><crossRefIDorSnapshotData><snapshotData> </snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>`,
		`<SnapshotDeviceResponse xmlns="` + ns + `"><crossRefIDorSnapshotData><snapshotData></snapshotData></crossRefIDorSnapshotData><extensions><x/></extensions></SnapshotDeviceResponse>`,
		`<SnapshotDeviceResponse xmlns="` + ns + `"><crossRefIDorSnapshotData><snapshotData></snapshotData></crossRefIDorSnapshotData></SnapshotDeviceResponse>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject typeOfNumber="dialingNumber">201</deviceObject></monitorObject></MonitorStart>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject>N&lt;201&gt;</deviceObject></monitorObject></MonitorStart>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject>+4930123</deviceObject></monitorObject><requestedMonitorFilter/></MonitorStart>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject>sip:201@pbx;user=phone</deviceObject></monitorObject></MonitorStart>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject>tel:+49-30-123</deviceObject></monitorObject></MonitorStart>`,
		`<MonitorStart xmlns="` + ns + `"><monitorObject><deviceObject>201,2</deviceObject></monitorObject></MonitorStart>`,
		`<SnapshotDevice xmlns="` + ns + `"><snapshotObject>201</snapshotObject></SnapshotDevice>`,
		`<SnapshotDevice xmlns="` + ns + `"><snapshotObject><deviceIdentifier>201</deviceIdentifier></snapshotObject></SnapshotDevice>`,
		`<SnapshotDevice xmlns="` + ns + `"><snapshotObject>N&lt;+4930123&gt;;noa=nk</snapshotObject></SnapshotDevice>`,
		`<SnapshotDevice xmlns="` + ns + `"><snapshotObject>+4930123;ext=201</snapshotObject></SnapshotDevice>`,
		`<SnapshotDevice><snapshotObject>201</snapshotObject></SnapshotDevice>`,
		`<SnapshotDeviceX><snapshotObject>201</snapshotObject></SnapshotDeviceX>`,
		"\ufeff<SnapshotDevice><snapshotObject>201</snapshotObject></SnapshotDevice>",
	} {
		out = append(out, []byte(s), []byte(xmlDecl+s))
	}
	for i := range 200 {
		ref := strconv.Itoa(i * 7919)
		out = append(out, []byte(`<MonitorStartResponse xmlns="`+ns+`"><monitorCrossRefID>`+ref+`</monitorCrossRefID></MonitorStartResponse>`))
	}
	for _, dir := range []string{filepath.Join("testdata", "xml")} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.xml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				out = append(out, b)
			}
		}
	}
	out = append(out, fastEventSeeds(t)...)
	files, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecode", "*"))
	for _, p := range files {
		if b, ok := readCorpusBytes(p); ok {
			out = append(out, b)
		}
	}
	return out
}

// readCorpusBytes reads the one []byte value of a "go test fuzz v1" corpus file.
func readCorpusBytes(path string) ([]byte, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	lines := bytes.SplitN(raw, []byte("\n"), 3)
	if len(lines) < 2 || !bytes.HasPrefix(lines[1], []byte("[]byte(")) {
		return nil, false
	}
	lit := bytes.TrimSuffix(bytes.TrimPrefix(bytes.TrimSpace(lines[1]), []byte("[]byte(")), []byte(")"))
	s, err := strconv.Unquote(string(lit))
	if err != nil {
		return nil, false
	}
	return []byte(s), true
}

// checkFastEquivalent fails when the fast path takes data and gives anything but what the
// generic decoder gives.
func checkFastEquivalent(t *testing.T, data []byte) (took bool) {
	t.Helper()
	fast, ok := decodeFast(data)
	if !ok {
		return false
	}
	generic, err := decodeGeneric(data)
	if err != nil {
		t.Fatalf("fast path took %q, the generic decoder rejects it: %v", data, err)
	}
	if !reflect.DeepEqual(fast, generic) {
		t.Fatalf("fast path and generic decoder differ on %q:\nfast    %#v\ngeneric %#v", data, fast, generic)
	}
	return true
}

func TestDecodeFastEquivalence(t *testing.T) {
	took := map[string]int{}
	for _, data := range fastSeeds(t) {
		if checkFastEquivalent(t, data) {
			m, _ := decodeFast(data)
			took[m.MessageName()]++
		}
	}
	// The shapes this codec writes must take the fast path, or it is dead code.
	for _, name := range []string{"MonitorStartResponse", "SnapshotDeviceResponse", "MonitorStart", "SnapshotDevice"} {
		if took[name] == 0 {
			t.Errorf("no %s took the fast path", name)
		}
	}
}

func FuzzDecodeFast(f *testing.F) {
	for _, b := range fastSeeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastEquivalent(t, data)
	})
}

func BenchmarkDecodeSmallResponses(b *testing.B) {
	docs := [][]byte{}
	for _, m := range []Message{&MonitorStartResponse{MonitorCrossRefID: "1000000001"}, &SnapshotDeviceResponse{}} {
		d, _ := Encode(nil, m, Ed4)
		docs = append(docs, d)
	}
	for name, dec := range map[string]func([]byte) (Message, error){"fast": Decode, "generic": decodeGeneric} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				if _, err := dec(docs[i%2]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
