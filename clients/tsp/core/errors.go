package tspcore

import (
	"errors"
	"fmt"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// Error is a failure with the LINEERR_* code a TSPI function returns for it.
type Error struct {
	Code tapi.LineErr
	Msg  string
}

func (e *Error) Error() string { return e.Code.String() + ": " + e.Msg }

func lineErr(code tapi.LineErr, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// Result is the LONG a TSPI function returns for err: 0 for nil, the LINEERR_* code of an
// *Error or a bridge refusal, LINEERR_OPERATIONFAILED otherwise.
func Result(err error) int32 {
	if err == nil {
		return 0
	}
	return int32(CodeOf(err))
}

// CodeOf returns the LINEERR_* code that stands for err.
func CodeOf(err error) tapi.LineErr {
	var e *Error
	var re *client.ReplyError
	switch {
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &re):
		return re.Result
	case errors.Is(err, client.ErrConnectionLost), errors.Is(err, client.ErrClosed):
		return tapi.LINEERR_OPERATIONFAILED
	}
	return tapi.LINEERR_OPERATIONFAILED
}
