package web

import (
	"encoding/json"
	"io"
	"sync"
	"time"

	"github.com/sirupsen/logrus"
)

// AuditEntry is one admin action as written to Config.AuditLog (one JSON object per line).
type AuditEntry struct {
	Time   time.Time `json:"time"`
	User   string    `json:"user"`
	Role   string    `json:"role"`
	Remote string    `json:"remote"`
	Action string    `json:"action"`           // e.g. "switchover", "failback", "list_clients"
	Target string    `json:"target,omitempty"` // e.g. the PBX
	Reason string    `json:"reason,omitempty"`
	Result string    `json:"result"` // "ok" or the error
}

// auditLog serialises entries to a writer, or to the logger when there is none.
type auditLog struct {
	mu  sync.Mutex
	w   io.Writer
	log *logrus.Entry
}

func (a *auditLog) record(e AuditEntry) {
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if a.w == nil {
		a.log.WithFields(logrus.Fields{"audit": true, "user": e.User, "role": e.Role,
			"remote": e.Remote, "action": e.Action, "target": e.Target, "reason": e.Reason,
			"result": e.Result}).Info("admin action")
		return
	}
	b, err := json.Marshal(e)
	if err != nil {
		a.log.WithError(err).Error("audit entry not encodable")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.w.Write(append(b, '\n')); err != nil {
		a.log.WithError(err).WithField("action", e.Action).Error("audit log write failed")
	}
}
