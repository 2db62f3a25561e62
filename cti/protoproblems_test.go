package cti

import (
	"errors"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
)

// A switch that sends thousands of undecodable events a second gets one log line per class
// per protocolLogEvery, saying how many were left out, and every one is counted.
func TestProtocolProblemsArePacedAndCounted(t *testing.T) {
	logger, hook := test.NewNullLogger()
	log := logrus.NewEntry(logger)
	s := newLinkStatus(nil)
	t0 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	malformed := &csta.DecodeError{Offset: 12, Reason: "unexpected end"}
	for i := range 20000 {
		s.protocolProblem(log, malformed, t0.Add(time.Duration(i)*50*time.Microsecond)) // 20k in 1 s
	}
	s.protocolProblem(log, errors.New("csta: switch sent request MakeCall, which a client does not serve; refused"), t0)
	require.Len(t, hook.AllEntries(), 2, "one line per class")
	s.protocolProblem(log, malformed, t0.Add(protocolLogEvery+time.Second))
	entries := hook.AllEntries()
	require.Len(t, entries, 3)
	last := entries[2]
	assert.Equal(t, logrus.WarnLevel, last.Level)
	assert.Equal(t, 19999, last.Data["similar"])
	assert.Contains(t, last.Message, "19999 similar")

	li := s.info("hq", PBXConfig{})
	assert.Equal(t, map[string]uint64{problemMalformedXML: 20001, problemOther: 1}, li.ProtocolErrors)
}

func TestProblemClass(t *testing.T) {
	assert.Equal(t, problemMalformedXML, problemClass(&csta.DecodeError{Offset: 0, Reason: "x"}))
	assert.Equal(t, problemInvalidContent, problemClass(&csta.DecodeError{Offset: -1, Message: "DeliveredEvent", Reason: "bad int"}))
	assert.Equal(t, problemOther, problemClass(errors.New("stray request")))
}
