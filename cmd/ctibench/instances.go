package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// instance is a bridge instance process started by the bench.
type instance struct {
	cfg    instanceConfig
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	addr   string // HTTP host:port
	logf   string
	exited chan struct{}
	killed bool
}

// startInstance re-executes the bench binary as a bridge instance and waits for its address.
func startInstance(ctx context.Context, ic instanceConfig, logDir string) (*instance, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(ic)
	if err != nil {
		return nil, err
	}
	logf := filepath.Join(logDir, ic.InstanceID+".log")
	lf, err := os.Create(logf)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	if ic.GOGC != "" {
		// Set on the instance alone: the bench's own process (simulator, clients) keeps its
		// collector as it is, so a change shows in the bridge's CPU only.
		cmd.Env = append(cmd.Env, "GOGC="+ic.GOGC)
	}
	if ic.GOMAXPROCS > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(ic.GOMAXPROCS))
	}
	cmd.Stderr = lf
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start instance %s: %w", ic.InstanceID, err)
	}
	inst := &instance{cfg: ic, cmd: cmd, stdin: in, logf: logf, exited: make(chan struct{})}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "LISTEN "); ok {
				addrc <- a
			}
		}
		_ = cmd.Wait()
		close(inst.exited)
	}()
	t := time.NewTimer(20 * time.Second)
	defer t.Stop()
	select {
	case inst.addr = <-addrc:
		return inst, nil
	case <-inst.exited:
		return nil, fmt.Errorf("instance %s exited before listening; see %s", ic.InstanceID, logf)
	case <-t.C:
		inst.kill()
		return nil, fmt.Errorf("instance %s did not listen within 20s; see %s", ic.InstanceID, logf)
	case <-ctx.Done():
		inst.kill()
		return nil, ctx.Err()
	}
}

func (in *instance) wsURL() string { return "ws://" + in.addr + "/ws" }

// kill ends the process at once (SIGKILL): no lease hand-over, as when a host dies.
func (in *instance) kill() {
	in.killed = true
	_ = in.cmd.Process.Kill()
	<-in.exited
}

// stop asks the instance to shut down (SIGTERM) and waits up to 10s before killing it.
func (in *instance) stop() {
	select {
	case <-in.exited:
		return
	default:
	}
	_ = in.cmd.Process.Signal(syscall.SIGTERM)
	_ = in.stdin.Close()
	select {
	case <-in.exited:
	case <-time.After(10 * time.Second):
		in.kill()
	}
}

func (in *instance) alive() bool {
	select {
	case <-in.exited:
		return false
	default:
		return true
	}
}

// stats fetches /bench/stats; gc asks for a collection first, for live-heap figures.
func (in *instance) stats(ctx context.Context, gc bool) (instanceStats, error) {
	q := url.Values{}
	if gc {
		q.Set("gc", "1")
	}
	return in.statsQuery(ctx, q)
}

// statsQuery fetches /bench/stats with query q (gc, lines, head: see statsHandler).
func (in *instance) statsQuery(ctx context.Context, q url.Values) (instanceStats, error) {
	var s instanceStats
	u := "http://" + in.addr + "/bench/stats?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return s, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return s, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return s, fmt.Errorf("instance %s: /bench/stats: %s", in.cfg.InstanceID, resp.Status)
	}
	return s, json.NewDecoder(resp.Body).Decode(&s)
}

// profile starts ("start", into path) or stops ("stop") a CPU profile of the instance
// (/bench/cpuprofile); while -cpuprofile profiles the measured window, it refuses.
func (in *instance) profile(ctx context.Context, action, path string) error {
	return in.profileQuery(ctx, url.Values{"action": {action}, "path": {path}})
}

// windowProfile starts or stops -cpuprofile's profiles of the measured window: CPU and, at
// both ends, allocations.
func (in *instance) windowProfile(ctx context.Context, action string) error {
	return in.profileQuery(ctx, url.Values{"action": {action}, "path": {in.cfg.CPUProfile}, "allocs": {"1"}})
}

func (in *instance) profileQuery(ctx context.Context, q url.Values) error {
	action := q.Get("action")
	u := "http://" + in.addr + "/bench/cpuprofile?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("instance %s: cpu profile %s: %s %s", in.cfg.InstanceID, action, resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// cpuTime is the process's user+system CPU time so far, from /proc (Linux).
func (in *instance) cpuTime() (time.Duration, error) {
	return procCPU(in.cmd.Process.Pid)
}

// rss is the process's resident set from /proc (Linux).
func (in *instance) rss() (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", in.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("VmRSS not in /proc status")
}

// procCPU reads utime+stime of a process from /proc/<pid>/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may contain spaces.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat")
	}
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / hz, nil
}

// waitFor polls cond every 20ms until it holds or ctx ends.
func waitFor(ctx context.Context, what string, cond func() bool) error {
	for !cond() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}
