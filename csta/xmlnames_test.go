package csta

import (
	"testing"
	"unsafe"
)

// TestInternFindsEveryKnownName: each registered name comes back as the table's own string
// (no allocation), and other names come back equal.
func TestInternFindsEveryKnownName(t *testing.T) {
	n := 0
	for _, name := range nameTable {
		if name == "" {
			continue
		}
		n++
		got := intern([]byte(name))
		if got != name || unsafe.StringData(got) != unsafe.StringData(name) {
			t.Errorf("intern(%q) = %q, not the table's string", name, got)
		}
		if allocs := testing.AllocsPerRun(10, func() { _ = intern([]byte(name)) }); allocs != 0 {
			t.Errorf("intern(%q) allocates %v times", name, allocs)
		}
	}
	if n != nameTableN || n < 200 {
		t.Fatalf("%d names in the table, %d counted", n, nameTableN)
	}
	for _, other := range []string{"x", "DeliveredEvents", "deviceIdentifie", "scx", "cdrTrunkSeizureDateTime", "a:b"} {
		if got := intern([]byte(other)); got != other {
			t.Errorf("intern(%q) = %q", other, got)
		}
	}
	if intern(nil) != "" {
		t.Error("intern(nil) is not empty")
	}
}
