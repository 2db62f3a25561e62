package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// The fault suite of issue 17: what the attacker's and the failing datacentre's probes did,
// as scenarios. Each asserts that the bridge process stays up, that its memory stays
// bounded, that its status (/readyz, GET /api/v1/links) says what the fault dictates, and,
// with verify, that nothing is lost once the fault ends.

// Redis reaches maxmemory (noeviction) under traffic: the owner's writes are refused while
// its reads work. The owner must say so (degraded, /readyz 503 with the reason) within
// store.degrade_after, give the link up, and an instance must take over once memory is
// back, with every client matching the log and the switch.
func TestFaultRedisMaxmemory(t *testing.T) {
	const degradeAfter = 2 * time.Second
	scenario(t, clusterOpts{degradeAfter: degradeAfter}, func(c *cluster) {
		owner := c.owner()
		mem := watchMemory(t, c.bridges...)
		used := redisInfo(t, c, "memory", "used_memory")
		mustRedis(t, c, "CONFIG", "SET", "maxmemory-policy", "noeviction")
		mustRedis(t, c, "CONFIG", "SET", "maxmemory", strconv.FormatInt(used+16<<10, 10))
		t0 := time.Now()
		restored := false
		restore := func() {
			if !restored {
				restored = true
				mustRedis(t, c, "CONFIG", "SET", "maxmemory", "0")
			}
		}
		defer restore()

		// Degraded within the bound, counted from the start of the run of failed writes that
		// the owner reports (Redis near its limit lets a write through now and then, as
		// memory of client buffers is freed, and a success restarts the bound).
		var firstTrouble, streak, degradedAt time.Time
		var reason string
		var degradedSince time.Time
		streaks := 0
		limit, ratchets, lastRatchet := used+16<<10, 0, time.Now()
		err := poll(c.ctx, degradeAfter+15*time.Second, func() error {
			li, err := owner.link(c.ctx)
			if err != nil {
				return err
			}
			// Near the limit a write gets through now and then, as Redis frees client
			// buffers; take that headroom away each second until the owner degrades.
			if li.Degraded == "" && time.Since(lastRatchet) > time.Second {
				if now := redisInfo(t, c, "memory", "used_memory"); now < limit {
					limit, lastRatchet = now, time.Now()
					ratchets++
					mustRedis(t, c, "CONFIG", "SET", "maxmemory", strconv.FormatInt(limit, 10))
				}
			}
			switch {
			case li.StoreTrouble == "" && li.Degraded == "":
				streak = time.Time{}
			case streak.IsZero():
				streak = time.Now()
				streaks++
				if firstTrouble.IsZero() {
					firstTrouble = streak
				}
			}
			if li.Degraded == "" {
				return fmt.Errorf("%s not degraded (store trouble %q)", owner.id, li.StoreTrouble)
			}
			if li.OwnedHere {
				return fmt.Errorf("%s degraded but still says it owns the link", owner.id)
			}
			st, body := owner.readyz(c.ctx)
			if st != http.StatusServiceUnavailable || !strings.Contains(body, "degraded") {
				return fmt.Errorf("%s degraded, but /readyz answers %d %s", owner.id, st, body)
			}
			degradedAt, reason = time.Now(), body
			if li.DegradedSince != nil {
				degradedSince = *li.DegradedSince
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Redis at maxmemory: %v", err)
		}
		// Status polls cannot see a write that got through between two of them: a margin.
		if !degradedSince.IsZero() {
			degradedAt = degradedSince
		}
		// How long degrading took is a figure (logged below), not a pass/fail threshold: the
		// poll above already bounds it, and the engine's tests check the order of events.
		t.Logf("%s: %d runs of failing writes seen before it degraded (maxmemory lowered to used_memory %d times meanwhile); the last began %v after maxmemory was set, degraded %v later",
			owner.id, streaks, ratchets, streak.Sub(t0).Round(time.Millisecond), degradedAt.Sub(streak).Round(time.Millisecond))
		t.Logf("%s /readyz: %s", owner.id, strings.TrimSpace(reason))

		// A command meanwhile is refused, not answered 200 and lost.
		dnd := make(chan string, 1)
		go func() {
			st, body, err := do(c.ctx, http.MethodPut, owner.url+"/api/v1/lines/"+userLine+"/dnd", userToken, map[string]bool{"enable": true})
			dnd <- fmt.Sprintf("%d %s %v", st, bytes.TrimSpace(body), err)
		}()

		// Hold the fault a while after the owner gave up.
		hold := t0.Add(degradeAfter + 3*time.Second)
		if degradedAt.Add(time.Second).After(hold) {
			hold = degradedAt.Add(time.Second)
		}
		time.Sleep(time.Until(hold))
		// A write may get through now and then (memory of client buffers is freed), so another
		// instance may take the lease meanwhile; whoever says it owns the link must hold it.
		for _, b := range c.bridges {
			if li, err := b.link(c.ctx); err == nil && li.OwnedHere {
				if o := c.owner(); o != b {
					t.Errorf("%s says it owns the link, the store says %s does", b.id, idOf(o))
				} else {
					t.Logf("%s took the lease while Redis was at maxmemory (a write got through)", b.id)
				}
			}
		}
		restore()
		tRestore := time.Now()
		by, servedAt := c.waitServed(20 * time.Second)
		dndAnswer := <-dnd
		if strings.HasPrefix(dndAnswer, "200") {
			if tr, err := c.truth(); err == nil && !deviceDND(tr, strings.TrimPrefix(userLine, pbxName+"/")) {
				t.Errorf("DND while the store refused writes was answered %s and never took effect", dndAnswer)
			}
		}
		mem.check(c.ctx, t, "Redis at maxmemory")

		resyncs := 0
		for _, o := range c.clients {
			for _, s := range o.received() {
				if s.resync != nil && s.at.After(t0) {
					resyncs++
				}
			}
		}
		logs, order, _, _ := c.rec.snapshot()
		during, after := 0, 0
		for _, ep := range order {
			for _, e := range logs[ep] {
				switch {
				case e.Event.Time.After(tRestore):
					after++
				case e.Event.Time.After(t0):
					during++
				}
			}
		}
		c.logTimes("Redis maxmemory (owner "+owner.id+")", t0, map[string]time.Time{
			"first failed write reported":        firstTrouble,
			"last run of failed writes began":    streak,
			"degraded (readyz 503, links)":       degradedAt,
			"degradedSince (LinkInfo)":           degradedSince,
			"maxmemory restored":                 tRestore,
			"link served again by " + by.id:      servedAt,
			"resync completed (BRIDGE_RESYNC)":   firstResync(c, tRestore),
			"first line event at a client again": firstClientEvent(c, tRestore),
		})
		t.Logf("Redis maxmemory: takeover %v after memory came back; %d log entries written while full, %d after; %d client resyncs; DND meanwhile: %s",
			servedAt.Sub(tRestore).Round(time.Millisecond), during, after, resyncs, dndAnswer)
	})
}

// Redis freezes (SIGSTOP) for longer than the lease: the owner must fence itself and say
// so (not owned, /readyz 503) within the lease, and the link must be served again once Redis
// answers.
func TestFaultRedisFrozen(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		owner := c.owner()
		mem := watchMemory(t, c.bridges...)
		c.redis.Pause()
		t0 := time.Now()
		resumed := false
		defer func() {
			if !resumed {
				c.redis.Resume()
			}
		}()
		var fencedAt, unreadyAt time.Time
		err := poll(c.ctx, leaseTTL+3*time.Second, func() error {
			li, err := owner.link(c.ctx)
			if err != nil {
				return err
			}
			if li.OwnedHere && fencedAt.IsZero() {
				return fmt.Errorf("%s still says it owns the link", owner.id)
			}
			if fencedAt.IsZero() {
				fencedAt = time.Now()
			}
			if st, body := owner.readyz(c.ctx); st == http.StatusOK {
				return fmt.Errorf("%s /readyz still 200: %s", owner.id, body)
			}
			unreadyAt = time.Now()
			return nil
		})
		if err != nil {
			t.Fatalf("Redis frozen: %v", err)
		}
		// The lease is the budget; the poll bounds it and the time is logged below (the
		// engine's tests check that status flips at the fence itself).
		time.Sleep(time.Until(t0.Add(2 * leaseTTL)))
		for _, b := range c.bridges {
			if li, err := b.link(c.ctx); err == nil && li.OwnedHere {
				t.Errorf("%s says it owns the link while Redis is frozen", b.id)
			}
		}
		c.redis.Resume()
		resumed = true
		tResume := time.Now()
		by, servedAt := c.waitServed(20 * time.Second)
		mem.check(c.ctx, t, "Redis frozen")
		c.logTimes("Redis SIGSTOP (owner "+owner.id+")", t0, map[string]time.Time{
			"owner says not owned":               fencedAt,
			"owner /readyz not 200":              unreadyAt,
			"Redis resumed":                      tResume,
			"link served again by " + by.id:      servedAt,
			"resync completed (BRIDGE_RESYNC)":   firstResync(c, tResume),
			"first line event at a client again": firstClientEvent(c, tResume),
		})
	})
}

