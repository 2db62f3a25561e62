package csta

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxDeviceList bounds an expanded device list so that a typo ("200-2000000") is caught.
const MaxDeviceList = 100000

// ExpandDevices expands the device lists PBX configurations use ("200-299", "3001",
// "401,402") into extensions, in order. A range keeps the width of its first number
// ("0200-0299" gives "0200".."0299"). Duplicates, malformed parts and lists longer than
// MaxDeviceList are errors that quote the offending part.
func ExpandDevices(specs []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, spec := range specs {
		for _, part := range strings.Split(spec, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			nums, err := expandDeviceRange(part)
			if err != nil {
				return nil, err
			}
			for _, n := range nums {
				if seen[n] {
					return nil, fmt.Errorf("device %s listed twice", n)
				}
				seen[n] = true
				out = append(out, n)
			}
			if len(out) > MaxDeviceList {
				return nil, fmt.Errorf("more than %d devices", MaxDeviceList)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no devices listed (want numbers or ranges like \"200-299\")")
	}
	return out, nil
}

func expandDeviceRange(part string) ([]string, error) {
	lo, hi, isRange := strings.Cut(part, "-")
	lo, hi = strings.TrimSpace(lo), strings.TrimSpace(hi)
	if !allDigits(lo) {
		return nil, fmt.Errorf("device %q: want digits, or a range like 200-299", part)
	}
	if !isRange {
		return []string{lo}, nil
	}
	if !allDigits(hi) || len(hi) != len(lo) {
		return nil, fmt.Errorf("device range %q: both ends must be numbers of the same length", part)
	}
	a, errA := strconv.ParseUint(lo, 10, 64)
	b, errB := strconv.ParseUint(hi, 10, 64)
	if errA != nil || errB != nil {
		return nil, fmt.Errorf("device range %q: number too large", part)
	}
	if b < a {
		return nil, fmt.Errorf("device range %q: end is below start", part)
	}
	if b-a >= MaxDeviceList {
		return nil, fmt.Errorf("device range %q: more than %d numbers", part, MaxDeviceList)
	}
	out := make([]string, 0, b-a+1)
	for n := a; n <= b; n++ {
		out = append(out, fmt.Sprintf("%0*d", len(lo), n))
	}
	return out, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
