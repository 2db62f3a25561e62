package memory

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// historyModel is the call history as the store kept it before the records were packed in
// segments: members in order, each with its encoding, and the newest member of each call.
type historyModel struct {
	members  []string
	enc      map[string]string
	byHandle map[tapi.CallHandle]string
}

func (m *historyModel) put(member string, enc []byte, handle tapi.CallHandle) {
	m.byHandle[handle] = member
	if _, ok := m.enc[member]; !ok {
		i, _ := slices.BinarySearch(m.members, member)
		m.members = slices.Insert(m.members, i, member)
	}
	m.enc[member] = string(enc)
}

func (m *historyModel) trim(maxRecords int, cutoff string) {
	for len(m.members) > 0 && (len(m.members) > maxRecords || m.members[0] < cutoff) {
		r := m.members[0]
		if hd := tapi.CallHandle(store.IndexHandle(r)); m.byHandle[hd] == r {
			delete(m.byHandle, hd)
		}
		delete(m.enc, r)
		m.members = m.members[1:]
	}
}

// The packed history keeps what the model keeps, in the same order, and finds the same newest
// record of each call: with records out of order, written again, trimmed by count and by age,
// big ones, and handle hashes made to collide (a hash space of 8).
func TestHistoryMatchesModel(t *testing.T) {
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { checkHistoryModel(t, seed) })
	}
}

func checkHistoryModel(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 7))
	var h history
	m := historyModel{enc: map[string]string{}, byHandle: map[tapi.CallHandle]string{}}
	handles := 40 + r.IntN(200)
	hashes := uint64(1 << 63)
	if seed%2 == 1 {
		hashes = 8
	}
	maxRecords := 20 + r.IntN(300)
	clock := int64(1_000_000)
	var written []string // members written, for retries
	for step := range 5000 {
		clock += int64(r.IntN(1000))
		member, enc, handle := "", []byte(nil), tapi.CallHandle("")
		if len(written) > 0 && r.IntN(10) == 0 { // a retried write of a record, maybe changed
			member = written[r.IntN(len(written))]
			handle = tapi.CallHandle(store.IndexHandle(member))
		} else {
			at := clock
			switch r.IntN(20) {
			case 0:
				at -= int64(r.IntN(100_000)) // out of order
			case 1:
				at += int64(r.IntN(10_000_000)) // dated ahead: pins its segment
			}
			handle = tapi.CallHandle(fmt.Sprintf("h%d", r.IntN(handles)))
			member = fmt.Sprintf("%013d\x1fR%d\x1fhq/1\x1fin\x1fanswered\x1f%s\x1f", at, step, handle)
			written = append(written, member)
		}
		enc = []byte(strings.Repeat(fmt.Sprint(step%10), 100+r.IntN(400)))
		if r.IntN(500) == 0 {
			enc = make([]byte, segmentSize+r.IntN(segmentSize)) // larger than a segment
		}
		h.put([]byte(member), enc, handle, handleHash(handle)%hashes)
		m.put(member, enc, handle)
		cutoff := fmt.Sprintf("%013d", clock-int64(r.IntN(2_000_000)))
		h.trim(maxRecords, []byte(cutoff))
		m.trim(maxRecords, cutoff)
		if step%97 == 0 || step == 4999 {
			compareHistory(t, &h, &m, handles, hashes)
		}
	}
}

func compareHistory(t *testing.T, h *history, m *historyModel, handles int, hashes uint64) {
	t.Helper()
	live := h.live()
	if len(live) != len(m.members) {
		t.Fatalf("%d records, model %d", len(live), len(m.members))
	}
	bytes := 0
	for i, r := range live {
		if got := string(h.member(r.histLoc)); got != m.members[i] {
			t.Fatalf("record %d is %q, model %q", i, got, m.members[i])
		}
		if string(h.coded(r.histLoc)) != m.enc[m.members[i]] {
			t.Fatalf("record %d (%q) has other bytes than the model", i, m.members[i])
		}
		bytes += int(r.member + r.coded)
	}
	for k := range handles {
		hd := tapi.CallHandle(fmt.Sprintf("h%d", k))
		want, ok := m.byHandle[hd]
		l, found := h.newestHashed(hd, handleHash(hd)%hashes)
		if found != ok || found && string(h.member(l)) != want {
			t.Fatalf("newest record of %s: %v %q, model %v %q", hd, found, h.member(l), ok, want)
		}
	}
	if h.bytes != bytes {
		t.Fatalf("history counts %d bytes, its records have %d", h.bytes, bytes)
	}
	if limit := 2*bytes + 5*segmentSize + 2*segmentSize; h.segs.held > limit {
		t.Fatalf("%d bytes of segments held for %d bytes of records", h.segs.held, bytes)
	}
	var counted int32
	for _, n := range h.segs.live {
		counted += n
	}
	if int(counted) != len(live) {
		t.Fatalf("segments count %d records, the history has %d", counted, len(live))
	}
}

// The history holds no object per record: 20,000 records add a few dozen objects (segments,
// the index's arrays, the handle map's groups), not the several per record of a slice of
// strings and a map keyed by them.
func TestHistoryHoldsNoObjectPerRecord(t *testing.T) {
	const n = 20000
	members := make([][]byte, n)
	handles := make([]tapi.CallHandle, n)
	for i := range members {
		handles[i] = tapi.CallHandle(fmt.Sprintf("h%d", i))
		members[i] = fmt.Appendf(nil, "%013d\x1fR%d\x1fhq/1\x1fin\x1fanswered\x1f%s\x1f", 1_000_000+i, i, handles[i])
	}
	enc := []byte(strings.Repeat("x", 300))
	var h history
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	for i := range members {
		h.put(members[i], enc, handles[i], handleHash(handles[i]))
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	if grew := int64(m1.HeapObjects) - int64(m0.HeapObjects); grew > n/20 {
		t.Fatalf("%d records added %d heap objects", n, grew)
	}
	t.Logf("%d records: %d heap objects more", n, int64(m1.HeapObjects)-int64(m0.HeapObjects))
	if l, ok := h.newest(handles[n/2]); !ok || string(h.member(l)) != string(members[n/2]) {
		t.Fatal("newest record of a call not found")
	}
	runtime.KeepAlive(members)
	runtime.KeepAlive(handles)
}
