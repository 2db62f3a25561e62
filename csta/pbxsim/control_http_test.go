package pbxsim

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestHTTPControlAndTruth(t *testing.T) {
	p, a, _ := startDuplex(t, Config{})
	cs, err := p.ServeControl(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Shutdown(context.Background()) })
	base := "http://" + cs.Addr()
	post := func(path, body string, want int) map[string]any {
		t.Helper()
		resp, err := http.Post(base+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		if resp.StatusCode != want {
			t.Fatalf("POST %s: %d %v, want %d", path, resp.StatusCode, out, want)
		}
		return out
	}
	out := post("/devices/201/dial", `{"to":"202"}`, http.StatusOK)
	id, _ := out["callID"].(string)
	if id == "" {
		t.Fatalf("dial reply %v", out)
	}
	post("/devices/202/answer", ``, http.StatusOK)
	post("/devices/202/answer", ``, http.StatusConflict)
	post("/devices/999/answer", ``, http.StatusNotFound)
	post("/devices/201/jump", ``, http.StatusNotFound)
	post("/devices/201/dial", `{"to":`, http.StatusBadRequest)
	post("/devices/201/dial", `{"too":"202"}`, http.StatusBadRequest)
	post("/incoming", `{"from":"+4930123456","to":"203"}`, http.StatusOK)

	resp, err := http.Get(base + "/truth")
	if err != nil {
		t.Fatal(err)
	}
	var tr Truth
	err = json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	if err != nil || len(tr.Calls) != 2 || tr.Calls[0].ID != id || tr.Calls[0].Parties[1].State != "connected" {
		t.Fatalf("truth %+v %v", tr.Calls, err)
	}
	post("/nodes/a/freeze", `{"on":true}`, http.StatusOK)
	if !a.Frozen() {
		t.Fatal("node not frozen over HTTP")
	}
	post("/nodes/zz/kill", ``, http.StatusNotFound)
	post("/restart", ``, http.StatusOK)
	if len(p.Truth().Calls) != 0 {
		t.Fatal("restart over HTTP left calls")
	}
}
