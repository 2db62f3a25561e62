package tapi

import (
	"testing"

	"github.com/ctibridge/ctibridge/csta"
)

func TestLineErrFromCSTA(t *testing.T) {
	cases := []struct {
		category, value string
		want            LineErr
	}{
		{csta.ErrCatOperation, csta.ErrInvalidCallID, LINEERR_INVALCALLHANDLE},
		{csta.ErrCatOperation, csta.ErrInvalidConnectionID, LINEERR_INVALCALLHANDLE},
		{csta.ErrCatStateIncompatibility, csta.ErrInvalidObjectState, LINEERR_INVALCALLSTATE},
		{csta.ErrCatOperation, csta.ErrInvalidConnectionState, LINEERR_INVALCALLSTATE},
		{csta.ErrCatStateIncompatibility, "someNewValue", LINEERR_INVALCALLSTATE},
		{csta.ErrCatOperation, csta.ErrInvalidCalledDeviceID, LINEERR_INVALADDRESS},
		{csta.ErrCatOperation, csta.ErrInvalidDestination, LINEERR_INVALADDRESS},
		{csta.ErrCatOperation, csta.ErrInvalidForwardingDestination, LINEERR_INVALADDRESS},
		{csta.ErrCatOperation, csta.ErrInvalidDeviceID, LINEERR_BADDEVICEID},
		{csta.ErrCatSystemResource, csta.ErrResourceBusy, LINEERR_RESOURCEUNAVAIL},
		{csta.ErrCatSystemResource, "", LINEERR_RESOURCEUNAVAIL},
		{csta.ErrCatPerformance, "performanceLimitExceeded", LINEERR_RESOURCEUNAVAIL},
		{csta.ErrCatSecurity, csta.ErrSecurityViolation, LINEERR_OPERATIONUNAVAIL},
		{csta.ErrCatSecurity, "", LINEERR_OPERATIONUNAVAIL},
		{csta.ErrCatSubscribedResource, "objectNotSubscribed", LINEERR_OPERATIONUNAVAIL},
		{csta.ErrCatOperation, csta.ErrRequestedServiceNotSupported, LINEERR_OPERATIONUNAVAIL},
		{csta.ErrCatOperation, csta.ErrGeneric, LINEERR_OPERATIONFAILED},
		{csta.ErrCatUnspecified, "", LINEERR_OPERATIONFAILED},
		{CategoryTransport, "", LINEERR_OPERATIONFAILED},
		{"noSuchCategory", "noSuchValue", LINEERR_OPERATIONFAILED},
	}
	for _, tc := range cases {
		if got := LineErrFromCSTA(tc.category, tc.value); got != tc.want {
			t.Errorf("%s/%s -> %v, want %v", tc.category, tc.value, got, tc.want)
		}
	}
}
