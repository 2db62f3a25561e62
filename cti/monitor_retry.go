package cti

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
)

// Devices the switch refused to monitor at a resync stay out of service with the reason, and
// are asked again while the link stays up, with a pause that grows from monitorRetryMin to
// monitorRetryMax: a device configured later on the switch, or a CTI user given the right
// later, comes into service by itself. LinkInfo and /readyz say how many devices are not
// monitored and why, with the likely cause when every device was refused alike.

const (
	monitorRetryMin = time.Second
	monitorRetryMax = time.Minute
)

// setUnmonitored records the devices of the current link without a monitor, with why.
func (s *linkStatus) setUnmonitored(failed map[string]string) {
	s.mu.Lock()
	s.unmonitored = maps.Clone(failed)
	s.mu.Unlock()
}

// unmonitoredSummary is the count and the most common reason of the unmonitored devices.
func (s *linkStatus) unmonitoredSummary() (n int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.unmonitoredLocked()
}

func (s *linkStatus) unmonitoredLocked() (n int, reason string) {
	count := map[string]int{}
	for _, why := range s.unmonitored {
		count[why]++
	}
	best := 0
	for _, why := range slices.Sorted(maps.Keys(count)) {
		if count[why] > best {
			best, reason = count[why], why
		}
	}
	return len(s.unmonitored), reason
}

// monitorHint names the likely cause of monitors refused for reason, or "".
func monitorHint(reason, dialect string) string {
	switch {
	case strings.Contains(reason, csta.ErrSecurityViolation):
		return fmt.Sprintf("the switch refused the monitors as a security violation: check pbxs[].dialect "+
			"(now %s; a switch that wants an ECMA-354 application session needs osv or avaya), the "+
			"credentials (pbxs[].auth) and that the CTI user may monitor these devices", dialect)
	case strings.Contains(reason, csta.ErrInvalidDeviceID), strings.Contains(reason, csta.ErrInvalidMonitorObject),
		strings.Contains(reason, csta.ErrObjectNotKnown):
		return "the switch does not know these numbers: check pbxs[].devices against the switch's numbering"
	case strings.Contains(reason, csta.ErrObjectMonitorLimitExceeded), strings.Contains(reason, csta.ErrResourceLimitExceeded):
		return "the switch's monitor limit is reached: raise it on the switch or monitor fewer devices"
	}
	return ""
}

// monitorDevice starts the monitor of ext on lc. refused is the switch's answer when it
// said no; err is a failure of the link itself.
func (o *link) monitorDevice(ctx context.Context, lc *linkConn, ext string) (refused string, err error) {
	m, err := o.requestTimed(ctx, lc, &csta.MonitorStart{MonitorObject: csta.Device(ext)})
	return monitorAnswer(lc, ext, m, err)
}

// monitorAnswer records the answer to ext's MonitorStart (m, or the request's error err):
// refused is the reason the device is not monitored; err is returned when the link is gone.
func monitorAnswer(lc *linkConn, ext string, m csta.Message, err error) (refused string, _ error) {
	if err == nil {
		if r, ok := m.(*csta.MonitorStartResponse); ok {
			lc.addMonitor(r.MonitorCrossRefID, ext)
			return "", nil
		}
		err = &csta.UnexpectedResponseError{Request: "MonitorStart", Response: m.MessageName()}
	}
	if fatal(err) {
		return "", err
	}
	return "MonitorStart refused: " + err.Error(), nil
}

// retryMonitors asks again for the monitors the switch refused on lc; a device that gets one
// is snapshotted and comes into service. It returns how many are still refused.
func (o *link) retryMonitors(lc *linkConn) (int, error) {
	failed := lc.unmonitored()
	for _, ext := range slices.Sorted(maps.Keys(failed)) {
		why, err := o.monitorDevice(o.ctx, lc, ext)
		if err != nil {
			return len(failed), err
		}
		if why != "" {
			failed[ext] = why
			continue
		}
		delete(failed, ext)
		if _, err := o.snapshotLine(o.ctx, lc, ext, func(j job) job { return j }); err != nil {
			return len(failed), err
		}
		if err := o.pl.post(o.ctx, func(st *reducer.State, now time.Time) reducer.Result {
			return withDetail(st.Apply(ext, &csta.BackInServiceEvent{}, now), "monitored after a retry")
		}); err != nil {
			return len(failed), err
		}
		o.p.log.WithField("line", ext).Info("device monitored after a retry")
	}
	lc.setUnmonitored(failed)
	o.p.status.setUnmonitored(failed)
	return len(failed), nil
}

// unmonitored returns a copy of the devices of lc without a monitor, with why.
func (lc *linkConn) unmonitored() map[string]string {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	return maps.Clone(lc.refused)
}

func (lc *linkConn) setUnmonitored(failed map[string]string) {
	lc.mu.Lock()
	lc.refused = maps.Clone(failed)
	lc.mu.Unlock()
}

// monitorRetry is the pacing of retryMonitors in watch.
type monitorRetry struct {
	timer *time.Timer
	pause time.Duration
}

// next arms the retry after the current pause (doubling it, up to monitorRetryMax) when n
// devices are still refused; otherwise it stops.
func (r *monitorRetry) next(n int) {
	if n == 0 {
		r.stop()
		return
	}
	if r.pause == 0 {
		r.pause = monitorRetryMin
	} else {
		r.pause = min(2*r.pause, monitorRetryMax)
	}
	if r.timer == nil {
		r.timer = time.NewTimer(r.pause)
		return
	}
	r.timer.Reset(r.pause)
}

func (r *monitorRetry) stop() {
	if r.timer != nil {
		r.timer.Stop()
	}
}

// c is the retry's channel, nil (never ready) when no retry is armed.
func (r *monitorRetry) c() <-chan time.Time {
	if r.timer == nil {
		return nil
	}
	return r.timer.C
}