// 200 connections send a POST's headers and never its body to one instance: each must be
// answered (408, or 401 for the ones without a token) or closed within web.read_timeout, the
// instance keeps answering, and SIGTERM with 200 more such connections open ends it promptly.
func TestFaultStalledHTTPBodies(t *testing.T) {
	const readTimeout = 2 * time.Second
	scenario(t, clusterOpts{readTimeout: readTimeout}, func(c *cluster) {
		victim := c.others(c.owner())[0]
		mem := watchMemory(t, victim)
		addr := strings.TrimPrefix(victim.url, "http://")

		t0 := time.Now()
		results := stallBodies(c.ctx, t, addr, 200)
		// While they stall, the instance answers.
		if st, _, err := get(c.ctx, victim.url+"/healthz", ""); err != nil || st != http.StatusOK {
			t.Errorf("%s /healthz with 200 stalled requests: %d %v", victim.id, st, err)
		}
		mem.check(c.ctx, t, "200 stalled bodies open")
		got := map[string]int{}
		var last time.Duration
		for range 200 {
			select {
			case r := <-results:
				got[r.answer]++
				last = max(last, r.after)
			case <-time.After(readTimeout + 10*time.Second):
				t.Fatalf("stalled requests not answered or closed within %v: %v so far", readTimeout+10*time.Second, got)
			}
		}
		t.Logf("200 stalled bodies (150 with a token, 50 without): answers %v, the last %v after the headers (read_timeout %v); took %v",
			got, last.Round(time.Millisecond), readTimeout, time.Since(t0).Round(time.Millisecond))
		for a, n := range got {
			if a != "408" && a != "401" && a != "closed" {
				t.Errorf("%d stalled requests answered %s, want 408, 401 or closed", n, a)
			}
		}
		mem.check(c.ctx, t, "stalled bodies answered")

		// SIGTERM with 200 more stalled.
		more := stallBodies(c.ctx, t, addr, 200)
		tTerm := time.Now()
		victim.signal(syscall.SIGTERM)
		if err := victim.wait(20 * time.Second); err != nil {
			t.Errorf("SIGTERM with 200 stalled requests open: %v", err)
		}
		t.Logf("%s exited %v after SIGTERM with 200 stalled requests open", victim.id, time.Since(tTerm).Round(time.Millisecond))
		for range 200 {
			select {
			case <-more:
			case <-time.After(5 * time.Second):
				t.Fatalf("a stalled connection stayed open after %s exited", victim.id)
			}
		}
	})
}

