package csta

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versionServer accepts a StartApplicationSession only when the first requested protocol
// version is speaks (a switch that reads only the first entry; 0 speaks none) and records every request.
func versionServer(speaks Edition, seen chan<- *StartApplicationSession) Handler {
	return func(ctx context.Context, req Message) (Message, error) {
		r, ok := req.(*StartApplicationSession)
		if !ok {
			return nil, &Error{Category: ErrCatOperation, Value: ErrRequestIncompatibleWithObject}
		}
		seen <- r
		if speaks == 0 || len(r.RequestedProtocolVersions) == 0 || r.RequestedProtocolVersions[0] != speaks.Namespace() {
			return &StartApplicationSessionNegResponse{ErrorCode: AppErrProtocolVersionNotSupported}, nil
		}
		return &StartApplicationSessionPosResponse{SessionID: "S-9", ActualProtocolVersion: speaks.Namespace(), ActualSessionDuration: 60}, nil
	}
}

func TestNegotiateApplicationSessionFallsBackToNextEdition(t *testing.T) {
	seen := make(chan *StartApplicationSession, 8)
	c, _ := startPair(t, Config{Dialect: DialectOSV}, ServerConfig{Handler: versionServer(Ed3, seen)})
	resp, ed, err := c.NegotiateApplicationSession(testCtx(t), &StartApplicationSession{ApplicationID: "ctibridge", UserID: "cti", Password: "secret"}, Ed4)
	require.NoError(t, err)
	assert.Equal(t, Ed3, ed)
	assert.Equal(t, Ed3, c.Edition(), "the connection encodes in the negotiated edition")
	assert.Equal(t, "S-9", resp.SessionID)
	// Ed4 (configured) first, then the others newest first: ed6, ed5, ed3.
	var firsts []string
	for len(seen) > 0 {
		r := <-seen
		require.Len(t, r.RequestedProtocolVersions, len(Editions()), "every attempt lists every edition")
		assert.Equal(t, "ctibridge", r.ApplicationID)
		firsts = append(firsts, r.RequestedProtocolVersions[0])
	}
	assert.Equal(t, []string{Ed4.Namespace(), Ed6.Namespace(), Ed5.Namespace(), Ed3.Namespace()}, firsts)
}

func TestNegotiateApplicationSessionNoCommonEdition(t *testing.T) {
	seen := make(chan *StartApplicationSession, 8)
	c, _ := startPair(t, Config{Dialect: DialectOSV}, ServerConfig{Handler: versionServer(0, seen)})
	_, _, err := c.NegotiateApplicationSession(testCtx(t), &StartApplicationSession{UserID: "cti"}, Ed4)
	require.Error(t, err)
	var ae *ApplicationSessionError
	require.True(t, errors.As(err, &ae), "err %v wraps the switch's refusal", err)
	assert.Equal(t, AppErrProtocolVersionNotSupported, ae.Code)
	assert.Contains(t, err.Error(), "none of the ECMA-323 editions")
	assert.Len(t, seen, len(Editions()))
}

func TestNegotiateApplicationSessionOtherRefusalStops(t *testing.T) {
	c, _ := startPair(t, Config{Dialect: DialectOSV}, ServerConfig{Handler: appSessionServer(nil)})
	_, _, err := c.NegotiateApplicationSession(testCtx(t), &StartApplicationSession{UserID: "cti", Password: "wrong"}, Ed4)
	var ae *ApplicationSessionError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, AppErrInvalidApplicationInfo, ae.Code)
}

func TestEditionOfNamespaces(t *testing.T) {
	for _, e := range Editions() {
		got, ok := EditionOf(" " + e.Namespace() + " ")
		assert.True(t, ok)
		assert.Equal(t, e, got)
	}
	_, ok := EditionOf("urn:example")
	assert.False(t, ok)
	assert.Equal(t, Ed5.Namespace(), ProtocolVersions(Ed5)[0])
}
