package cti

import "github.com/ctibridge/ctibridge/csta"

// monitorIndex finds the monitor an event is for by its cross-reference ID, once per CSTA
// event. An ID written as a decimal number (as many switches, and the simulator, write them)
// is also kept under that number: a lookup by number compares the keys in the map's own
// table, where one by string reads each candidate key's bytes from wherever the string lives,
// which with thousands of monitors is a cache miss per event.
type monitorIndex struct {
	byRef map[csta.MonitorCrossRefID]monitorRef // every monitor
	byNum map[uint64]monitorRef                 // the monitors whose ID is a number
}

func newMonitorIndex(n int) monitorIndex {
	return monitorIndex{byRef: make(map[csta.MonitorCrossRefID]monitorRef, n), byNum: make(map[uint64]monitorRef, n)}
}

func (x *monitorIndex) add(ref csta.MonitorCrossRefID, m monitorRef) {
	x.byRef[ref] = m
	if n, ok := refNumber(ref); ok {
		x.byNum[n] = m
	}
}

func (x *monitorIndex) get(ref csta.MonitorCrossRefID) (monitorRef, bool) {
	if n, ok := refNumber(ref); ok {
		m, ok := x.byNum[n]
		return m, ok
	}
	m, ok := x.byRef[ref]
	return m, ok
}

// refNumber returns the number a cross-reference ID writes: decimal digits without a leading
// zero (but "0"), at most 19 of them so that it fits. Each such ID has its own number.
func refNumber(ref csta.MonitorCrossRefID) (uint64, bool) {
	s := string(ref)
	if len(s) == 0 || len(s) > 19 || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + uint64(d)
	}
	return n, true
}
