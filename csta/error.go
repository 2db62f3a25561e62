package csta

import (
	"errors"
	"fmt"
)

// Error is a CSTAErrorCode negative response (ECMA-269 §9.3): Category is the CHOICE element
// (operation, security, stateIncompatibility, systemResourceAvailability,
// subscribedResourceAvailability, performanceManagement, privateData, unspecified) and Value
// its content (e.g. "invalidCallID", "invalidConnectionState").
type Error struct {
	Category string
	Value    string
}

func (e *Error) Error() string {
	if e.Value == "" {
		return "csta error: " + e.Category
	}
	return fmt.Sprintf("csta error: %s/%s", e.Category, e.Value)
}

// MessageName implements Message: *Error is what a CSTAErrorCode response decodes to.
func (*Error) MessageName() string { return "CSTAErrorCode" }

// CSTA error categories.
const (
	ErrCatOperation            = "operation"
	ErrCatSecurity             = "security"
	ErrCatStateIncompatibility = "stateIncompatibility"
	ErrCatSystemResource       = "systemResourceAvailability"
	ErrCatSubscribedResource   = "subscribedResourceAvailability"
	ErrCatPerformance          = "performanceManagement"
	ErrCatPrivateData          = "privateData"
	ErrCatUnspecified          = "unspecified"
)

// Common CSTA error values (ECMA-269 §9.3.1).
const (
	ErrGeneric                       = "generic"
	ErrInvalidCallID                 = "invalidCallID"
	ErrInvalidConnectionID           = "invalidConnectionID"
	ErrInvalidDeviceID               = "invalidDeviceID"
	ErrInvalidCalledDeviceID         = "invalidCalledDeviceID"
	ErrInvalidCallingDeviceID        = "invalidCallingDeviceID"
	ErrInvalidForwardingDestination  = "invalidForwardingDestination"
	ErrInvalidMonitorObject          = "invalidMonitorObject"
	ErrInvalidMonitorCrossRefID      = "invalidMonitorCrossRefID"
	ErrInvalidConnectionState        = "invalidConnectionState"
	ErrInvalidObjectState            = "invalidObjectState"
	ErrInvalidDestination            = "invalidDestination"
	ErrServiceBusy                   = "serviceBusy"
	ErrNoActiveCall                  = "noActiveCall"
	ErrNoHeldCall                    = "noHeldCall"
	ErrNoCallToAnswer                = "noCallToAnswer"
	ErrNoCallToClear                 = "noCallToClear"
	ErrResourceBusy                  = "resourceBusy"
	ErrResourceLimitExceeded         = "resourceLimitExceeded"
	ErrRequestIncompatibleWithObject = "requestIncompatibleWithObject"
	ErrObjectNotKnown                = "objectNotKnown"
	ErrRequestedServiceNotSupported  = "serviceNotSupported"
	ErrRequestAborted                = "requestAborted"
	ErrObjectMonitorLimitExceeded    = "objectMonitorLimitExceeded"
	ErrSecurityViolation             = "securityViolation"
	// Agent errors (operation category, ECMA-269 ed3 and later).
	ErrInvalidAgentGroup      = "invalidAgentGroup"
	ErrInvalidAgentIdentifier = "invalidAgentIdentifier"
	ErrInvalidAgentPassword   = "invalidAgentPassword"
	ErrInvalidAgentState      = "invalidAgentState"
)

// IsCSTAError reports whether err is a *Error with the given value.
func IsCSTAError(err error, value string) bool {
	var e *Error
	return errors.As(err, &e) && e.Value == value
}
