package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// proc is one child process of the suite. Its output goes to files in the test's temporary
// directory so that a failing scenario can show the tail of each log.
type proc struct {
	t    testing.TB
	name string
	out  string // stdout file
	errf string // stderr file

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when the process has exited
}

func startProc(t testing.TB, name, bin string, args ...string) *proc {
	t.Helper()
	dir := t.TempDir()
	p := &proc{t: t, name: name, out: filepath.Join(dir, name+".out"), errf: filepath.Join(dir, name+".err")}
	p.start(bin, args)
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("%s stderr tail:\n%s", name, tailFile(p.errf, 15))
		}
	})
	return p
}

func (p *proc) start(bin string, args []string) {
	p.t.Helper()
	stdout, err := os.OpenFile(p.out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	stderr, err := os.OpenFile(p.errf, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("start %s: %v", p.name, err)
	}
	exit := make(chan struct{})
	go func() { // owned by proc: ends when the process exits; kill() makes sure it does
		_ = cmd.Wait()
		stdout.Close()
		stderr.Close()
		close(exit)
	}()
	p.mu.Lock()
	p.cmd, p.exit = cmd, exit
	p.mu.Unlock()
}

func (p *proc) pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd.Process.Pid
}

func (p *proc) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.cmd.Process.Signal(sig)
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	p.mu.Lock()
	exit := p.exit
	p.mu.Unlock()
	select {
	case <-exit:
		return true
	default:
		return false
	}
}

// wait waits for the process to end, up to d.
func (p *proc) wait(d time.Duration) error {
	p.mu.Lock()
	exit := p.exit
	p.mu.Unlock()
	select {
	case <-exit:
		return nil
	case <-time.After(d):
		return fmt.Errorf("%s still running after %v", p.name, d)
	}
}

// kill ends the process with SIGKILL (resuming it first, should it be stopped) and waits.
func (p *proc) kill() {
	if p.exited() {
		return
	}
	p.signal(syscall.SIGCONT)
	p.signal(syscall.SIGKILL)
	_ = p.wait(10 * time.Second)
}

// waitOutput waits until the process's stdout matches re and returns the submatches.
func (p *proc) waitOutput(ctx context.Context, re *regexp.Regexp) ([]string, error) {
	for {
		b, _ := os.ReadFile(p.out)
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m, nil
		}
		if p.exited() {
			return nil, fmt.Errorf("%s exited before printing %q; stderr: %s", p.name, re, tailFile(p.errf, 10))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%s did not print %q: %w", p.name, re, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
