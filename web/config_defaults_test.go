package web

import (
	"reflect"
	"testing"
)

// TestApplyDefaultsIsDefaultConfig: a zero Config takes exactly DefaultConfig, and
// DefaultConfig has a value for every setting with a default.
func TestApplyDefaultsIsDefaultConfig(t *testing.T) {
	var c Config
	c.applyDefaults()
	c.Logger = nil
	if want := DefaultConfig(); !reflect.DeepEqual(c, want) {
		t.Errorf("Config{} with defaults =\n%+v\nDefaultConfig() =\n%+v", c, want)
	}
	d := DefaultConfig()
	v := reflect.ValueOf(d)
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		switch f.Type.Kind() {
		case reflect.Int, reflect.Int64:
			if v.Field(i).IsZero() {
				t.Errorf("DefaultConfig().%s is zero", f.Name)
			}
		}
	}
}
