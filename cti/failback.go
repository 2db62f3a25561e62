package cti

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // business hours name IANA zones; hosts without zoneinfo still resolve them
)

// BusinessHours are the hours in which the schedule failback policy acts as manual.
type BusinessHours struct {
	Days string // "Mon-Fri", "Mon,Wed,Fri", "Sat-Sun"; default Mon-Fri
	From string // "08:00"
	To   string // "18:00"; may be before From for hours spanning midnight
	Zone string // IANA zone, e.g. "Europe/Berlin"; default UTC
}

// schedule is compiled BusinessHours.
type schedule struct {
	days     [7]bool
	from, to int // minutes after midnight
	loc      *time.Location
}

func weekday(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for i, long := range weekdayLong {
		if s == long || s == long[:3] {
			return i, nil
		}
	}
	return 0, fmt.Errorf("day %q: want Mon, Tue, Wed, Thu, Fri, Sat or Sun", s)
}

var weekdayLong = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func clockMinutes(field, s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%s %q: want HH:MM (24h)", field, s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Validate reports every problem of the business hours, joined (errors.Join).
func (b BusinessHours) Validate() error {
	_, err := b.compile()
	return err
}

func (b BusinessHours) compile() (*schedule, error) {
	s := &schedule{}
	var errs []error
	days := b.Days
	if strings.TrimSpace(days) == "" {
		days = "Mon-Fri"
	}
	for _, part := range strings.Split(days, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := weekday(lo)
		if err != nil {
			errs = append(errs, fmt.Errorf("days: %w", err))
			continue
		}
		if !isRange {
			s.days[a] = true
			continue
		}
		z, err := weekday(hi)
		if err != nil {
			errs = append(errs, fmt.Errorf("days: %w", err))
			continue
		}
		for d := a; ; d = (d + 1) % 7 {
			s.days[d] = true
			if d == z {
				break
			}
		}
	}
	var err error
	if s.from, err = clockMinutes("from", b.From); err != nil {
		errs = append(errs, err)
	}
	if s.to, err = clockMinutes("to", b.To); err != nil {
		errs = append(errs, err)
	}
	if err == nil && s.from == s.to {
		errs = append(errs, errors.New("from and to are equal: business hours would be empty"))
	}
	zone := b.Zone
	if zone == "" {
		zone = "UTC"
	}
	if s.loc, err = time.LoadLocation(zone); err != nil {
		errs = append(errs, fmt.Errorf("zone %q: %v", b.Zone, err))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// inHours reports whether t falls in business hours. For hours spanning midnight the day
// that counts is the one the hours started on.
func (s *schedule) inHours(t time.Time) bool {
	t = t.In(s.loc)
	m := t.Hour()*60 + t.Minute()
	day := int(t.Weekday())
	if s.from < s.to {
		return s.days[day] && m >= s.from && m < s.to
	}
	if m >= s.from {
		return s.days[day]
	}
	return m < s.to && s.days[(day+6)%7]
}

// failback decides, per PBX, which node is preferred and whether returning to the primary may
// happen without an admin.
type failback struct {
	policy FailbackPolicy
	sched  *schedule // schedule policy only
	clock  func() time.Time
}

func newFailback(p PBXConfig, clock func() time.Time) (*failback, error) {
	f := &failback{policy: p.Failback, clock: clock}
	if p.Failback == FailbackSchedule {
		s, err := p.BusinessHours.compile()
		if err != nil {
			return nil, fmt.Errorf("business_hours: %w", err)
		}
		f.sched = s
	}
	return f, nil
}

// automatic reports whether the link may fail back to the primary by itself now.
func (f *failback) automatic() bool {
	switch f.policy {
	case FailbackAuto:
		return true
	case FailbackSchedule:
		return !f.sched.inHours(f.clock())
	}
	return false
}

// preferredAfter returns the node to try first after the link moved to node active.
// Sticky swaps roles; every other policy keeps preferring the primary.
func (f *failback) preferredAfter(active, preferred int) int {
	if f.policy == FailbackSticky {
		return active
	}
	return preferred
}
