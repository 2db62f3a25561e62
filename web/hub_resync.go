package web

import (
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// noteResync follows the PBX's resyncs (BRIDGE_RESYNC started .. completed) for fallBehind;
// under h.mu.
func (h *hub) noteResync(e *store.Entry) {
	r := e.Event.Resync
	if e.Event.Type != tapi.BridgeResync || r == nil {
		return
	}
	switch r.Phase {
	case "started":
		h.resyncGen++
		h.resyncing, h.resyncAt = true, time.Now()
	case "completed":
		h.resyncing = false
	}
}
