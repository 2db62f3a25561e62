package tspcore

import (
	"context"
	"testing"
	"time"
)

// tsp is one provider as TAPI drives it, with alice's line demo/201 open.
type tsp struct {
	p      *Provider
	rec    *tapiRecorder
	hdLine HDRVLINE
	device uint32
	req    uint32
}

const lineBase = 100 // dwLineDeviceIDBase TAPI gives in the tests

func openAlice(t *testing.T, cfg Config) *tsp {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = "alice-demo-token"
	}
	if len(cfg.URLs) == 0 {
		cfg.URLs = []string{shared.url}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Shutdown() })
	n, err := p.EnumDevices(ctx)
	if err != nil {
		t.Fatalf("TSPI_providerEnumDevices: %v", err)
	}
	if n != 1 {
		t.Fatalf("TSPI_providerEnumDevices: %d lines, want 1 (alice controls demo/201 only)", n)
	}
	rec := newRecorder()
	if err := p.Init(ctx, 7, lineBase, rec.completion); err != nil {
		t.Fatalf("TSPI_providerInit: %v", err)
	}
	v, err := p.NegotiateTSPIVersion(lineBase, 0x00010004, 0x00030001)
	if err != nil || v != TAPI_VERSION3_0 {
		t.Fatalf("TSPI_lineNegotiateTSPIVersion: %#x, %v; want 0x30000", v, err)
	}
	hd, err := p.Open(ctx, lineBase, 0x55, v, rec.events())
	if err != nil {
		t.Fatalf("TSPI_lineOpen: %v", err)
	}
	return &tsp{p: p, rec: rec, hdLine: hd, device: lineBase, req: 0}
}

func (s *tsp) nextReq() uint32 { s.req++; return s.req }

// hd returns the hdCall the provider gave the call TAPI knows as ht.
func (s *tsp) hd(t *testing.T, ht HTAPICALL) HDRVCALL {
	t.Helper()
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	for hd, c := range s.p.calls {
		if c.ht == ht {
			return hd
		}
	}
	t.Fatalf("no hdCall for htCall %#x", uintptr(ht))
	return 0
}

// ht returns the htCall TAPI knows the call hd as.
func (s *tsp) ht(t *testing.T, hd HDRVCALL) HTAPICALL {
	t.Helper()
	s.p.mu.Lock()
	defer s.p.mu.Unlock()
	c, ok := s.p.calls[hd]
	if !ok {
		t.Fatalf("no call for hdCall %#x", uintptr(hd))
	}
	return c.ht
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// step checks what one action makes TAPI receive: exactly the events want (in order) and,
// if complete is non-empty, that completion.
func (s *tsp) step(t *testing.T, what string, complete string, want ...string) {
	t.Helper()
	var waits []string
	if len(want) > 0 {
		waits = append(waits, want[len(want)-1])
	}
	if complete != "" {
		waits = append(waits, complete)
	}
	ev, comp := split(s.rec.waitAll(t, waits...))
	expectSeq(t, what, ev, want)
	if complete != "" {
		expectSeq(t, what+" (ASYNC_COMPLETION)", comp, []string{complete})
	}
}

// quiet fails if TAPI received anything else (after waiting for a simulator round trip).
func (s *tsp) quiet(t *testing.T) {
	t.Helper()
	time.Sleep(300 * time.Millisecond)
	if rest := s.rec.take(); len(rest) > 0 {
		t.Fatalf("unexpected messages for TAPI: %q", rest)
	}
}
