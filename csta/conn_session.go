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
