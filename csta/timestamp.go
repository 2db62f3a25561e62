package csta

import (
	"strings"
	"time"
)

// securityTimestamp reads <security><timestamp> of an <extensions> element (CSTACommonArguments:
// security, then privateData). ECMA-269 types the timestamp as a GeneralizedTime; XML
// switches may write it as xsd:dateTime instead, so both are read. Anything else is ignored:
// the stamp is informational and never a reason to refuse an event.
func init() {
	internNames("security", "timestamp")
	for _, ed := range []Edition{Ed2, Ed3, Ed4, Ed5, Ed6} {
		internNames(ed.Namespace())
	}
	internNames(NamespaceACSE)
}

func (d *xdoc) securityTimestamp(ext int32) time.Time {
	sec := d.child(ext, "security")
	if sec < 0 {
		return time.Time{}
	}
	ts := d.child(sec, "timestamp")
	if ts < 0 {
		return time.Time{}
	}
	t, _ := ParseTimestamp(d.textOf(ts))
	return t
}

// Layouts of a CSTA timestamp: xsd:dateTime, then ASN.1 GeneralizedTime with and without
// fractions and zone (a GeneralizedTime without a zone is local time at the switch, which the
// bridge cannot know: it is read as UTC).
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"20060102150405.999999999Z0700",
	"20060102150405Z0700",
	"20060102150405.999999999",
	"20060102150405",
}

// ParseTimestamp reads a CSTA timestamp (xsd:dateTime or GeneralizedTime).
func ParseTimestamp(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if strings.HasSuffix(s, "Z") && !strings.Contains(s, "T") {
		s = s[:len(s)-1] + "+0000" // GeneralizedTime's Z for Go's Z0700
	}
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// FormatTimestamp writes t as a CSTA timestamp in the xsd:dateTime form (UTC, nanoseconds).
func FormatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
