package cti

import (
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/tapi/wire"
)

// TestCSTASentence: the translation prefers (value, op), then value, then category; every op
// of the op table has words and a state sentence; no placeholder and no raw CSTA name leaks.
func TestCSTASentence(t *testing.T) {
	for _, c := range []struct {
		op                     Op
		number, cat, val, want string
	}{
		{OpAnswer, "", csta.ErrCatStateIncompatibility, csta.ErrInvalidObjectState, "the call is not ringing at this line any more"},
		{OpHold, "", csta.ErrCatStateIncompatibility, csta.ErrInvalidConnectionState, "the call is not connected, so it cannot be held"},
		{OpHold, "", csta.ErrCatStateIncompatibility, "someNewValue", "the call is not connected, so it cannot be held"},
		{OpAnswer, "", csta.ErrCatStateIncompatibility, csta.ErrNoCallToAnswer, "there is no ringing call to answer at this line"},
		{OpMakeCall, "+4930123", csta.ErrCatOperation, csta.ErrInvalidCalledDeviceID, "the number +4930123 cannot be reached: check it and try again"},
		{OpMakeCall, "", csta.ErrCatOperation, csta.ErrInvalidDestination, "the number cannot be reached: check it and try again"},
		{OpForward, "", csta.ErrCatOperation, csta.ErrInvalidForwardingDestination, "calls cannot be forwarded to that number"},
		{OpPickup, "", csta.ErrCatOperation, csta.ErrRequestedServiceNotSupported, "this PBX does not offer call pickup"},
		{OpDND, "", csta.ErrCatSecurity, csta.ErrSecurityViolation, "the PBX refused the request: the CTI user lacks the right (check the dialect and credentials)"},
		{OpDND, "", csta.ErrCatSecurity, "", "the PBX refused the request: the CTI user lacks the right (check the dialect and credentials)"},
		{OpDND, "", "madeUp", "alsoMadeUp", "the PBX refused the request"},
	} {
		if got := CSTASentence(c.op, c.number, c.cat, c.val); got != c.want {
			t.Errorf("%s %s/%s: %q, want %q", c.op, c.cat, c.val, got, c.want)
		}
	}
	for _, spec := range wire.Ops {
		if opWords[spec.Op] == "" {
			t.Errorf("op %s has no words for \"this PBX does not offer ...\"", spec.Op)
		}
		if spec.Handle == wire.Required || spec.Op == OpPickup || spec.Op == OpGroupPickup || spec.Op == OpMakeCall {
			if stateSentences[spec.Op] == "" {
				t.Errorf("op %s has no sentence for a state error", spec.Op)
			}
		}
		for k := range cstaSentences {
			s := CSTASentence(spec.Op, "", "", k.code)
			if strings.ContainsAny(s, "{}") || strings.Contains(s, k.code) && k.code != "" && !strings.Contains(k.code, " ") && len(k.code) > 12 {
				t.Errorf("%s %s: %q", spec.Op, k.code, s)
			}
		}
	}
}
