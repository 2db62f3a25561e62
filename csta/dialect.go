package csta

import (
	"fmt"
	"strings"
)

// SessionStyle is how a switch expects a CSTA session to start.
type SessionStyle int

// Session styles.
const (
	// SessionSystemStatusFirst: the switch sends SystemStatus, the application answers and
	// then sends SystemRegister and its MonitorStarts.
	SessionSystemStatusFirst SessionStyle = iota + 1
	// SessionApplication: an ECMA-354 StartApplicationSession with credentials comes first.
	SessionApplication
)

func (s SessionStyle) String() string {
	switch s {
	case SessionSystemStatusFirst:
		return "systemStatusFirst"
	case SessionApplication:
		return "applicationSession"
	}
	return fmt.Sprintf("SessionStyle(%d)", int(s))
}

// KeepAliveMethod is the cheap request a link supervisor sends as a heartbeat.
type KeepAliveMethod int

// Keep-alive methods.
const (
	KeepAliveSystemStatus KeepAliveMethod = iota + 1 // SystemStatus request, SystemStatusResponse back
	KeepAliveResetTimer                              // ECMA-354 ResetApplicationSessionTimer
)

func (k KeepAliveMethod) String() string {
	switch k {
	case KeepAliveSystemStatus:
		return "SystemStatus"
	case KeepAliveResetTimer:
		return "ResetApplicationSessionTimer"
	}
	return fmt.Sprintf("KeepAliveMethod(%d)", int(k))
}

// Dialect gathers what differs between switches at the session level. The zero value
// behaves as the generic dialect.
type Dialect struct {
	Name        string
	Edition     Edition // ECMA-323 edition used when encoding
	Framing     Framing
	Session     SessionStyle
	KeepAlive   KeepAliveMethod
	DefaultPort int // used by Dial when the address has no port; 0 means none
}

// The dialect presets.
var (
	// DialectOSV is Unify/Atos OpenScape Voice: ed4, header framing, an application session
	// kept alive with ResetApplicationSessionTimer; CSTA XML on TCP port 1040.
	DialectOSV = Dialect{Name: "osv", Edition: Ed4, Framing: HeaderFraming{},
		Session: SessionApplication, KeepAlive: KeepAliveResetTimer, DefaultPort: 1040}
	// DialectOSBiz is OpenScape Business: ed4, header framing, SystemStatus first, port 8800.
	DialectOSBiz = Dialect{Name: "osbiz", Edition: Ed4, Framing: HeaderFraming{},
		Session: SessionSystemStatusFirst, KeepAlive: KeepAliveSystemStatus, DefaultPort: 8800}
	// DialectAvaya is Avaya AES (DMCC XML): ed3 namespace, header framing, an application
	// session kept alive with ResetApplicationSessionTimer, port 4721.
	DialectAvaya = Dialect{Name: "avaya", Edition: Ed3, Framing: HeaderFraming{},
		Session: SessionApplication, KeepAlive: KeepAliveResetTimer, DefaultPort: 4721}
	// DialectGeneric is a standard switch: ed4, header framing, SystemStatus first and as
	// heartbeat. It has no default port.
	DialectGeneric = Dialect{Name: "generic", Edition: Ed4, Framing: HeaderFraming{},
		Session: SessionSystemStatusFirst, KeepAlive: KeepAliveSystemStatus}
)

// Dialects returns the presets in a stable order.
func Dialects() []Dialect {
	return []Dialect{DialectOSV, DialectOSBiz, DialectAvaya, DialectGeneric}
}

// DialectByName returns the preset with the given name (case-insensitive).
func DialectByName(name string) (Dialect, error) {
	var names []string
	for _, d := range Dialects() {
		if strings.EqualFold(d.Name, strings.TrimSpace(name)) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	return Dialect{}, fmt.Errorf("csta: unknown dialect %q; valid dialects: %s", name, strings.Join(names, ", "))
}

// withDefaults fills what the zero value leaves open with the generic dialect's choices.
func (d Dialect) withDefaults() Dialect {
	if d.Name == "" {
		d.Name = DialectGeneric.Name
	}
	if d.Edition == 0 {
		d.Edition = DialectGeneric.Edition
	}
	if d.Framing == nil {
		d.Framing = DialectGeneric.Framing
	}
	if d.Session == 0 {
		d.Session = DialectGeneric.Session
	}
	if d.KeepAlive == 0 {
		d.KeepAlive = DialectGeneric.KeepAlive
	}
	return d
}
