package memory

import (
	"context"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// ownedStore returns a memory store, closed at the test's end, whose PBX "hq" is leased to
// instance "a", and the lease's fence for its writes.
func ownedStore(t *testing.T) (*Store, store.Fence) {
	t.Helper()
	s := New(Options{})
	t.Cleanup(func() { _ = s.Close() })
	l, err := s.AcquireLease(context.Background(), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return s, l.Fence()
}
