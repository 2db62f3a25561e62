package cti

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func repairExts(rs []repairRequest) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ext)
	}
	return out
}

// A device is repaired at most once per RepairInterval; requests inside the interval merge
// into one repair at its end.
func TestRepairScheduleMergesRequestsInsideTheInterval(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	s := newRepairSchedule()
	s.add(repairRequest{ext: "201", reason: "unknown_call"})
	require.Equal(t, []string{"201"}, repairExts(s.take(t0)))
	assert.True(t, s.next().IsZero(), "nothing waits")

	s.add(repairRequest{ext: "201", reason: "ambiguous_call"})
	s.add(repairRequest{ext: "201", reason: "unknown_call"})
	assert.Empty(t, s.take(t0.Add(RepairInterval/2)), "inside the interval")
	assert.Equal(t, t0.Add(RepairInterval), s.next())
	got := s.take(t0.Add(RepairInterval))
	require.Len(t, got, 1, "the two requests are one repair")
	assert.Equal(t, "ambiguous_call", got[0].reason, "the first request's reason")
}

// A repair that gave up (the device never quiet during its snapshots) is tried again after
// a growing pause, repairRetries times, then no more.
func TestRepairScheduleRetriesARepairThatGaveUp(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	s := newRepairSchedule()
	s.add(repairRequest{ext: "201", reason: "unknown_call"})
	r := s.take(now)[0]
	var pauses []time.Duration
	for {
		s.gaveUp(r, now)
		next := s.next()
		if next.IsZero() {
			break
		}
		pauses = append(pauses, next.Sub(now))
		assert.Empty(t, s.take(next.Add(-time.Millisecond)), "not before its pause")
		now = next
		rs := s.take(now)
		require.Len(t, rs, 1)
		r = rs[0]
		require.LessOrEqual(t, len(pauses), repairRetries, "retries never end")
	}
	require.Len(t, pauses, repairRetries)
	for i := 1; i < len(pauses); i++ {
		assert.Greater(t, pauses[i], pauses[i-1], "each pause longer than the last")
	}
	assert.Equal(t, 2*RepairInterval, pauses[0])

	// A new request later starts over.
	s.add(repairRequest{ext: "201", reason: "impossible_transition"})
	got := s.take(now.Add(RepairInterval))
	require.Len(t, got, 1)
	assert.Zero(t, got[0].retries)
}

// A request that arrives while a retry waits does not replace it (it carries the same work)
// and devices are independent.
func TestRepairScheduleKeepsDevicesApart(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	s := newRepairSchedule()
	s.add(repairRequest{ext: "201"})
	s.add(repairRequest{ext: "202"})
	require.ElementsMatch(t, []string{"201", "202"}, repairExts(s.take(now)))
	s.gaveUp(repairRequest{ext: "201"}, now)
	s.add(repairRequest{ext: "201", reason: "later"})
	s.add(repairRequest{ext: "202", reason: "later"})
	assert.Equal(t, []string{"202"}, repairExts(s.take(now.Add(RepairInterval))), "202's interval is over; 201 waits for its retry")
	rs := s.take(now.Add(repairRetryAfter(1)))
	require.Len(t, rs, 1)
	assert.Equal(t, 1, rs[0].retries, "the retry, not the later request")
}
