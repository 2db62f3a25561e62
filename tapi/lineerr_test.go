package tapi

import "testing"

// TestLineErrFromCSTA uses the CSTAErrorCode names as they appear on the wire (the values of
// the csta.Err* constants), so that tapi does not link csta.
func TestLineErrFromCSTA(t *testing.T) {
	cases := []struct {
		category, value string
		want            LineErr
	}{
		{"operation", "invalidCallID", LINEERR_INVALCALLHANDLE},
		{"operation", "invalidConnectionID", LINEERR_INVALCALLHANDLE},
		{"stateIncompatibility", "invalidObjectState", LINEERR_INVALCALLSTATE},
		{"operation", "invalidConnectionState", LINEERR_INVALCALLSTATE},
		{"stateIncompatibility", "someNewValue", LINEERR_INVALCALLSTATE},
		{"operation", "invalidCalledDeviceID", LINEERR_INVALADDRESS},
		{"operation", "invalidDestination", LINEERR_INVALADDRESS},
		{"operation", "invalidForwardingDestination", LINEERR_INVALADDRESS},
		{"operation", "invalidDeviceID", LINEERR_BADDEVICEID},
		{"systemResourceAvailability", "resourceBusy", LINEERR_RESOURCEUNAVAIL},
		{"systemResourceAvailability", "", LINEERR_RESOURCEUNAVAIL},
		{"performanceManagement", "performanceLimitExceeded", LINEERR_RESOURCEUNAVAIL},
		{"security", "securityViolation", LINEERR_OPERATIONUNAVAIL},
		{"security", "", LINEERR_OPERATIONUNAVAIL},
		{"subscribedResourceAvailability", "objectNotSubscribed", LINEERR_OPERATIONUNAVAIL},
		{"operation", "serviceNotSupported", LINEERR_OPERATIONUNAVAIL},
		{"operation", "generic", LINEERR_OPERATIONFAILED},
		{"unspecified", "", LINEERR_OPERATIONFAILED},
		{CategoryTransport, "", LINEERR_OPERATIONFAILED},
		{"noSuchCategory", "noSuchValue", LINEERR_OPERATIONFAILED},
	}
	for _, tc := range cases {
		if got := LineErrFromCSTA(tc.category, tc.value); got != tc.want {
			t.Errorf("%s/%s -> %v, want %v", tc.category, tc.value, got, tc.want)
		}
	}
}
