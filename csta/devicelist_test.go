package csta

import (
	"strings"
	"testing"
)

func TestExpandDevices(t *testing.T) {
	got, err := ExpandDevices([]string{"200-203", "3001", " 0400-0401 , 77"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "200,201,202,203,3001,0400,0401,77" {
		t.Fatalf("got %v", got)
	}
	for spec, want := range map[string]string{
		"20a":               "want digits",
		"300-200":           "end is below start",
		"200-2000":          "same length",
		"201,201":           "listed twice",
		"":                  "no devices",
		"00000000-99999999": "more than",
		"99999999999999999999-99999999999999999999": "too large",
	} {
		if _, err := ExpandDevices([]string{spec}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ExpandDevices(%q) = %v, want error containing %q", spec, err, want)
		}
	}
}
