package client

import (
	"errors"
	"fmt"

	"github.com/ctibridge/ctibridge/tapi"
)

var (
	// ErrClosed is returned by calls on a closed Client.
	ErrClosed = errors.New("ctibridge client: closed")
	// ErrConnectionLost is returned by a command whose connection dropped before its
	// LINE_REPLY came; the bridge may or may not have carried it out, so it is not repeated.
	ErrConnectionLost = errors.New("ctibridge client: connection lost before the reply")
)

// ReplyError is a LINE_REPLY with a LINEERR_* result.
type ReplyError struct {
	RequestID uint32
	Result    tapi.LineErr
	Message   string // the bridge's or PBX's explanation
}

func (e *ReplyError) Error() string {
	if e.Message == "" {
		return e.Result.String()
	}
	return e.Result.String() + ": " + e.Message
}

// ServerError is an "error" message of the bridge: a message it could not act on.
type ServerError struct {
	Code    string // "bad_field", "unknown_line", "forbidden", "unauthorized", ...
	Field   string // the member at fault, if any
	Message string
}

func (e *ServerError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("bridge refused %s (%s): %s", e.Field, e.Code, e.Message)
	}
	return fmt.Sprintf("bridge error %s: %s", e.Code, e.Message)
}

// CloseError is a connection the bridge closed with a code and reason.
type CloseError struct {
	URL    string
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("%s closed the connection: %d %s", e.URL, e.Code, e.Reason)
}

// Fatal reports whether reconnecting cannot help (token refused, version not spoken).
func (e *CloseError) Fatal() bool { return e.Code == CloseUnauthorized || e.Code == CloseBadVersion }

// AuthError is a token the bridge refused.
type AuthError struct {
	URL    string
	Reason string
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("%s refused the token: %s", e.URL, e.Reason)
}

// isFatal reports whether err means that no reconnect can succeed.
func isFatal(err error) bool {
	var ae *AuthError
	var ce *CloseError
	var se *SubscribeError
	return errors.As(err, &ae) || errors.As(err, &se) || (errors.As(err, &ce) && ce.Fatal())
}
