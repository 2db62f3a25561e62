package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// payload is the part of a delivery this CRM uses (docs/webhooks.md has all of it).
type payload struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Line string `json:"line"`
	Call struct {
		Handle string `json:"handle"`
		Info   *struct {
			Caller struct {
				Number string `json:"number"`
			} `json:"caller"`
		} `json:"info"`
	} `json:"call"`
	Summary *struct {
		Caller struct {
			Number string `json:"number"`
		} `json:"caller"`
		Outcome string `json:"outcome"`
	} `json:"summary"`
}

type crm struct {
	cfg    config
	api    *restAPI
	secret string
	seen   *seen
}

func (a *crm) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hook", a.hook)
	return mux
}

// hook receives one delivery: verify, deduplicate, act, answer 204 quickly.
func (a *crm) hook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "read body", http.StatusBadRequest)
		return
	}
	if err := verify(a.secret, r.Header.Get("Webhook-Signature"), body, time.Now()); err != nil {
		fmt.Println("crm: refused a delivery:", err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		http.Error(w, "bad JSON", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusNoContent)
	if !a.seen.first(p.ID) { // a retry or a repeat after a bridge takeover
		return
	}
	switch p.Kind {
	case "test":
		fmt.Println("crm: test delivery received")
	case "offering":
		if p.Call.Info != nil {
			fmt.Printf("crm: %s: call from %s\n", p.Line, a.who(p.Call.Info.Caller.Number))
		}
	case "ended":
		// Not answered: "missed" (rang out) or "abandoned" (the caller gave up first).
		if p.Summary == nil || (p.Summary.Outcome != "missed" && p.Summary.Outcome != "abandoned") {
			return
		}
		num := p.Summary.Caller.Number
		fmt.Printf("crm: %s: missed call from %s\n", p.Line, a.who(num))
		if _, known := a.cfg.contacts[num]; known && a.cfg.callback {
			go a.callBack(num)
		}
	}
}

func (a *crm) who(number string) string {
	if c, ok := a.cfg.contacts[number]; ok {
		return fmt.Sprintf("%s (%s) %s", c.name, c.company, number)
	}
	return number + " (not in contacts)"
}

func (a *crm) callBack(number string) {
	ctx, cancel := contextWithTimeout(15 * time.Second)
	defer cancel()
	h, err := a.api.dial(ctx, a.cfg.token, a.cfg.line, number)
	if err != nil {
		fmt.Printf("crm: calling back %s failed: %v\n", number, err)
		return
	}
	fmt.Printf("crm: calling back %s from %s: call %s\n", a.who(number), a.cfg.line, h)
}

// verify checks a Webhook-Signature header "t=<unix>,v1=<hex HMAC-SHA256(secret, t.body)>":
// the HMAC in constant time, and the timestamp within five minutes of now.
func verify(secret, header string, body []byte, now time.Time) error {
	var ts string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("no signature timestamp in %q", header)
	}
	if d := now.Sub(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return fmt.Errorf("signature timestamp %v off", d.Round(time.Second))
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts + "."))
	m.Write(body)
	want := m.Sum(nil)
	for _, s := range sigs {
		if got, err := hex.DecodeString(s); err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return fmt.Errorf("signature does not match")
}

// seen remembers the newest delivery IDs, to act on each event once.
type seen struct {
	mu    sync.Mutex
	ids   map[string]bool
	order []string
	max   int
}

func newSeen(max int) *seen { return &seen{ids: map[string]bool{}, max: max} }

func (s *seen) first(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ids[id] {
		return false
	}
	s.ids[id] = true
	s.order = append(s.order, id)
	if len(s.order) > s.max {
		delete(s.ids, s.order[0])
		s.order = s.order[1:]
	}
	return true
}
