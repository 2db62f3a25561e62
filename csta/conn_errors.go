package csta

import (
	"errors"
	"fmt"
)

// ErrConnClosed is matched (errors.Is) by every error that ends a session: Close,
// a failed transport, or a session closed for a protocol reason.
var ErrConnClosed = errors.New("csta: connection closed")

// ErrEventQueueOverflow is the cause of a session closed because events arrived faster than
// the event handler took them. The session is closed rather than the reader blocked, so that
// the switch can always be answered; the owner reconnects and resynchronises.
var ErrEventQueueOverflow = errors.New("event queue overflow")

// ErrControlQueueOverflow is the cause of a session closed because the peer sent more
// requests needing an automatic answer (SystemStatus) than could be written back.
var ErrControlQueueOverflow = errors.New("control queue overflow")

// ErrInvokeIDsExhausted is returned by a request when all invoke IDs 0001-9998 are waiting
// for responses.
var ErrInvokeIDsExhausted = errors.New("csta: all invoke IDs 0001-9998 are in use")

// TransportError reports that the link itself failed: Op is "read" or "write" and Err the
// cause (io.EOF when the peer closed, a *FrameError when the stream lost its framing, a
// net error otherwise). Every request pending at that moment fails with it.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("csta: connection lost (%s): %v", e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConnClosed) true.
func (e *TransportError) Is(target error) bool { return target == ErrConnClosed }

// SessionError reports that this side closed the session for a protocol reason: Reason says
// which, Err is the cause (ErrEventQueueOverflow, a *DecodeError, ...).
type SessionError struct {
	Reason string
	Err    error
}

func (e *SessionError) Error() string {
	if e.Err == nil {
		return "csta: session closed: " + e.Reason
	}
	return fmt.Sprintf("csta: session closed: %s: %v", e.Reason, e.Err)
}

// Unwrap returns the cause.
func (e *SessionError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrConnClosed) true.
func (e *SessionError) Is(target error) bool { return target == ErrConnClosed }

// ApplicationSessionError is an ECMA-354 negative response: the switch refused
// StartApplicationSession (bad credentials, unsupported version) or
// ResetApplicationSessionTimer (the session is gone).
type ApplicationSessionError struct {
	Service string // "StartApplicationSession" or "ResetApplicationSessionTimer"
	Code    string // the switch's error code, e.g. "invalidApplicationInfo"
}

// ECMA-354 error codes of a StartApplicationSession negative response that the bridge acts on.
const (
	AppErrInvalidApplicationInfo      = "invalidApplicationInfo"
	AppErrProtocolVersionNotSupported = "requestedProtocolVersionNotSupported"
	AppErrInvalidSessionID            = "invalidSessionID"
)

func (e *ApplicationSessionError) Error() string {
	return fmt.Sprintf("csta: %s refused: %s", e.Service, e.Code)
}

// UnexpectedResponseError reports a response of the wrong type for a request.
type UnexpectedResponseError struct {
	Request  string
	Response string
}

func (e *UnexpectedResponseError) Error() string {
	return fmt.Sprintf("csta: %s answered with %s", e.Request, e.Response)
}