// stallResult is what one stalled request got.
type stallResult struct {
	answer string // HTTP status, "closed", or the client-side error
	after  time.Duration
}

// stallBodies opens n connections to addr that each send a POST's headers announcing a body
// and then nothing; three in four carry a valid token. The answers come on the channel.
func stallBodies(ctx context.Context, t testing.TB, addr string, n int) <-chan stallResult {
	t.Helper()
	out := make(chan stallResult, n)
	var sent sync.WaitGroup
	for i := range n {
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err != nil {
			t.Fatalf("stalled connection %d: %v", i, err)
		}
		auth := ""
		if i%4 != 3 {
			auth = "Authorization: Bearer " + watcherToken + "\r\n"
		}
		req := "POST /api/v1/lines/" + userLine + "/dial HTTP/1.1\r\nHost: " + addr + "\r\n" + auth +
			"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
		sent.Add(1)
		go func() { // ends when the server answers or closes, or after 30 s
			defer conn.Close()
			start := time.Now()
			_, err := io.WriteString(conn, req)
			sent.Done()
			if err != nil {
				out <- stallResult{"write: " + err.Error(), time.Since(start)}
				return
			}
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			switch {
			case err == nil:
				resp.Body.Close()
				out <- stallResult{strconv.Itoa(resp.StatusCode), time.Since(start)}
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
				out <- stallResult{"closed", time.Since(start)}
			default:
				out <- stallResult{err.Error(), time.Since(start)}
			}
		}()
	}
	sent.Wait()
	_ = ctx
	return out
}

