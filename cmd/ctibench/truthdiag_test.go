package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/tapi"
)

// The mirror keeps each line's last call events, oldest first.
func TestMirrorKeepsRecentEvents(t *testing.T) {
	m := newCallMirror()
	for i := range recentPerLine + 3 {
		if err := m.apply(stateEvent(t, uint64(i+1), "hq/10000", "h1", tapi.LINECALLSTATE_CONNECTED), uint64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.apply(newCallEvent(t, 99, "hq/10001", "h2", "7", tapi.LINECALLSTATE_OFFERING), 99); err != nil {
		t.Fatal(err)
	}
	r := m.recentOf("hq/10000")
	if len(r) != recentPerLine || r[0].off != 4 || r[len(r)-1].off != recentPerLine+3 {
		t.Errorf("recent events of hq/10000: %v", r)
	}
	if r := m.recentOf("hq/10001"); len(r) != 1 || r[0].String() != "@99 NEWCALL h2 id=7 OFFERING" {
		t.Errorf("recent events of hq/10001: %v", r)
	}
}

// A failed truth check says what the bridge holds for a differing line (its REST view), what
// the auditor last saw of it, the simulator's session drops and the bridge events.
func TestDiagnoseExplainsDifferingLine(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" || r.URL.Path != "/api/v1/lines/hq/10000/calls" {
			http.Error(w, "no", http.StatusNotFound)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"calls": []tapi.Call{{Handle: "h1", Line: "hq/10000", CallID: "7",
			CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}}}})
	}))
	defer srv.Close()
	sim, err := pbxsim.New(pbxsim.Config{Extensions: []string{"10000-10001"}})
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{o: &options{devices: 2}, sim: sim, token: "tok", audit: newAuditLog(),
		auditor: &benchClient{mirror: newCallMirror()},
		insts:   []*instance{{cfg: instanceConfig{InstanceID: "bench-1"}, addr: strings.TrimPrefix(srv.URL, "http://")}}}
	if err := b.auditor.mirror.apply(newCallEvent(t, 5, "hq/10000", "h1", "7", tapi.LINECALLSTATE_CONNECTED), 5); err != nil {
		t.Fatal(err)
	}
	b.audit.add(wireEvent{Offset: 6, Type: string(tapi.BridgeLinkStatus)}, eventBytes(t, 6, tapi.Event{Type: tapi.BridgeLinkStatus,
		Link: &tapi.LinkStatus{}}), time.Now())
	tc := b.compareTruth() // checkTruth would poll for truthDeadline first
	b.diagnose(context.Background(), &tc)
	if tc.Differ != 1 {
		t.Fatalf("truth: %+v", tc)
	}
	got := strings.Join(tc.Diagnosis, "\n")
	for _, want := range []string{"hq/10000: bridge bench-1 holds [h1=7:CONNECTED]", "hq/10000: auditor's last call events: @5 NEWCALL h1 id=7 CONNECTED",
		"simulator: 0 sessions shed, 0 events dropped", "bridge events: ", "BRIDGE_LINKSTATUS"} {
		if !strings.Contains(got, want) {
			t.Errorf("diagnosis lacks %q:\n%s", want, got)
		}
	}
}
