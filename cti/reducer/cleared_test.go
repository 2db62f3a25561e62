package reducer

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// tagTwins are IDs of one length whose last four bytes are the same: their tags are equal,
// so only their bytes tell them apart.
func tagTwins(n int) []string {
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("%02dWXYZ", i))
	}
	return ids
}

// TestClearedRing: the ring holds what a list of its last clearedMemory IDs holds, with
// forgotten IDs dropped, for IDs whose tags collide and IDs of one length that differ only
// at the end.
func TestClearedRing(t *testing.T) {
	ids := append(tagTwins(6), "", "1", "12", "123", "1234", "01234")
	for i := range 10 {
		ids = append(ids, fmt.Sprintf("%032x", i))
	}
	require.Equal(t, ringTag(ids[0]), ringTag(ids[1]))
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 100 {
		var r clearedRing
		var ref []string // the ring as a list: the last clearedMemory added, "" for dropped
		for range 20 + round {
			id := ids[rng.IntN(len(ids))]
			if rng.IntN(3) == 0 {
				r.drop(id)
				for i := range ref {
					if ref[i] == id {
						ref[i] = ""
					}
				}
			} else {
				r.add(id)
				if id != "" {
					ref = append(ref, id)
				}
			}
			ref = ref[max(0, len(ref)-clearedMemory):]
			for _, id := range ids {
				require.Equal(t, id != "" && slices.Contains(ref, id), r.has(id), "id %q", id)
			}
		}
	}
}

// TestCallIndexTagTwins: IDs whose tags collide stay apart in the index, whether the index
// copies their bytes (the first entry's, up to maxKeyBytes) or not.
func TestCallIndexTagTwins(t *testing.T) {
	long := strings.Repeat("L", maxKeyBytes)
	for _, ids := range [][]string{tagTwins(4), {long + "1ABC", long + "2ABC", "3ABC", "", long[:maxKeyBytes-4] + "4ABC"}} {
		testCallIndexTwins(t, ids)
	}
}

func testCallIndexTwins(t *testing.T, ids []string) {
	var x callIndex
	calls := make([]*tapi.Call, len(ids))
	for i, id := range ids {
		calls[i] = &tapi.Call{Handle: tapi.CallHandle(fmt.Sprint("hq:", i))}
		x.put(id, calls[i])
	}
	for i, id := range ids {
		require.Same(t, calls[i], x.get(id))
	}
	x.drop(ids[1], calls[1])
	x.drop(ids[2], calls[0]) // not its call: stays
	require.Nil(t, x.get(ids[1]))
	require.Same(t, calls[2], x.get(ids[2]))
	require.Nil(t, x.get("99WXYZ"))
	require.Nil(t, x.get(strings.Repeat("L", maxKeyBytes)+"9ABC"))
	x.drop(ids[0], calls[0]) // the first entry: the last takes its place, bytes and all
	require.Nil(t, x.get(ids[0]))
	if n := len(x.one.id); n > 0 && n <= maxKeyBytes {
		require.Equal(t, x.one.id, string(x.oneKey[:x.one.keyLen]))
	} else {
		require.Zero(t, x.one.keyLen)
	}
	for i := 2; i < len(ids); i++ {
		require.Same(t, calls[i], x.get(ids[i]), "id %q", ids[i])
	}
}

// TestIsAddress: a line knows its address by key (at most maxShortKey bytes) or by its
// bytes (longer), against numbers of every length around the key's limit.
func TestIsAddress(t *testing.T) {
	var numbers []string
	for n := 1; n <= 10; n++ {
		numbers = append(numbers, "1234567890"[:n], "0234567890"[:n], "1234567899"[:n])
	}
	numbers = append(numbers, "123\x00", "\x00", "+4930")
	for _, addr := range append(numbers, "") {
		ls := newLineState(tapi.NewLine("hq", addr, ""))
		st := &step{ls: ls}
		for _, n := range append(numbers, "") {
			require.Equal(t, n != "" && n == addr, st.is(csta.DeviceID{Number: n}), "address %q, number %q", addr, n)
		}
	}
}

// TestLineStateLayout: what most events read of a lineState (its Queue, address, name,
// device ID and first call) stays in the 128 bytes from Line.Queue on (see lineState).
func TestLineStateLayout(t *testing.T) {
	var ls lineState
	from := unsafe.Offsetof(ls.Queue)
	end := unsafe.Offsetof(ls.byCallID) + unsafe.Offsetof(ls.byCallID.many) + unsafe.Sizeof(ls.byCallID.many)
	require.LessOrEqual(t, end-from, uintptr(128))
	require.Less(t, from, unsafe.Offsetof(ls.addr))
}