// Hostile frames from the switch, put between the active node's frames by the CSTA proxy:
// a DOCTYPE, 10,000 levels of nesting, invalid UTF-8, a 64 KB frame and 20,000 undecodable
// events in a burst, which the bridge survives, counts and logs at a pace; then lengths that
// lie (too short for a header, shorter than the body) and a stall in mid-frame, after which
// it must reconnect or switch nodes. Nothing may be lost.
func TestFaultHostilePBXFrames(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		owner, _ := c.waitServed(10 * time.Second)
		mem := watchMemory(t, owner)
		problems0, err := owner.metric(c.ctx, "ctibridge_csta_protocol_errors_total")
		if err != nil {
			t.Fatal(err)
		}
		lines0 := owner.logLines("CSTA protocol problem")
		t0 := time.Now()

		// conn returns the proxy of the owner's active node and its connection there.
		conn := func(what string) (*cstaProxy, int) {
			t.Helper()
			li, err := owner.link(c.ctx)
			p := c.proxies[li.Active]
			if err != nil || p == nil || p.newest(owner.id) == 0 {
				t.Fatalf("%s: %s has no connection to its active node %q (%v)", what, owner.id, li.Active, err)
			}
			return p, p.newest(owner.id)
		}
		inject := func(what string, write func(w io.Writer) error) (*cstaProxy, int) {
			t.Helper()
			p, id := conn(what)
			if err := p.inject(id, write); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return p, id
		}
		frames := func(bodies ...[]byte) func(io.Writer) error {
			return func(w io.Writer) error {
				var buf []byte
				for _, b := range bodies {
					var err error
					if buf, err = (csta.HeaderFraming{}).AppendFrame(buf, csta.Frame{InvokeID: csta.EventInvokeID, Body: b}); err != nil {
						return err
					}
				}
				_, err := w.Write(buf)
				return err
			}
		}
		// fatal injects what must cost the bridge its connection: it waits until the bridge
		// has dropped it and serves the link again, and logs how long that took.
		fatal := func(what string, write func(w io.Writer) error) {
			t.Helper()
			s := time.Now()
			p, id := conn(what)
			injected := make(chan error, 1)
			go func() { injected <- p.inject(id, write) }() // returns when write does
			var dropped time.Time
			err := poll(c.ctx, 20*time.Second, func() error {
				// The proxy holds a stalled connection until the stall ends; the bridge has
				// left it when it serves the link from the other node.
				li, err := owner.link(c.ctx)
				if err != nil {
					return err
				}
				if p.open(id) && li.Active == p.node {
					return fmt.Errorf("%s still uses the connection that sent it", owner.id)
				}
				if dropped.IsZero() {
					dropped = time.Now()
				}
				return owner.serving(c.ctx)
			})
			if err != nil {
				t.Fatalf("after %s: %v", what, err)
			}
			served := time.Now()
			if err := <-injected; err != nil {
				t.Logf("hostile frames: %s: %v", what, err)
			}
			li, _ := owner.link(c.ctx)
			t.Logf("hostile frames: %-30s connection dropped after %v, link served again after %v (active node now %s)",
				what, dropped.Sub(s).Round(time.Millisecond), served.Sub(s).Round(time.Millisecond), li.Active)
		}
		const ns = `xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed4"`

		// Survivable ones: counted, logged at a pace, the connection kept.
		p, id := inject("DOCTYPE", frames([]byte(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>`+
			`<DeliveredEvent `+ns+`><monitorCrossRefID>&b;</monitorCrossRefID></DeliveredEvent>`)))
		inject("deep nesting", frames([]byte(`<DeliveredEvent `+ns+`>`+strings.Repeat("<a>", 10000))))
		inject("invalid UTF-8", frames([]byte(`<DeliveredEvent `+ns+`><monitorCrossRefID>`+"\xff\xfe\xc3\x28"+`</monitorCrossRefID>`+
			`<connection><callID>`+"\xed\xa0\x80"+`</callID></connection></DeliveredEvent>`)))
		big := `<DeliveredEvent ` + ns + `><monitorCrossRefID>`
		big += strings.Repeat("9", 0xFFFF-8-len(big)-len(`</monitorCrossRefID></DeliveredEvent>`)) + `</monitorCrossRefID></DeliveredEvent>`
		inject("64 KB frame", frames([]byte(big)))
		const floodN = 20000
		flood := make([][]byte, floodN)
		for i := range flood {
			flood[i] = []byte(`<EstablishedEvent ` + ns + `><monitorCrossRefID>` + strconv.Itoa(i) + `</monitorCrossRefID><establishedConnection`)
		}
		fs := time.Now()
		inject("flood", frames(flood...))
		t.Logf("hostile frames: %d undecodable events written in %v", floodN, time.Since(fs).Round(time.Millisecond))
		var problems float64
		err = poll(c.ctx, 10*time.Second, func() error {
			var err error
			if problems, err = owner.metric(c.ctx, "ctibridge_csta_protocol_errors_total"); err != nil {
				return err
			}
			if problems-problems0 < floodN {
				return fmt.Errorf("ctibridge_csta_protocol_errors_total grew by %.0f, less than the %d events of the flood", problems-problems0, floodN)
			}
			return nil
		})
		kept := p.open(id)
		switch {
		case err != nil && kept:
			t.Error(err)
		case err != nil:
			// Dropping the connection of a switch that floods the bridge is allowed (the
			// event queue overflowed); counting what it read before is still required.
			t.Logf("hostile frames: the connection was dropped during the flood: %v", err)
			if problems-problems0 < 1000 {
				t.Error(err)
			}
		}
		if owner.exited() {
			t.Fatalf("%s exited after the hostile frames", owner.id)
		}
		if err := owner.serving(c.ctx); err != nil {
			t.Errorf("after DOCTYPE, nesting, UTF-8, 64 KB and flood: %v", err)
		}
		lines := owner.logLines("CSTA protocol problem") - lines0
		t.Logf("hostile frames: %.0f protocol errors counted, %d log lines about them, connection kept: %v", problems-problems0, lines, kept)
		if lines > 20 {
			t.Errorf("%d log lines for %.0f protocol errors: not paced", lines, problems-problems0)
		}

		// Fatal ones: the bridge must drop the connection and serve the link again.
		fatal("length below the header", func(w io.Writer) error {
			_, err := w.Write([]byte{0, 0, 0, 4, '9', '9', '9', '9'})
			return err
		})
		fatal("length shorter than the body", func(w io.Writer) error {
			body := []byte(`<DeliveredEvent ` + ns + `><monitorCrossRefID>1</monitorCrossRefID></DeliveredEvent>`)
			hdr := []byte{0, 0, 0, 0, '9', '9', '9', '9'}
			binary.BigEndian.PutUint16(hdr[2:], uint16(8+20))
			_, err := w.Write(append(hdr, body...))
			return err
		})
		fatal("stall mid-frame", func(w io.Writer) error {
			hdr := []byte{0, 0, 0, 0, '9', '9', '9', '9'}
			binary.BigEndian.PutUint16(hdr[2:], 2000)
			if _, err := w.Write(append(hdr, []byte(`<DeliveredEvent `+ns+`><monitorCrossRefID>`)...)); err != nil {
				return err
			}
			time.Sleep(3 * time.Second) // the stall: nothing more on this connection meanwhile
			return nil
		})
		if o := c.owner(); o != owner {
			t.Errorf("hostile frames: the lease moved from %s to %s", owner.id, idOf(o))
		}
		mem.check(c.ctx, t, "hostile PBX frames")
		t.Logf("hostile frames: %s warnings and errors:%s", owner.id, owner.logSummary(t0))
	})
}

// A user owning one line probes every WebSocket op and REST route against the lines and calls
// it may not touch: every answer is the documented refusal (hidden lines answer as missing
// ones), and nothing reaches the switch.
func TestFaultACLProbes(t *testing.T) {
	scenario(t, clusterOpts{}, func(c *cluster) {
		c.gen.stopGen()
		defer c.gen.start(c.ctx, uint64(time.Now().UnixNano()))
		other, handle := c.foreignCall()
		own := strings.TrimPrefix(userLine, pbxName+"/")
		hidden := pbxName + "/" + other // exists, not alice's
		missing := pbxName + "/299"     // does not exist (nor is it monitored)
		before, err := c.truth()
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		owner := c.owner()
		mem := watchMemory(t, c.bridges...)

		// WebSocket, at the owner.
		ws := dialWS(c.ctx, t, owner, userToken)
		ws.send(map[string]any{"type": "subscribe", "lines": []string{hidden}})
		m1 := ws.next("error", "subscribed")
		ws.send(map[string]any{"type": "subscribe", "lines": []string{missing}})
		m2 := ws.next("error", "subscribed")
		if m1["type"] != "error" || m1["code"] != "unknown_line" || m2["code"] != "unknown_line" {
			t.Errorf("subscribe to a hidden line: %v; to a missing one: %v (want both unknown_line)", m1, m2)
		}
		ops := []map[string]any{
			{"op": "makeCall", "number": "202"},
			{"op": "answer", "handle": handle},
			{"op": "drop", "handle": handle},
			{"op": "hold", "handle": handle},
			{"op": "unhold", "handle": handle},
			{"op": "blindTransfer", "handle": handle, "number": "202"},
			{"op": "setupTransfer", "handle": handle, "number": "202"},
			{"op": "completeTransfer", "handle": handle, "handle2": handle},
			{"op": "conference", "handle": handle, "handle2": handle},
			{"op": "redirect", "handle": handle, "number": "202"},
			{"op": "pickup", "number": own},
			{"op": "groupPickup"},
			{"op": "generateDigits", "handle": handle, "number": "123"},
			{"op": "forward", "forwardMode": "LINEFORWARDMODE_UNCOND", "enable": true, "number": "202"},
			{"op": "dnd", "enable": true},
		}
		wsProbes := 0
		for _, op := range ops {
			// Acting on a line alice may not see: exactly the answer of a missing line.
			onHidden := ws.command(with(op, "line", hidden))
			onMissing := ws.command(with(op, "line", missing))
			wsProbes += 2
			if onHidden.Result != tapi.LINEERR_BADDEVICEID || onMissing.Result != tapi.LINEERR_BADDEVICEID ||
				strings.ReplaceAll(onHidden.Error, hidden, "X") != strings.ReplaceAll(onMissing.Error, missing, "X") {
				t.Errorf("ws %s on hidden %s: %s %q; on missing %s: %s %q (want the same LINEERR_BADDEVICEID)",
					op["op"], hidden, onHidden.Result, onHidden.Error, missing, onMissing.Result, onMissing.Error)
			}
		}
		// On alice's own line, with what belongs to others.
		ownProbes := []struct {
			cmd  map[string]any
			want tapi.LineErr
		}{
			{map[string]any{"op": "answer", "handle": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "drop", "handle": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "hold", "handle": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "unhold", "handle": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "blindTransfer", "handle": handle, "number": "202"}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "setupTransfer", "handle": handle, "number": "202"}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "completeTransfer", "handle": handle, "handle2": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "conference", "handle": handle, "handle2": handle}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "redirect", "handle": handle, "number": "202"}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "generateDigits", "handle": handle, "number": "1"}, tapi.LINEERR_INVALCALLHANDLE},
			{map[string]any{"op": "pickup", "number": other}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "pickup", "number": "299"}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "groupPickup", "number": other}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "makeCall", "number": strings.Repeat("1", 5000)}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "makeCall", "number": "202<x>"}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "forward", "forwardMode": "LINEFORWARDMODE_UNCOND", "enable": true, "number": strings.Repeat("9", 65)}, tapi.LINEERR_INVALADDRESS},
			{map[string]any{"op": "dnd", "enable": true, "number": "202"}, tapi.LINEERR_INVALPARAM},
			{map[string]any{"op": "selfDestruct"}, tapi.LINEERR_OPERATIONUNAVAIL},
		}
		for _, p := range ownProbes {
			r := ws.command(with(p.cmd, "line", userLine))
			wsProbes++
			if r.Result != p.want {
				t.Errorf("ws %v on %s: %s %q, want %s", p.cmd, userLine, r.Result, r.Error, p.want)
			}
		}

		// REST, at another instance.
		at := c.others(owner)[0]
		api := at.url + "/api/v1"
		type route struct {
			method, path string
			body         any
		}
		lineRoutes := func(line string) []route {
			base := "/lines/" + line
			rs := []route{
				{http.MethodGet, base, nil},
				{http.MethodGet, base + "/calls", nil},
				{http.MethodGet, base + "/journal", nil},
				{http.MethodPost, base + "/dial", map[string]string{"to": "202"}},
				{http.MethodPut, base + "/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "to": "202", "enable": true}},
				{http.MethodPut, base + "/dnd", map[string]bool{"enable": true}},
			}
			for _, a := range []struct{ path, member, value string }{
				{"answer", "", ""}, {"hold", "", ""}, {"retrieve", "", ""}, {"drop", "", ""},
				{"transfer", "to", "202"}, {"consult", "to", "202"}, {"complete-transfer", "consultHandle", handle},
				{"conference", "consultHandle", handle}, {"deflect", "to", "202"}, {"dtmf", "digits", "1"},
			} {
				var body any = map[string]string{}
				if a.member != "" {
					body = map[string]string{a.member: a.value}
				}
				rs = append(rs, route{http.MethodPost, base + "/calls/" + handle + "/" + a.path, body})
			}
			return rs
		}
		restProbes := 0
		hiddenRoutes, missingRoutes := lineRoutes(hidden), lineRoutes(missing)
		for i, r := range hiddenRoutes {
			st1, b1, err1 := do(c.ctx, r.method, api+r.path, userToken, r.body)
			m := missingRoutes[i]
			st2, b2, err2 := do(c.ctx, m.method, api+m.path, userToken, m.body)
			restProbes += 2
			same := bytes.Equal(bytes.ReplaceAll(b1, []byte(hidden), []byte("X")), bytes.ReplaceAll(b2, []byte(missing), []byte("X")))
			if err1 != nil || err2 != nil || st1 != http.StatusNotFound || st2 != http.StatusNotFound || !same {
				t.Errorf("REST %s %s: %d %s %v; missing line: %d %s %v (want the same 404)", r.method, r.path, st1, b1, err1, st2, b2, err2)
			}
		}
		// Alice's own line with another line's call: refused as a missing call.
		for _, r := range lineRoutes(userLine)[6:] {
			st, b, err := do(c.ctx, r.method, api+r.path, userToken, r.body)
			restProbes++
			if err != nil || st != http.StatusNotFound {
				t.Errorf("REST %s %s (a call of %s): %d %s %v, want 404", r.method, r.path, hidden, st, b, err)
			}
		}
		for _, r := range []route{
			{http.MethodPost, "/lines/" + userLine + "/dial", map[string]string{"to": strings.Repeat("1", 5000)}},
			{http.MethodPut, "/lines/" + userLine + "/forwarding", map[string]any{"mode": "LINEFORWARDMODE_UNCOND", "to": "2;02", "enable": true}},
		} {
			st, b, err := do(c.ctx, r.method, api+r.path, userToken, r.body)
			restProbes++
			if err != nil || st < 400 || st >= 500 {
				t.Errorf("REST %s %s with a bad number: %d %s %v, want a 4xx refusal", r.method, r.path, st, b, err)
			}
		}
		for _, r := range []route{
			{http.MethodPost, "/links/" + pbxName + "/switchover", map[string]string{"reason": "probe"}},
			{http.MethodPost, "/links/" + pbxName + "/failback", map[string]string{"reason": "probe"}},
			{http.MethodGet, "/links/" + pbxName + "/trace", nil},
			{http.MethodPut, "/links/" + pbxName + "/trace", map[string]any{"enabled": true}},
			{http.MethodGet, "/clients", nil},
		} {
			st, b, err := do(c.ctx, r.method, api+r.path, userToken, r.body)
			restProbes++
			if err != nil || st != http.StatusForbidden {
				t.Errorf("REST %s %s as a user: %d %s %v, want 403", r.method, r.path, st, b, err)
			}
		}
		// What alice may read shows nothing of other lines, nor the nodes' addresses.
		st, b, err := get(c.ctx, api+"/links", userToken)
		restProbes++
		if err != nil || st != http.StatusOK || bytes.Contains(b, []byte("127.0.0.1")) {
			t.Errorf("REST GET /links as a user: %d %s %v (want 200 without node addresses)", st, b, err)
		}
		for _, path := range []string{"/lines", "/calls"} {
			st, b, err := get(c.ctx, api+path, userToken)
			restProbes++
			// Quoted, as they stand in JSON: handle "hq:1" is a prefix of alice's own "hq:17".
			if err != nil || st != http.StatusOK || bytes.Contains(b, []byte(`"`+hidden+`"`)) || bytes.Contains(b, []byte(`"`+string(handle)+`"`)) {
				t.Errorf("REST GET %s as a user: %d %s %v (shows another line)", path, st, b, err)
			}
		}

		// Nothing reached the switch.
		for _, r := range c.reqs.all() {
			if r.At.After(t0) && changesState[r.Service] {
				t.Errorf("%s sent %s to the PBX during the probes", r.Instance, r.Service)
			}
		}
		after, err := c.truth()
		if err != nil {
			t.Fatal(err)
		}
		if a, b := truthKey(before), truthKey(after); a != b {
			t.Errorf("the switch changed during the probes:\nbefore %s\nafter  %s", a, b)
		}
		mem.check(c.ctx, t, "ACL probes")
		t.Logf("ACL probes: %d WebSocket commands and subscriptions, %d REST requests in %v, all refused; call %s of %s used as the foreign call",
			wsProbes+2, restProbes, time.Since(t0).Round(time.Millisecond), handle, hidden)
	})
}

// changesState lists the CSTA services that change a switch's state.
var changesState = map[string]bool{
	"MakeCall": true, "AnswerCall": true, "ClearConnection": true, "HoldCall": true, "RetrieveCall": true,
	"ConsultationCall": true, "TransferCall": true, "ConferenceCall": true, "SingleStepTransferCall": true,
	"DeflectCall": true, "DirectedPickupCall": true, "GroupPickupCall": true, "GenerateDigits": true,
	"SetForwarding": true, "SetDoNotDisturb": true,
}

// foreignCall returns a line other than the user's with a call, and the call's handle as the
// every-line client sees it, making an incoming call when no line has one.
func (c *cluster) foreignCall() (ext, handle string) {
	c.t.Helper()
	var made time.Time // a ringing call may end unanswered before the watcher sees it: make another
	err := poll(c.ctx, 30*time.Second, func() error {
		for _, call := range c.watcher.calls() {
			if call.Line != userLine && call.Handle != "" {
				ext, handle = strings.TrimPrefix(call.Line, pbxName+"/"), string(call.Handle)
				return nil
			}
		}
		if time.Since(made) > 5*time.Second {
			for _, e := range c.exts[1:] {
				if _, err := c.sim.incoming(c.ctx, "+49305550000", e); err == nil {
					made = time.Now()
					break
				}
			}
		}
		return fmt.Errorf("the every-line client sees no call on a line other than %s", userLine)
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return ext, handle
}

// truthKey renders what a command could change at the switch: each device's DND, forwards
// and connections.
func truthKey(tr pbxsim.Truth) string {
	var b strings.Builder
	for _, d := range tr.Devices {
		var conns []string
		for _, cn := range d.Connections {
			conns = append(conns, cn.CallID+":"+string(cn.State))
		}
		sort.Strings(conns)
		fmt.Fprintf(&b, "%s{dnd %v fwd %v %v} ", d.Number, d.DND, d.Forwards, conns)
	}
	return b.String()
}

// deviceDND reports the switch's DND setting of device number.
func deviceDND(tr pbxsim.Truth, number string) bool {
	for _, d := range tr.Devices {
		if d.Number == number {
			return d.DND
		}
	}
	return false
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{k: v}
	for kk, vv := range m {
		out[kk] = vv
	}
	return out
}

func mustRedis(t testing.TB, c *cluster, args ...string) {
	t.Helper()
	if _, err := c.redis.Do(args...); err != nil {
		t.Fatalf("redis %v: %v", args, err)
	}
}

// redisInfo reads one integer field of an INFO section.
func redisInfo(t testing.TB, c *cluster, section, field string) int64 {
	t.Helper()
	info, err := c.redis.Do("INFO", section)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), field+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in INFO %s", field, section)
	return 0
}

func firstResync(c *cluster, t time.Time) time.Time {
	e, _ := c.firstEntry(t, tapi.BridgeResync, func(e store.Entry) bool { return e.Event.Resync.Phase == "completed" })
	return e.Event.Time
}

func idOf(b *bridgeProc) string {
	if b == nil {
		return "nobody"
	}
	return b.id
}

func firstClientEvent(c *cluster, t time.Time) time.Time {
	at, _ := c.firstClientEventAt(t)
	return at
}
