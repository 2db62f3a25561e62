package csta

// ECMA-354 application session services. Switches such as OpenScape Voice require a session
// before any CSTA service; it must be kept alive with ResetApplicationSessionTimer well inside
// actualSessionDuration.

// StartApplicationSession opens an application session; credentials travel in
// applicationSpecificInfo.
type StartApplicationSession struct {
	ApplicationID             string
	UserID                    string
	Password                  string
	RequestedProtocolVersions []string
	RequestedSessionDuration  int // seconds; 0 leaves the switch default
}

// StartApplicationSessionPosResponse accepts the session.
type StartApplicationSessionPosResponse struct {
	SessionID             string
	ActualProtocolVersion string
	ActualSessionDuration int // seconds
	Extensions            []byte
}

// StartApplicationSessionNegResponse refuses the session; ErrorCode is the element name or
// text of the reason (for example "invalidApplicationInfo" or "requestedProtocolVersionNotSupported").
type StartApplicationSessionNegResponse struct {
	ErrorCode string
}

// ResetApplicationSessionTimer keeps a session alive.
type ResetApplicationSessionTimer struct {
	SessionID                string
	RequestedSessionDuration int
}

// ResetApplicationSessionTimerPosResponse confirms the keep-alive.
type ResetApplicationSessionTimerPosResponse struct {
	ActualSessionDuration int
}

// ResetApplicationSessionTimerNegResponse refuses the keep-alive (the session is gone).
type ResetApplicationSessionTimerNegResponse struct {
	ErrorCode string
}

// StopApplicationSession ends a session.
type StopApplicationSession struct {
	SessionID    string
	EndingReason string // e.g. "normal"
}

// StopApplicationSessionPosResponse confirms StopApplicationSession.
type StopApplicationSessionPosResponse struct{}

func (*StartApplicationSession) MessageName() string { return "StartApplicationSession" }
func (*StartApplicationSessionPosResponse) MessageName() string {
	return "StartApplicationSessionPosResponse"
}
func (*StartApplicationSessionNegResponse) MessageName() string {
	return "StartApplicationSessionNegResponse"
}
func (*ResetApplicationSessionTimer) MessageName() string { return "ResetApplicationSessionTimer" }
func (*ResetApplicationSessionTimerPosResponse) MessageName() string {
	return "ResetApplicationSessionTimerPosResponse"
}
func (*ResetApplicationSessionTimerNegResponse) MessageName() string {
	return "ResetApplicationSessionTimerNegResponse"
}
func (*StopApplicationSession) MessageName() string { return "StopApplicationSession" }
func (*StopApplicationSessionPosResponse) MessageName() string {
	return "StopApplicationSessionPosResponse"
}
