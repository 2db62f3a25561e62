package redisstore

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
)

func TestOptionsRejected(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"no addrs", Options{}, "Addrs is empty"},
		{"empty addr", Options{Addrs: []string{""}}, "Addrs[0] is empty"},
		{"negative log", Options{Addrs: []string{"x:1"}, MaxLogLen: -1}, "MaxLogLen is negative"},
		{"negative buffer", Options{Addrs: []string{"x:1"}, SubscriberBuffer: -5}, "SubscriberBuffer is negative"},
		{"negative probe", Options{Addrs: []string{"x:1"}, ProbeInterval: -time.Second}, "ProbeInterval is negative"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := New(t.Context(), c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New: %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

func TestNewFailsWhenRedisIsDown(t *testing.T) {
	port, err := redistest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err = New(ctx, Options{Addrs: []string{"127.0.0.1:" + itoa(port)}})
	if err == nil || !strings.Contains(err.Error(), "connect to") {
		t.Fatalf("New against a closed port: %v, want a connect error", err)
	}
}

// Every key of a PBX carries the same hash tag, so the scripts would run on Cluster.
func TestKeysShareOneHashTag(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, KeyPrefix: "t"})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	line := tapi.NewLine("hq", "201", "Desk")
	call := tapi.Call{Handle: "hq:1", Line: line.Name, CallID: "C1",
		CallStatus: tapi.CallStatus{State: tapi.LINECALLSTATE_CONNECTED}}
	j := store.JournalEntry{ID: "r1", Line: line.Name, Handle: "hq:0", Outcome: "missed", Ended: time.Now()}
	_, err = s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Lines: []tapi.Line{line}, Calls: []tapi.Call{call},
		Events: events("h", 2), Journal: []store.JournalEntry{j}, NextHandle: 2})
	if err != nil {
		t.Fatal(err)
	}
	stop := serveEcho(t, s, "hq", "a")
	defer stop()
	if _, err := sendUntilServed(t, s, "hq", "x"); err != nil {
		t.Fatal(err)
	}
	all, err := s.client.Keys(tctx(t), "*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 8 {
		t.Fatalf("only %d keys: %v", len(all), all)
	}
	for _, k := range all {
		if strings.HasPrefix(k, "t:replies:") || k == historyPBXs("t") {
			continue // one Store's reply list, the PBXs with history: single-key operations only
		}
		open := strings.IndexByte(k, '{')
		end := strings.IndexByte(k, '}')
		if !strings.HasPrefix(k, "t:") || open < 0 || end < open || k[open+1:end] != "pbx:hq" {
			t.Errorf("key %q lacks the prefix t: or the hash tag {pbx:hq}", k)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
