package tapi

import (
	"fmt"
	"strings"
)

// Line names are "<pbx>/<extension>" (LineName makes one). They travel as plain strings on the
// wire and in the model; SplitLine, LinePBX and CheckLine are the one place that reads them.

// SplitLine returns a line name's PBX and extension; ok is false when the name has no "/" or
// either part is empty.
func SplitLine(name string) (pbx, ext string, ok bool) {
	pbx, ext, ok = strings.Cut(name, "/")
	return pbx, ext, ok && pbx != "" && ext != ""
}

// LinePBX returns the PBX part of a line name: everything before the first "/" (the whole
// name when it has none).
func LinePBX(name string) string {
	pbx, _, _ := strings.Cut(name, "/")
	return pbx
}

// CheckLine checks that name names a line, with an error a user can act on.
func CheckLine(name string) error {
	if _, _, ok := SplitLine(name); !ok {
		return fmt.Errorf("line %q is not \"pbx/extension\", e.g. hq/201", name)
	}
	return nil
}
