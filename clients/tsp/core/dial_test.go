package tspcore

import (
	"testing"

	"github.com/ctibridge/ctibridge/tapi"
)

func TestCleanDialString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"T0301234567", "0301234567"},
		{"t 0 30-123 45 67", "0301234567"},
		{"P202", "202"},
		{"+49 (30) 1234-567", "+49301234567"},
		{"+49 (0)30 1234567", "+49301234567"},
		{"+49 30 1234567 | 12 ^ Alice Example", "+49301234567"},
		{"202\r\n", "202"},
		{"*21#", "*21#"},
		{"12ab", "12AB"},
		{"030.123/45", "03012345"},
	} {
		got, err := CleanDialString(c.in)
		if err != nil || got != c.want {
			t.Errorf("CleanDialString(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "T", "  ", "+", "20W2", "202,,1", "alice", "2+02", "20@"} {
		if got, err := CleanDialString(in); CodeOf(err) != tapi.LINEERR_INVALADDRESS {
			t.Errorf("CleanDialString(%q) = %q, %v; want LINEERR_INVALADDRESS", in, got, err)
		}
	}
}
