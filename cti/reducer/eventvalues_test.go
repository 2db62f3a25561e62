package reducer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi"
)

// offHook is the ServiceInitiated of call i at line 201.
func offHook(i int) csta.Event {
	return &csta.ServiceInitiatedEvent{InitiatedConnection: cn(fmt.Sprint("C", i), "201"), InitiatingDevice: dev("201")}
}

// slabBlock is tapi's block of values (tapi.Slabs): two blocks' worth of events fill more
// than one.
const slabBlock = 64

// A state's events keep their values until the caller recycles them.
func TestStateRecycleKeepsValuesUntilCalled(t *testing.T) {
	s := NewState("hq")
	s.AddLine("201", "")
	var held []tapi.Event
	for i := range 2 * slabBlock {
		r := s.Apply("201", offHook(i), time.Unix(0, 0))
		held = append(held, r.Events...)
	}
	for _, ev := range held {
		if ev.Type == tapi.LineNewCall {
			require.Equal(t, ev.Handle, ev.Call.Handle)
		}
	}
	s.Recycle()
	r := s.Apply("201", offHook(2*slabBlock), time.Unix(0, 0))
	require.NotEmpty(t, r.Events)
	require.Equal(t, r.Events[0].Handle, r.Events[0].Call.Handle)
}
