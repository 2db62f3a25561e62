package pbxsim

import (
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// ECMA-354 application sessions as OpenScape Voice plays them: credentials are checked, the
// session lasts actualSessionDuration seconds unless ResetApplicationSessionTimer renews it,
// and an expired session ends the link.

// Negative response codes (ECMA-354 §7.1.2 / 7.2.2 error values).
const (
	appErrInvalidApplicationInfo = csta.AppErrInvalidApplicationInfo
	appErrInvalidSessionID       = csta.AppErrInvalidSessionID
)

// maxSessionDuration caps what a client may ask for, like a switch's configured maximum.
const maxSessionDuration = 3600

func (s *session) startApp(r *csta.StartApplicationSession) csta.Message {
	cfg := s.n.p.cfg
	if cfg.User != "" && (r.UserID != cfg.User || r.Password != cfg.Password) {
		return &csta.StartApplicationSessionNegResponse{ErrorCode: appErrInvalidApplicationInfo}
	}
	if !s.speaks(r.RequestedProtocolVersions) {
		return &csta.StartApplicationSessionNegResponse{ErrorCode: csta.AppErrProtocolVersionNotSupported}
	}
	dur := s.grant(r.RequestedSessionDuration)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appID == "" {
		s.appID = strconv.FormatUint(900000000+s.n.sessionSeq.Add(1), 10)
	}
	s.appClosed = false
	s.armLocked(dur)
	return &csta.StartApplicationSessionPosResponse{
		SessionID:             s.appID,
		ActualProtocolVersion: s.n.edition.Namespace(),
		ActualSessionDuration: seconds(dur),
	}
}

// speaks reports whether requestedProtocolVersions (mandatory in ECMA-354) names the node's
// ECMA-323 edition: anywhere in the list, or first with Config.FirstVersionOnly.
func (s *session) speaks(versions []string) bool {
	ns := s.n.edition.Namespace()
	for i, v := range versions {
		if strings.TrimSpace(v) == ns {
			return true
		}
		if i == 0 && s.n.p.cfg.FirstVersionOnly {
			return false
		}
	}
	return false
}

func (s *session) resetApp(r *csta.ResetApplicationSessionTimer) csta.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appID == "" || s.appClosed || r.SessionID != s.appID {
		return &csta.ResetApplicationSessionTimerNegResponse{ErrorCode: appErrInvalidSessionID}
	}
	dur := s.grant(r.RequestedSessionDuration)
	s.armLocked(dur)
	s.n.resets.Add(1)
	return &csta.ResetApplicationSessionTimerPosResponse{ActualSessionDuration: seconds(dur)}
}

func (s *session) stopApp(r *csta.StopApplicationSession) csta.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appID == "" || s.appClosed || r.SessionID != s.appID {
		return &csta.Error{Category: csta.ErrCatOperation, Value: appErrInvalidSessionID}
	}
	s.appClosed = true
	if s.appTimer != nil {
		s.appTimer.Stop()
	}
	return &csta.StopApplicationSessionPosResponse{}
}

// grant returns the session duration: what was asked within the cap, else the configured
// default (which tests set below a second).
func (s *session) grant(requested int) time.Duration {
	if requested > 0 {
		return time.Duration(min(requested, maxSessionDuration)) * time.Second
	}
	return s.n.p.cfg.SessionDuration
}

// seconds is a duration as reported in actualSessionDuration (at least 1).
func seconds(d time.Duration) int { return max(1, int(d/time.Second)) }

// armLocked (re)starts the expiry timer; s.mu is held.
func (s *session) armLocked(d time.Duration) {
	if s.appTimer != nil {
		s.appTimer.Stop()
	}
	s.appTimer = time.AfterFunc(d, func() { s.drop("application session expired") })
}

// SessionResets returns how many ResetApplicationSessionTimer requests the node granted.
func (n *Node) SessionResets() uint64 { return n.resets.Load() }
