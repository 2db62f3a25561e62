package csta

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every ECMA-323 shape of a device identifier decodes to the same number, by the spec's
// element names: the subject and redirection CHOICEs, the edition 1-3 typed identifiers with
// their type-of-number elements, and the absence choices.
func TestDeviceIDChoicesDecode(t *testing.T) {
	cases := []struct {
		name, xml string
		want      DeviceID
	}{
		{"text", `<lastRedirectionDevice>202</lastRedirectionDevice>`, Device("202")},
		{"deviceIdentifier", `<lastRedirectionDevice><deviceIdentifier>202</deviceIdentifier></lastRedirectionDevice>`, Device("202")},
		{"numberDialed (OSV)", `<lastRedirectionDevice><numberDialed>N&lt;202&gt;;noa=nk</numberDialed></lastRedirectionDevice>`, Device("N<202>;noa=nk")},
		{"dialingNumber", `<lastRedirectionDevice><deviceIdentifier><dialingNumber>202</dialingNumber></deviceIdentifier></lastRedirectionDevice>`, Device("202")},
		{"deviceNumber", `<lastRedirectionDevice><deviceIdentifier><deviceNumber>202</deviceNumber></deviceIdentifier></lastRedirectionDevice>`, Device("202")},
		{"implicitPublic", `<lastRedirectionDevice><deviceIdentifier><implicitPublic>0301234567</implicitPublic></deviceIdentifier></lastRedirectionDevice>`, Device("0301234567")},
		{"explicitPublic national", `<lastRedirectionDevice><deviceIdentifier><explicitPublic><national>301234567</national></explicitPublic></deviceIdentifier></lastRedirectionDevice>`, Device("301234567")},
		{"explicitPublic international", `<lastRedirectionDevice><deviceIdentifier><explicitPublic><international>49301234567</international></explicitPublic></deviceIdentifier></lastRedirectionDevice>`, DeviceID{Raw: "49301234567", Number: "+49301234567"}},
		{"explicitPublic subscriber", `<lastRedirectionDevice><deviceIdentifier><explicitPublic><subscriber>1234567</subscriber></explicitPublic></deviceIdentifier></lastRedirectionDevice>`, Device("1234567")},
		{"implicitPrivate", `<lastRedirectionDevice><deviceIdentifier><implicitPrivate>202</implicitPrivate></deviceIdentifier></lastRedirectionDevice>`, Device("202")},
		{"explicitPrivate localNumber", `<lastRedirectionDevice><deviceIdentifier><explicitPrivate><localNumber>202</localNumber></explicitPrivate></deviceIdentifier></lastRedirectionDevice>`, Device("202")},
		{"explicitPrivate level1RegionalNumber", `<lastRedirectionDevice><deviceIdentifier><explicitPrivate><level1RegionalNumber>7202</level1RegionalNumber></explicitPrivate></deviceIdentifier></lastRedirectionDevice>`, Device("7202")},
		{"other", `<lastRedirectionDevice><deviceIdentifier><other>sip:bob@example.com</other></deviceIdentifier></lastRedirectionDevice>`, Device("sip:bob@example.com")},
		{"notKnown", `<lastRedirectionDevice><notKnown/></lastRedirectionDevice>`, DeviceID{Absent: "notKnown"}},
		{"restricted", `<lastRedirectionDevice><restricted/></lastRedirectionDevice>`, DeviceID{Absent: "restricted"}},
		{"notRequired", `<lastRedirectionDevice><notRequired/></lastRedirectionDevice>`, DeviceID{Absent: "notRequired"}},
		{"notSpecified", `<lastRedirectionDevice><notSpecified/></lastRedirectionDevice>`, DeviceID{Absent: "notSpecified"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := `<DeliveredEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4">` +
				`<monitorCrossRefID>1</monitorCrossRefID><connection><callID>C1</callID><deviceID>201</deviceID></connection>` +
				`<alertingDevice><deviceIdentifier>201</deviceIdentifier></alertingDevice>` + c.xml +
				`<cause>redirected</cause></DeliveredEvent>`
			m, err := Decode([]byte(body))
			require.NoError(t, err)
			ev, ok := m.(*DeliveredEvent)
			require.True(t, ok, "decoded %T", m)
			assert.Equal(t, c.want, ev.LastRedirectionDevice)
		})
	}
}
