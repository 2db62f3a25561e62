package cti

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A snapshot covers the repairs of events counted up to the count it was reconciled at, not
// those of later events, nor of lines without a count.
func TestRepairCoveredByCount(t *testing.T) {
	slot := new(extSlot)
	o := &pipeline{applied: map[string]*extSlot{"201": slot}, repairs: make(chan repairRequest, 4)}
	slot.Add(4) // four events applied; the fifth asks for a repair
	o.requestRepair("201", "ambiguous_call", "ConnectionClearedEvent")
	o.requestRepair("999", "unknown_call", "TransferedEvent") // no count for this line
	fifth, other := <-o.repairs, <-o.repairs
	assert.Equal(t, uint64(5), fifth.at)
	assert.False(t, o.covered(fifth), "no snapshot yet")
	assert.False(t, o.covered(other))

	slot.Add(1)
	o.noteSnapshot("201") // reconciled after the fifth
	assert.True(t, o.covered(fifth))
	slot.Add(1)
	o.requestRepair("201", "ambiguous_call", "ConnectionClearedEvent") // the seventh
	assert.False(t, o.covered(<-o.repairs), "an event after the snapshot")
}
