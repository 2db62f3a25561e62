package csta

import "strconv"

// XML encoding and decoding of the ECMA-354 application session services.

func init() {
	reg := func(f func() xmlMessage) { register([]string{f().MessageName()}, f) }
	reg(func() xmlMessage { return &StartApplicationSession{} })
	reg(func() xmlMessage { return &StartApplicationSessionPosResponse{} })
	reg(func() xmlMessage { return &StartApplicationSessionNegResponse{} })
	reg(func() xmlMessage { return &ResetApplicationSessionTimer{} })
	reg(func() xmlMessage { return &ResetApplicationSessionTimerPosResponse{} })
	reg(func() xmlMessage { return &ResetApplicationSessionTimerNegResponse{} })
	reg(func() xmlMessage { return &StopApplicationSession{} })
	reg(func() xmlMessage { return &StopApplicationSessionPosResponse{} })
	internNames("applicationInfo", "applicationID", "applicationSpecificInfo", "SessionLoginInfo",
		"userName", "password", "requestedProtocolVersions", "protocolVersion",
		"requestedSessionDuration", "sessionID", "actualProtocolVersion", "actualSessionDuration",
		"errorCode", "definedError", "sessionEndReason", "appEndReason")
}

func (m *StartApplicationSession) encodeXML(e *encoder) {
	e.open("applicationInfo")
	e.leafAlways("applicationID", m.ApplicationID)
	if m.UserID != "" || m.Password != "" {
		e.open("applicationSpecificInfo")
		e.open("SessionLoginInfo")
		e.leaf("userName", m.UserID)
		e.leaf("password", m.Password)
		e.close("SessionLoginInfo")
		e.close("applicationSpecificInfo")
	}
	e.close("applicationInfo")
	if len(m.RequestedProtocolVersions) > 0 {
		e.open("requestedProtocolVersions")
		for _, v := range m.RequestedProtocolVersions {
			e.leafAlways("protocolVersion", v)
		}
		e.close("requestedProtocolVersions")
	}
	e.intLeaf("requestedSessionDuration", m.RequestedSessionDuration)
}

func (m *StartApplicationSession) decodeXML(d *xdoc, root int32) error {
	if n := d.descendant(root, "applicationID"); n >= 0 {
		m.ApplicationID = d.textOf(n)
	}
	// Vendors wrap credentials differently (SessionLoginInfo, loginInfo, private elements);
	// look for the member names anywhere under applicationSpecificInfo.
	if info := d.descendant(root, "applicationSpecificInfo"); info >= 0 {
		for _, name := range []string{"userName", "userID", "loginID", "user"} {
			if n := d.descendant(info, name); n >= 0 {
				m.UserID = d.textOf(n)
				break
			}
		}
		if n := d.descendant(info, "password"); n >= 0 {
			m.Password = d.textOf(n)
		}
	}
	if n := d.child(root, "requestedProtocolVersions"); n >= 0 {
		d.eachDescendant(n, "protocolVersion", func(p int32) {
			m.RequestedProtocolVersions = append(m.RequestedProtocolVersions, d.textOf(p))
		})
	}
	if n := d.child(root, "requestedSessionDuration"); n >= 0 {
		v, err := d.intOf(n, "requestedSessionDuration")
		if err != nil {
			return err
		}
		m.RequestedSessionDuration = v
	}
	return nil
}

func (m *StartApplicationSessionPosResponse) encodeXML(e *encoder) {
	e.leafAlways("sessionID", m.SessionID)
	e.leaf("actualProtocolVersion", m.ActualProtocolVersion)
	e.leafAlways("actualSessionDuration", strconv.Itoa(m.ActualSessionDuration))
	if len(m.Extensions) > 0 {
		e.b = append(e.b, m.Extensions...)
	}
}

func (m *StartApplicationSessionPosResponse) decodeXML(d *xdoc, root int32) error {
	return d.fields(root, func(name string, n int32) error {
		var err error
		switch name {
		case "sessionID":
			m.SessionID = d.textOf(n)
		case "actualProtocolVersion":
			m.ActualProtocolVersion = d.textOf(n)
		case "actualSessionDuration":
			m.ActualSessionDuration, err = d.intOf(n, name)
		case "extensions":
			m.Extensions = d.raw(n)
		}
		return err
	})
}

// errorCodeOf reads an ECMA-354 errorCode: <errorCode><definedError>x</definedError></errorCode>,
// or any leaf below it.
func errorCodeOf(d *xdoc, root int32) string {
	n := d.child(root, "errorCode")
	if n < 0 {
		return ""
	}
	for d.nodes[n].first >= 0 {
		n = d.nodes[n].first
	}
	if s := d.textOf(n); s != "" {
		return s
	}
	return d.nodes[n].local
}

func encodeErrorCode(e *encoder, code string) {
	e.open("errorCode")
	e.leafAlways("definedError", code)
	e.close("errorCode")
}

func (m *StartApplicationSessionNegResponse) encodeXML(e *encoder) { encodeErrorCode(e, m.ErrorCode) }
func (m *StartApplicationSessionNegResponse) decodeXML(d *xdoc, root int32) error {
	m.ErrorCode = errorCodeOf(d, root)
	return nil
}

func (m *ResetApplicationSessionTimer) encodeXML(e *encoder) {
	e.leafAlways("sessionID", m.SessionID)
	e.intLeaf("requestedSessionDuration", m.RequestedSessionDuration)
}

func (m *ResetApplicationSessionTimer) decodeXML(d *xdoc, root int32) error {
	return d.fields(root, func(name string, n int32) error {
		var err error
		switch name {
		case "sessionID":
			m.SessionID = d.textOf(n)
		case "requestedSessionDuration":
			m.RequestedSessionDuration, err = d.intOf(n, name)
		}
		return err
	})
}

func (m *ResetApplicationSessionTimerPosResponse) encodeXML(e *encoder) {
	e.intLeaf("actualSessionDuration", m.ActualSessionDuration)
}

func (m *ResetApplicationSessionTimerPosResponse) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "actualSessionDuration"); n >= 0 {
		v, err := d.intOf(n, "actualSessionDuration")
		m.ActualSessionDuration = v
		return err
	}
	return nil
}

func (m *ResetApplicationSessionTimerNegResponse) encodeXML(e *encoder) {
	encodeErrorCode(e, m.ErrorCode)
}
func (m *ResetApplicationSessionTimerNegResponse) decodeXML(d *xdoc, root int32) error {
	m.ErrorCode = errorCodeOf(d, root)
	return nil
}

func (m *StopApplicationSession) encodeXML(e *encoder) {
	e.leafAlways("sessionID", m.SessionID)
	if m.EndingReason != "" {
		e.open("sessionEndReason")
		e.leafAlways("appEndReason", m.EndingReason)
		e.close("sessionEndReason")
	}
}

func (m *StopApplicationSession) decodeXML(d *xdoc, root int32) error {
	if n := d.child(root, "sessionID"); n >= 0 {
		m.SessionID = d.textOf(n)
	}
	if n := d.child(root, "sessionEndReason"); n >= 0 {
		if c := d.nodes[n].first; c >= 0 {
			m.EndingReason = d.textOf(c)
		} else {
			m.EndingReason = d.textOf(n)
		}
	}
	return nil
}

func (*StopApplicationSessionPosResponse) encodeXML(*encoder)           {}
func (*StopApplicationSessionPosResponse) decodeXML(*xdoc, int32) error { return nil }
