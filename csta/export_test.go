package csta

import (
	"fmt"
	"reflect"
)

// Hooks for the external tests of this package (package csta_test).

// FastEquivalent reports whether the fast path takes data, and fails unless it then gives
// what the generic decoder gives.
func FastEquivalent(data []byte) (took bool, mismatch string) {
	fast, ok := decodeFast(data)
	if !ok {
		return false, ""
	}
	generic, err := decodeGeneric(data)
	if err != nil {
		return true, "the generic decoder rejects it: " + err.Error()
	}
	if !reflect.DeepEqual(fast, generic) {
		return true, fmt.Sprintf("fast %#v, generic %#v", fast, generic)
	}
	return true, ""
}
