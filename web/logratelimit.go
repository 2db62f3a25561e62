package web

import (
	"sync"

	"github.com/sirupsen/logrus"
)

// rateLog logs client-caused events (slow consumers, failed logins, rate limits) without
// letting a client flood the log: each message logs at most logBurst lines, then logPerMinute
// a minute; the next line logged says how many were suppressed in between.
type rateLog struct {
	log        *logrus.Entry
	limit      *rateLimiter
	mu         sync.Mutex
	suppressed map[string]int
}

const (
	logPerMinute = 60
	logBurst     = 20
)

func newRateLog(log *logrus.Entry) *rateLog {
	return &rateLog{log: log, limit: newBurstLimiter(logPerMinute, logBurst), suppressed: map[string]int{}}
}

func (r *rateLog) warn(fields logrus.Fields, msg string) {
	if _, ok, _ := r.limit.allow(msg); !ok {
		r.mu.Lock()
		r.suppressed[msg]++
		r.mu.Unlock()
		return
	}
	r.mu.Lock()
	n := r.suppressed[msg]
	delete(r.suppressed, msg)
	r.mu.Unlock()
	e := r.log.WithFields(fields)
	if n > 0 {
		e = e.WithField("suppressed", n)
	}
	e.Warn(msg)
}
