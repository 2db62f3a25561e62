package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// clientOptions are the flags of the clients' processes and hellos (-client-procs,
// -welcome-lines).
type clientOptions struct {
	clientProcs  int
	welcomeLines bool
}

// clientProcsAuto is how many clients the bench keeps in its own process when -client-procs
// is not given; more are spread over child processes of at most this many each, well under
// the file limit of 20,000 here (a client costs one socket).
const clientProcsAuto = 15000

// resolveClientProcs checks -client-procs and turns its default (-1) into a count.
func (o *options) resolveClientProcs(bad func(string, ...any)) {
	switch {
	case o.clientProcs == -1:
		o.clientProcs = 0
		if o.clients > clientProcsAuto {
			o.clientProcs = (o.clients + clientProcsAuto - 1) / clientProcsAuto
		}
	case o.clientProcs < 0 || o.clientProcs > 64:
		bad("-client-procs %d: want 0 (clients in the bench's process) to 64", o.clientProcs)
	case o.clientProcs > max(o.clients, 1):
		bad("-client-procs %d: more processes than clients (%d)", o.clientProcs, o.clients)
	}
}

// clientProcHandle is a client process as the bench sees it.
type clientProcHandle struct {
	name   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	encMu  sync.Mutex
	enc    *json.Encoder
	ready  chan error           // the connect outcome, once
	final  chan []clientSummary // the clients' counts, once
	exited chan struct{}
	logf   string
}

func (h *clientProcHandle) control(c clientControl) {
	h.encMu.Lock()
	defer h.encMu.Unlock()
	_ = h.enc.Encode(c) // a dead process is noticed by its reader
}

func (h *clientProcHandle) cpuTime() time.Duration {
	d, _ := procCPU(h.cmd.Process.Pid) // an ended process: 0
	return d
}

// connectClientProcs connects the clients in -client-procs child processes, one process after
// the other, each batch by batch as in the bench's own process.
func (b *bench) connectClientProcs(ctx context.Context, urls []string) error {
	n := b.o.clients
	specs := make([]clientSpec, n)
	for j := range specs {
		specs[j] = clientSpec{ID: j + 1, Lines: b.lineAssignment(j), Slow: j >= n-b.o.slowClients}
	}
	procs := b.o.clientProcs
	go b.forwardFlags()
	for i := range procs {
		part := specs[i*n/procs : (i+1)*n/procs]
		cfg := clientProcConfig{URLs: urls, Token: b.token, PBX: pbxName, Clients: part,
			SlowDelay: b.o.slowDelay, SyncLimit: b.syncLimit(), Batch: 250, WelcomeLines: b.o.welcomeLines,
			Flags: clientProcFlags{Measuring: b.rec.measuring.Load(), InFault: b.rec.inFault.Load()}}
		h, err := b.startClientProc(fmt.Sprintf("clients-%d", i+1), cfg)
		if err != nil {
			return err
		}
		select {
		case err = <-h.ready:
		case <-ctx.Done():
			err = ctx.Err()
		}
		if err != nil {
			return fmt.Errorf("%s: %w (see %s)", h.name, err, h.logf)
		}
		b.progress("%s: %d clients connected", h.name, len(part))
	}
	return nil
}

// syncLimit is how long a batch of clients may take to sync: a client's first resync
// carries its lines, 10,000 of them take a while on a busy host.
func (b *bench) syncLimit() time.Duration {
	return max(60*time.Second+time.Duration(b.o.devices)*time.Millisecond, b.o.syncWait)
}

// startClientProc re-executes the bench as a client process and starts reading its reports.
// At the clients' stop it collects the process's client counts into b.clients.
func (b *bench) startClientProc(name string, cfg clientProcConfig) (*clientProcHandle, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	h := &clientProcHandle{name: name, logf: filepath.Join(b.logDir, name+".log"),
		ready: make(chan error, 1), final: make(chan []clientSummary, 1), exited: make(chan struct{})}
	lf, err := os.Create(h.logf)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	h.cmd = exec.Command(self)
	h.cmd.Env = append(os.Environ(), clientsEnv+"=1")
	h.cmd.Stderr = lf
	out, err := h.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	h.enc = json.NewEncoder(h.stdin)
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		// Wait closes the pipe once the process has exited, whatever is still unread in it
		// (the clients' counts, the last thing the process writes): read to its end first.
		h.read(out, b.rec)
		_ = h.cmd.Wait()
		close(h.exited)
	}()
	// The configuration goes first; then the process is listed for forwardFlags' controls.
	cfgErr := h.enc.Encode(cfg)
	b.procMu.Lock()
	b.procs = append(b.procs, h)
	b.procMu.Unlock()
	b.clientWG.Add(1)
	go func() {
		defer b.clientWG.Done()
		b.collect(h)
	}()
	if cfgErr != nil {
		return nil, fmt.Errorf("%s: configuration: %w", name, cfgErr)
	}
	return h, nil
}

