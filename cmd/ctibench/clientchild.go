package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// clientProc is the state of a client process (the child side of -client-procs).
type clientProc struct {
	cfg     clientProcConfig
	rec     *recorder
	clients []*benchClient
	outMu   sync.Mutex
	out     *json.Encoder
}

func (p *clientProc) send(r clientReport) error {
	p.outMu.Lock()
	defer p.outMu.Unlock()
	return p.out.Encode(r)
}

func (p *clientProc) setFlags(f clientProcFlags) {
	p.rec.measuring.Store(f.Measuring)
	p.rec.inFault.Store(f.InFault)
}

// runClientProc is the main of a client process: connect the clients of the configuration
// read from in, report, obey controls, and at stop (or when in closes: the bench died) close
// the sessions and send each client's counts.
func runClientProc(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	p := &clientProc{rec: newRecorder(), out: json.NewEncoder(out)}
	if err := dec.Decode(&p.cfg); err != nil {
		return fmt.Errorf("client process configuration: %w", err)
	}
	if len(p.cfg.URLs) == 0 || p.cfg.Batch < 1 {
		return errors.New("client process configuration: no instance URLs or no batch size")
	}
	p.setFlags(p.cfg.Flags)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	controls := make(chan clientControl, 16)
	go func() {
		defer close(controls)
		for {
			var c clientControl
			if err := dec.Decode(&c); err != nil {
				return // EOF: the bench closed stdin or died
			}
			controls <- c
		}
	}()
	p.newClients()
	var wg sync.WaitGroup
	connected := make(chan error, 1)
	go func() { connected <- p.connect(ctx, &wg) }()
	connecting := true
	tick := time.NewTicker(clientReportEvery)
	defer tick.Stop()
	var dt deltaTracker
	for stop := false; !stop; {
		select {
		case err := <-connected:
			connecting = false
			r := clientReport{Ready: true}
			if err != nil {
				r = clientReport{Error: err.Error()}
			}
			if err := p.send(r); err != nil {
				return err
			}
		case <-tick.C:
			if err := p.send(clientReport{Delta: dt.delta(p.rec)}); err != nil {
				return err
			}
		case c, ok := <-controls:
			stop = !ok || c.Stop
			p.control(c)
		}
	}
	cancel()
	if connecting {
		<-connected // no more clients start
	}
	wg.Wait()
	if err := p.send(clientReport{Delta: dt.delta(p.rec)}); err != nil {
		return err
	}
	final := make([]clientSummary, 0, len(p.clients))
	for _, c := range p.clients {
		final = append(final, summarize(c))
	}
	return p.send(clientReport{Final: final})
}

func (p *clientProc) control(c clientControl) {
	if c.Flags != nil {
		p.setFlags(*c.Flags)
	}
	if c.Unslow {
		for _, cl := range p.clients {
			cl.slow.Store(0)
		}
	}
}

// newClients makes the configuration's clients, not yet running.
func (p *clientProc) newClients() {
	dialer := &websocket.Dialer{ReadBufferSize: 4096, WriteBufferSize: 1024, HandshakeTimeout: 10 * time.Second}
	p.clients = make([]*benchClient, 0, len(p.cfg.Clients))
	for _, s := range p.cfg.Clients {
		c := newBenchClient(s.ID, p.cfg.URLs, p.cfg.Token, p.cfg.PBX, s.Lines, p.rec, dialer)
		c.welcomeLines = p.cfg.WelcomeLines
		if s.Slow {
			c.isSlow = true
			c.slow.Store(int64(p.cfg.SlowDelay))
		}
		p.clients = append(p.clients, c)
	}
}

// connect starts the clients batch by batch, each batch synced before the next, as the bench
// does in its own process.
func (p *clientProc) connect(ctx context.Context, wg *sync.WaitGroup) error {
	all := p.clients
	synced := 0
	for i := 0; i < len(all); i += p.cfg.Batch {
		group := all[i:min(i+p.cfg.Batch, len(all))]
		for _, c := range group {
			wg.Add(1)
			go func() { defer wg.Done(); c.run(ctx) }()
		}
		if err := waitClientsSynced(ctx, group, p.cfg.SyncLimit); err != nil {
			return err
		}
		synced += len(group)
		if err := p.send(clientReport{Synced: synced}); err != nil {
			return err
		}
	}
	return nil
}

// waitClientsSynced waits until every client of cs synced once, for at most limit.
func waitClientsSynced(ctx context.Context, cs []*benchClient, limit time.Duration) error {
	t := time.NewTimer(limit)
	defer t.Stop()
	for _, c := range cs {
		select {
		case <-c.synced:
		case <-t.C:
			return fmt.Errorf("client %d not synced within %s", c.id, limit) // c.errs is its goroutine's until run returns
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
