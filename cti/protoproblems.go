package cti

import (
	"errors"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/csta"
)

// Non-fatal CSTA problems (an undecodable event, a request the switch should not send) are
// counted by class for the metric ctibridge_csta_protocol_errors_total and logged at a pace: the
// first of a class at once, then at most one line per protocolLogEvery with how many were
// left out, so that a broken switch sending thousands a second cannot flood the log.

// protocolLogEvery is the least time between two log lines of one class of protocol problem.
const protocolLogEvery = 10 * time.Second

// Classes of protocol problems.
const (
	problemMalformedXML   = "malformed_xml"   // the body is not well-formed XML
	problemInvalidContent = "invalid_content" // well-formed, but a member's value is invalid
	problemOther          = "other"           // e.g. a request the switch should not send
)

// problemClass sorts a protocol problem for the metric and the log pacing.
func problemClass(err error) string {
	var de *csta.DecodeError
	switch {
	case errors.As(err, &de) && de.Offset >= 0:
		return problemMalformedXML
	case errors.As(err, &de):
		return problemInvalidContent
	}
	return problemOther
}

// protocolProblem counts a problem and logs it if its class's pace allows.
func (s *linkStatus) protocolProblem(log *logrus.Entry, err error, now time.Time) {
	class := problemClass(err)
	s.mu.Lock()
	if s.problems == nil {
		s.problems = map[string]*problemCount{}
	}
	pc := s.problems[class]
	if pc == nil {
		pc = &problemCount{}
		s.problems[class] = pc
	}
	pc.total++
	if !pc.logged.IsZero() && now.Sub(pc.logged) < protocolLogEvery {
		pc.suppressed++
		s.mu.Unlock()
		return
	}
	left, since := pc.suppressed, pc.logged
	pc.logged, pc.suppressed = now, 0
	s.mu.Unlock()
	entry := log.WithError(err).WithField("class", class)
	if left > 0 {
		entry = entry.WithField("similar", left).WithField("similar_since", since)
		entry.Warnf("CSTA protocol problem (%d similar since %s not logged)", left, since.Format(time.RFC3339))
		return
	}
	entry.Warn("CSTA protocol problem")
}

// problemCount is one class of protocol problem of a PBX.
type problemCount struct {
	total      uint64
	suppressed int
	logged     time.Time
}
