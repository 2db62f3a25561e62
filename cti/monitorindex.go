package cti

import "github.com/ctibridge/ctibridge/csta"

// monitorIndex finds the monitor an event is for by its cross-reference ID, once per CSTA
// event. An ID written as a decimal number (as many switches, and the simulator, write them)
// is also kept under that number: a lookup by number compares the keys in the map's own
// table, where one by string reads each candidate key's bytes from wherever the string lives,
// which with thousands of monitors is a cache miss per event.
//
// Switches count their IDs up (the simulator from 1000000000), so the numbers of a link's
// monitors are mostly close together: dense holds those by number - base, found by an index
// (one cache line) instead of a hash and a probe of the map's groups and slots.
type monitorIndex struct {
	byRef map[csta.MonitorCrossRefID]monitorRef // every monitor
	byNum map[uint64]monitorRef                 // the monitors whose ID is a number
	// dense covers the numbers base ... base+len(dense)-1; every monitor of byNum in that
	// range is in it. outside counts those of byNum that are not.
	base    uint64
	dense   []denseRef
	outside int
}

// denseRef is a place of monitorIndex.dense: a monitor, or none.
type denseRef struct {
	monitorRef
	set bool
}

// denseSlack bounds dense's range: at most four places per numbered monitor, plus this.
const denseSlack = 1024

func newMonitorIndex(n int) monitorIndex {
	return monitorIndex{byRef: make(map[csta.MonitorCrossRefID]monitorRef, n), byNum: make(map[uint64]monitorRef, n)}
}

func (x *monitorIndex) add(ref csta.MonitorCrossRefID, m monitorRef) {
	x.byRef[ref] = m
	if n, ok := refNumber(ref); ok {
		x.addNumber(n, m)
	}
}

func (x *monitorIndex) addNumber(n uint64, m monitorRef) {
	_, had := x.byNum[n]
	x.byNum[n] = m
	if i := n - x.base; i < uint64(len(x.dense)) { // n < base wraps around: not in range
		x.dense[i] = denseRef{m, true}
		return
	}
	if !had {
		x.outside++
	}
	lo, hi := n, n+1 // 19 digits at most: no overflow
	if len(x.dense) > 0 {
		lo, hi = min(lo, x.base), max(hi, x.base+uint64(len(x.dense)))
	}
	if hi-lo > uint64(4*len(x.byNum)+denseSlack) {
		return // too far from the others: in byNum only
	}
	if len(x.dense) > 0 && lo == x.base && x.outside == 1 {
		// The next number up, the usual case: grown in place, amortised.
		x.dense = append(x.dense, make([]denseRef, hi-lo-uint64(len(x.dense)))...)
		x.dense[n-lo] = denseRef{m, true}
		x.outside = 0
		return
	}
	x.base, x.dense, x.outside = lo, make([]denseRef, hi-lo), 0
	for k, v := range x.byNum {
		if k >= lo && k < hi {
			x.dense[k-lo] = denseRef{v, true}
		} else {
			x.outside++
		}
	}
}

func (x *monitorIndex) get(ref csta.MonitorCrossRefID) (monitorRef, bool) {
	if n, ok := refNumber(ref); ok {
		if i := n - x.base; i < uint64(len(x.dense)) {
			d := &x.dense[i]
			return d.monitorRef, d.set
		}
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
