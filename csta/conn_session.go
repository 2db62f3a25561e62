package csta

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// StartApplicationSession opens an ECMA-354 application session. A negative response is
// returned as *ApplicationSessionError. The session ID is kept for
// ResetApplicationSessionTimer, KeepAlive and Shutdown.
func (c *Conn) StartApplicationSession(ctx context.Context, req *StartApplicationSession) (*StartApplicationSessionPosResponse, error) {
	if req == nil {
		return nil, errors.New("csta: nil StartApplicationSession")
	}
	m, err := c.Request(ctx, req)
	if err != nil {
		return nil, err
	}
	switch r := m.(type) {
	case *StartApplicationSessionPosResponse:
		c.sessMu.Lock()
		c.sessionID, c.sessDuration = r.SessionID, req.RequestedSessionDuration
		c.sessMu.Unlock()
		return r, nil
	case *StartApplicationSessionNegResponse:
		return nil, &ApplicationSessionError{Service: "StartApplicationSession", Code: r.ErrorCode}
	}
	return nil, &UnexpectedResponseError{Request: req.MessageName(), Response: m.MessageName()}
}

// NegotiateApplicationSession opens an ECMA-354 session in the first ECMA-323 edition the
// switch accepts. req's RequestedProtocolVersions is replaced: the first attempt names
// first's namespace first, then every other edition the codec speaks; a
// requestedProtocolVersionNotSupported answer makes it try again with the next edition in
// front (some switches read only the first entry). The edition the switch names in
// actualProtocolVersion becomes the connection's encoding edition and is returned. Other
// refusals end the negotiation at once.
func (c *Conn) NegotiateApplicationSession(ctx context.Context, req *StartApplicationSession, first Edition) (*StartApplicationSessionPosResponse, Edition, error) {
	if req == nil {
		return nil, 0, errors.New("csta: nil StartApplicationSession")
	}
	order := []Edition{first}
	for _, e := range Editions() {
		if e != first {
			order = append(order, e)
		}
	}
	var lastErr error
	for _, ed := range order {
		r := *req
		r.RequestedProtocolVersions = ProtocolVersions(ed)
		resp, err := c.StartApplicationSession(ctx, &r)
		var ae *ApplicationSessionError
		if errors.As(err, &ae) && ae.Code == AppErrProtocolVersionNotSupported {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		got := ed
		if e, ok := EditionOf(resp.ActualProtocolVersion); ok {
			got = e
		} else if resp.ActualProtocolVersion != "" {
			return resp, 0, fmt.Errorf("csta: StartApplicationSession: the switch chose protocol version %q, which this codec does not speak", resp.ActualProtocolVersion)
		}
		c.link.edition.Store(int32(got))
		return resp, got, nil
	}
	return nil, 0, fmt.Errorf("csta: StartApplicationSession: the switch supports none of the ECMA-323 editions ed2-ed6: %w", lastErr)
}

// Edition returns the ECMA-323 edition the connection encodes in.
func (c *Conn) Edition() Edition { return Edition(c.link.edition.Load()) }

// SessionID returns the open application session's ID, or "" when none is open.
func (c *Conn) SessionID() string {
	c.sessMu.Lock()
	defer c.sessMu.Unlock()
	return c.sessionID
}

// ResetApplicationSessionTimer keeps the application session alive, asking again for the
// duration requested at start. A negative response means the session is gone: it is
// returned as *ApplicationSessionError and the session ID is forgotten.
func (c *Conn) ResetApplicationSessionTimer(ctx context.Context) (*ResetApplicationSessionTimerPosResponse, error) {
	c.sessMu.Lock()
	req := &ResetApplicationSessionTimer{SessionID: c.sessionID, RequestedSessionDuration: c.sessDuration}
	c.sessMu.Unlock()
	if req.SessionID == "" {
		return nil, errors.New("csta: ResetApplicationSessionTimer: no application session is open; call StartApplicationSession first")
	}
	m, err := c.Request(ctx, req)
	if err != nil {
		return nil, err
	}
	switch r := m.(type) {
	case *ResetApplicationSessionTimerPosResponse:
		return r, nil
	case *ResetApplicationSessionTimerNegResponse:
		c.forgetSession(req.SessionID)
		return nil, &ApplicationSessionError{Service: "ResetApplicationSessionTimer", Code: r.ErrorCode}
	}
	return nil, &UnexpectedResponseError{Request: req.MessageName(), Response: m.MessageName()}
}

// StopApplicationSession ends the open application session with reason (e.g. "normal").
func (c *Conn) StopApplicationSession(ctx context.Context, reason string) error {
	sid := c.SessionID()
	if sid == "" {
		return errors.New("csta: StopApplicationSession: no application session is open")
	}
	m, err := c.Request(ctx, &StopApplicationSession{SessionID: sid, EndingReason: reason})
	if err != nil {
		return err
	}
	c.forgetSession(sid)
	if _, ok := m.(*StopApplicationSessionPosResponse); !ok {
		return &UnexpectedResponseError{Request: "StopApplicationSession", Response: m.MessageName()}
	}
	return nil
}

func (c *Conn) forgetSession(sid string) {
	c.sessMu.Lock()
	if c.sessionID == sid {
		c.sessionID = ""
	}
	c.sessMu.Unlock()
}

// SystemRegister registers for system status reports and returns the registration ID.
func (c *Conn) SystemRegister(ctx context.Context) (*SystemRegisterResponse, error) {
	m, err := c.Request(ctx, &SystemRegister{})
	if err != nil {
		return nil, err
	}
	r, ok := m.(*SystemRegisterResponse)
	if !ok {
		return nil, &UnexpectedResponseError{Request: "SystemRegister", Response: m.MessageName()}
	}
	return r, nil
}

// KeepAlive sends the dialect's heartbeat request and returns its round-trip time: a
// SystemStatus (normal) or a ResetApplicationSessionTimer. Any error (including a CSTA
// error response) means the heartbeat failed.
func (c *Conn) KeepAlive(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	switch c.dialect.KeepAlive {
	case KeepAliveResetTimer:
		if _, err := c.ResetApplicationSessionTimer(ctx); err != nil {
			return 0, err
		}
	case KeepAliveSystemStatus:
		m, err := c.Request(ctx, &SystemStatus{SystemStatus: SystemNormal})
		if err != nil {
			return 0, err
		}
		if _, ok := m.(*SystemStatusResponse); !ok {
			return 0, &UnexpectedResponseError{Request: "SystemStatus", Response: m.MessageName()}
		}
	default:
		return 0, fmt.Errorf("csta: dialect %s has no keep-alive method", c.dialect.Name)
	}
	return time.Since(start), nil
}
