package cti

import (
	"strings"
	"testing"
	"time"
)

func TestConfigValidateNamesFields(t *testing.T) {
	good := PBXConfig{Name: "hq", Primary: "127.0.0.1:1", Devices: []string{"200"}}.WithDefaults()
	if err := good.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if good.Heartbeat != DefaultHeartbeat || good.Misses != DefaultMisses || good.Resync != ResyncHot ||
		good.Failback != FailbackAuto || good.OutOfServiceGrace != DefaultOutOfServiceGrace {
		t.Fatalf("defaults not applied: %+v", good)
	}
	for name, tc := range map[string]struct {
		mod  func(*PBXConfig)
		want string
	}{
		"heartbeat": {func(p *PBXConfig) { p.Heartbeat = 10 * time.Millisecond }, "heartbeat:"},
		"misses":    {func(p *PBXConfig) { p.Misses = -1 }, "misses:"},
		"dialect":   {func(p *PBXConfig) { p.Dialect = "nec" }, "dialect:"},
		"primary":   {func(p *PBXConfig) { p.Primary = "" }, "primary:"},
		"standby":   {func(p *PBXConfig) { p.Standby = p.Primary }, "standby:"},
		"resync":    {func(p *PBXConfig) { p.Resync = "warm" }, "resync:"},
		"failback":  {func(p *PBXConfig) { p.Failback = "never" }, "failback:"},
		"hours":     {func(p *PBXConfig) { p.Failback = FailbackSchedule; p.BusinessHours.From = "8" }, "business_hours:"},
		"zone": {func(p *PBXConfig) {
			p.Failback = FailbackSchedule
			p.BusinessHours = BusinessHours{From: "08:00", To: "18:00", Zone: "Mars/Olympus"}
		}, "zone"},
		"devices": {func(p *PBXConfig) { p.Devices = []string{"x"} }, "devices:"},
		"name":    {func(p *PBXConfig) { p.Name = "h/q" }, "name:"},
	} {
		p := good
		tc.mod(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Validate() = %v, want error naming %q", name, err, tc.want)
		}
	}
	c := Config{PBXs: []PBXConfig{good, good}}.WithDefaults()
	err := c.Validate()
	for _, want := range []string{"instance_id", "store", "used twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Config.Validate() = %v, want %q", err, want)
		}
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New accepted an empty config")
	}
}

func TestBusinessHours(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(day, hour, min int) time.Time { return time.Date(2025, 3, day, hour, min, 0, 0, berlin) } // 3 Mar 2025 is a Monday
	s, err := BusinessHours{Days: "Mon-Fri", From: "08:00", To: "18:00", Zone: "Europe/Berlin"}.compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		t    time.Time
		want bool
	}{
		{at(3, 8, 0), true}, {at(3, 7, 59), false}, {at(7, 17, 59), true}, {at(7, 18, 0), false},
		{at(8, 12, 0), false}, // Saturday
		{at(3, 9, 0).UTC(), true},
	} {
		if got := s.inHours(tc.t); got != tc.want {
			t.Errorf("inHours(%v) = %v, want %v", tc.t, got, tc.want)
		}
	}
	night, err := BusinessHours{Days: "Fri", From: "22:00", To: "06:00", Zone: "UTC"}.compile()
	if err != nil {
		t.Fatal(err)
	}
	fri := time.Date(2025, 3, 7, 23, 0, 0, 0, time.UTC)
	if !night.inHours(fri) || !night.inHours(fri.Add(6*time.Hour)) || night.inHours(fri.Add(8*time.Hour)) {
		t.Error("overnight hours starting Friday misjudged")
	}
	if _, err := (BusinessHours{Days: "Funday", From: "08:00", To: "18:00"}).compile(); err == nil {
		t.Error("unknown day accepted")
	}
	clock := newFakeClock(at(3, 10, 0))
	fb, err := newFailback(PBXConfig{Failback: FailbackSchedule,
		BusinessHours: BusinessHours{From: "08:00", To: "18:00", Zone: "Europe/Berlin"}}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	if fb.automatic() {
		t.Error("schedule is automatic inside business hours")
	}
	clock.Set(at(3, 20, 0))
	if !fb.automatic() {
		t.Error("schedule is manual outside business hours")
	}
}
