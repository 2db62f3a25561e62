package cti

import (
	"reflect"
	"testing"
)

// TestWithDefaultsIsDefaultConfig: a zero configuration takes exactly DefaultConfig and
// DefaultPBXConfig, and these have a value for every setting WithDefaults fills in.
func TestWithDefaultsIsDefaultConfig(t *testing.T) {
	got := Config{PBXs: []PBXConfig{{}}}.WithDefaults()
	want := DefaultConfig()
	if got.LeaseTTL != want.LeaseTTL || got.DegradeAfter != want.DegradeAfter {
		t.Errorf("Config{}.WithDefaults() lease %v degrade %v, DefaultConfig %v %v",
			got.LeaseTTL, got.DegradeAfter, want.LeaseTTL, want.DegradeAfter)
	}
	if !reflect.DeepEqual(got.PBXs[0], DefaultPBXConfig()) {
		t.Errorf("PBXConfig{}.WithDefaults() =\n%+v\nDefaultPBXConfig() =\n%+v", got.PBXs[0], DefaultPBXConfig())
	}
	if d := DefaultPBXConfig(); !reflect.DeepEqual(d.WithDefaults(), d) {
		t.Error("DefaultPBXConfig().WithDefaults() changes it")
	}
	named := PBXConfig{Name: "hq"}.WithDefaults()
	if named.Trace.File != DefaultTraceFile("hq") {
		t.Errorf("trace file %q, want %q", named.Trace.File, DefaultTraceFile("hq"))
	}
}