// read applies the process's reports until its stdout ends.
func (h *clientProcHandle) read(out io.Reader, rec *recorder) {
	dec := json.NewDecoder(out)
	readySent := false
	setReady := func(err error) {
		if !readySent {
			readySent = true
			h.ready <- err
		}
	}
	defer setReady(fmt.Errorf("the process ended before its clients were connected"))
	for {
		var r clientReport
		if err := dec.Decode(&r); err != nil {
			return
		}
		switch {
		case r.Delta != nil:
			rec.apply(r.Delta)
		case r.Ready:
			setReady(nil)
		case r.Error != "":
			setReady(fmt.Errorf("%s", r.Error))
		case r.Final != nil:
			h.final <- r.Final
		}
	}
}

// collect waits for the clients' stop, stops the process and adds its clients' counts to
// b.clients for the verification (a process that sends none leaves its clients out, which
// the report shows as fewer clients checked, and notes it).
func (b *bench) collect(h *clientProcHandle) {
	select {
	case <-b.clientCtx.Done():
	case <-h.exited:
	}
	h.control(clientControl{Stop: true})
	t := time.NewTimer(60 * time.Second)
	defer t.Stop()
	var final []clientSummary
	select {
	case final = <-h.final:
	case <-h.exited:
		select { // the report may have been read just before the exit
		case final = <-h.final:
		default:
		}
	case <-t.C:
	}
	_ = h.stdin.Close()
	select {
	case <-h.exited:
	case <-t.C:
		_ = h.cmd.Process.Kill()
		<-h.exited
	}
	b.procMu.Lock()
	defer b.procMu.Unlock()
	if final == nil {
		b.procErrs = append(b.procErrs, fmt.Sprintf("%s sent no client counts; see %s", h.name, h.logf))
		return
	}
	for _, s := range final {
		b.clients = append(b.clients, s.shell())
	}
}

// forwardFlags mirrors the recorder's measuring and fault switches into the client processes
// (measure and inject set them on the bench's recorder) until the clients stop. A switch
// reaches the processes within a few milliseconds.
func (b *bench) forwardFlags() {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	var last clientProcFlags
	for {
		select {
		case <-b.clientCtx.Done():
			return
		case <-t.C:
		}
		f := clientProcFlags{Measuring: b.rec.measuring.Load(), InFault: b.rec.inFault.Load()}
		if f == last {
			continue
		}
		last = f
		for _, h := range b.clientProcs() {
			h.control(clientControl{Flags: &f})
		}
	}
}

func (b *bench) clientProcs() []*clientProcHandle {
	b.procMu.Lock()
	defer b.procMu.Unlock()
	return append([]*clientProcHandle(nil), b.procs...)
}

// unslowClientProcs lets the slow clients of the client processes catch up (the drain).
func (b *bench) unslowClientProcs() {
	for _, h := range b.clientProcs() {
		h.control(clientControl{Unslow: true})
	}
}

// clientProcsCPU is the CPU time the client processes used so far.
func (b *bench) clientProcsCPU() time.Duration {
	var d time.Duration
	for _, h := range b.clientProcs() {
		d += h.cpuTime()
	}
	return d
}

// ConnectStats is what connecting the clients (not the auditor) took: wall time and the
// bridge instances' CPU.
type ConnectStats struct {
	Seconds              float64 `json:"seconds"`
	BridgeCPUSeconds     float64 `json:"bridge_cpu_s"`
	BridgeCPUMsPerClient float64 `json:"bridge_cpu_ms_per_client"`
	WelcomeLines         bool    `json:"welcome_lines"` // the welcome listed the lines (-welcome-lines)
}

func (b *bench) connectStats(a, z cpuSnap, took time.Duration) ConnectStats {
	s := ConnectStats{Seconds: took.Seconds(), WelcomeLines: b.o.welcomeLines}
	for i := range z.insts {
		s.BridgeCPUSeconds += max(z.insts[i]-a.insts[i], 0).Seconds()
	}
	if b.o.clients > 0 {
		s.BridgeCPUMsPerClient = s.BridgeCPUSeconds * 1000 / float64(b.o.clients)
	}
	return s
}
