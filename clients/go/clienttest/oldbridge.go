package clienttest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// OldBridge plays a bridge older than the hello's omitLines, for the SDKs' fallback tests: it
// decodes each hello strictly, as every bridge did, so a hello with omitLines gets error
// bad_field (field omitLines) and the close 4001; one without it gets a welcome listing
// demo/202. It answers the REST check of the JS SDK's connect (GET /api/v1/me, CORS open).
type OldBridge struct {
	URL    string
	mu     sync.Mutex
	hellos []string
}

// Hellos returns the hellos received so far, in order.
func (o *OldBridge) Hellos() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.hellos...)
}

// StartOldBridge starts an OldBridge, stopped when the test ends.
func StartOldBridge(t testing.TB) *OldBridge {
	o := &OldBridge{}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization")
		if r.Method != http.MethodOptions {
			_, _ = w.Write([]byte(`{"user":"sam","role":"supervisor"}`))
		}
	})
	mux.HandleFunc("/ws", o.serveWS)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	o.URL = srv.URL
	return o
}

func (o *OldBridge) serveWS(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer ws.Close()
	_, data, err := ws.ReadMessage()
	if err != nil {
		return
	}
	o.mu.Lock()
	o.hellos = append(o.hellos, string(data))
	o.mu.Unlock()
	var hello struct {
		Type, Token, Client string
		V                   int
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&hello); err != nil {
		_ = ws.WriteJSON(map[string]any{"type": "error", "code": "bad_field", "field": "omitLines", "message": "hello: " + err.Error()})
		_ = ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "bad hello"))
		return
	}
	_ = ws.WriteJSON(map[string]any{"type": "welcome", "v": 1, "instance": "old", "user": "sam", "role": "supervisor",
		"lines": []map[string]any{{"name": "demo/202", "pbx": "demo", "deviceId": 2, "address": "202", "inService": true, "control": true, "ops": []string{}}},
		"pbxs":  []map[string]any{{"name": "demo", "active": "primary"}}})
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			return
		}
	}
}
