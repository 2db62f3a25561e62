//go:build linux

package harness

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// waitTimeout bounds every wait for a line of tsphost's output.
const waitTimeout = 60 * time.Second

// host is tsphost.exe running under Wine: the stand-in for the Telephony service.
type host struct {
	t     *testing.T
	cmd   *exec.Cmd
	stdin io.WriteCloser
	exit  chan struct{}
	err   error // of cmd.Wait, once exit is closed

	mu     sync.Mutex
	lines  []string      // every output line, in order
	script []string      // the transcript: commands sent ("> ...") and output
	more   chan struct{} // signalled on each new line
	stderr testkit.Buffer
}

// startHost runs tsphost.exe; the test's cleanup ends it and, if the test failed, logs the
// transcript.
func startHost(t *testing.T) *host {
	t.Helper()
	h := &host{t: t, exit: make(chan struct{}), more: make(chan struct{}, 1)}
	h.cmd = exec.Command(env.wine, env.host)
	h.cmd.Env = wineEnv()
	h.cmd.Dir = env.work
	var err error
	if h.stdin, err = h.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := h.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	h.cmd.Stderr = &h.stderr
	if err := h.cmd.Start(); err != nil {
		t.Fatalf("start tsphost under Wine: %v", err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			h.mu.Lock()
			h.lines = append(h.lines, sc.Text())
			h.script = append(h.script, sc.Text())
			h.mu.Unlock()
			select {
			case h.more <- struct{}{}:
			default:
			}
		}
		h.err = h.cmd.Wait()
		close(h.exit)
	}()
	t.Cleanup(func() {
		h.stop()
		if t.Failed() || testing.Verbose() {
			t.Logf("tsphost transcript:\n%s", h.transcript())
		}
	})
	h.waitFor(0, `^READY`)
	return h
}

func (h *host) transcript() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := strings.Join(h.script, "\n")
	if h.stderr.Len() > 0 {
		s += "\n--- stderr ---\n" + h.stderr.String()
	}
	return s
}

// stop ends tsphost: politely if it still reads commands, by force after a while.
func (h *host) stop() {
	select {
	case <-h.exit:
		return
	default:
	}
	_, _ = io.WriteString(h.stdin, "quit\n")
	select {
	case <-h.exit:
	case <-time.After(20 * time.Second):
		_ = h.cmd.Process.Kill()
		<-h.exit
	}
}

// mark is the index of the next output line: waits from here see only what follows.
func (h *host) mark() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

// send writes one command line.
func (h *host) send(format string, args ...any) {
	h.t.Helper()
	line := fmt.Sprintf(format, args...)
	h.mu.Lock()
	h.script = append(h.script, "> "+line)
	h.mu.Unlock()
	if _, err := io.WriteString(h.stdin, line+"\n"); err != nil {
		h.t.Fatalf("send %q to tsphost: %v", line, err)
	}
}

// waitFor returns the index and submatches of the first line at or after from that matches
// re, waiting for it.
func (h *host) waitFor(from int, re string) (int, []string) {
	h.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.NewTimer(waitTimeout)
	defer deadline.Stop()
	for {
		h.mu.Lock()
		for i := from; i < len(h.lines); i++ {
			if m := rx.FindStringSubmatch(h.lines[i]); m != nil {
				h.mu.Unlock()
				return i, m
			}
		}
		from = len(h.lines)
		h.mu.Unlock()
		select {
		case <-h.more:
		case <-h.exit:
			if h.mark() == from { // nothing came in between
				h.t.Fatalf("tsphost exited (%v) before printing a line matching %q", h.err, re)
			}
		case <-deadline.C:
			h.t.Fatalf("tsphost printed no line matching %q within %v", re, waitTimeout)
		}
	}
}

// since returns the output lines from index from on that match re.
func (h *host) since(from int, re string) []string {
	rx := regexp.MustCompile(re)
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, l := range h.lines[min(from, len(h.lines)):] {
		if rx.MatchString(l) {
			out = append(out, l)
		}
	}
	return out
}

// reply is what tsphost printed for one command: RET name rc=0x.. key=value...
type reply struct {
	rc    int32
	req   string // request ID of an asynchronous function
	attrs map[string]string
	line  string
}

var attrRE = regexp.MustCompile(`(\w+)=("[^"]*"|\S+)`)

// call sends a command and returns its reply; async commands return a request ID in req.
func (h *host) call(format string, args ...any) reply {
	h.t.Helper()
	from := h.mark()
	h.send(format, args...)
	name := strings.Fields(fmt.Sprintf(format, args...))[0]
	_, m := h.waitFor(from, `^RET `+regexp.QuoteMeta(name)+` rc=(0x[0-9a-f]+|0)(.*)$`)
	var rc uint64
	fmt.Sscanf(m[1], "%v", &rc)
	r := reply{rc: int32(uint32(rc)), attrs: map[string]string{}, line: m[0]}
	for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
		r.attrs[a[1]] = strings.Trim(a[2], `"`)
	}
	r.req = r.attrs["req"]
	return r
}

// ok sends a synchronous command and fails the test unless it returned 0.
func (h *host) ok(format string, args ...any) reply {
	h.t.Helper()
	r := h.call(format, args...)
	if r.rc != 0 {
		h.t.Fatalf("%s: rc %#x (%s)", fmt.Sprintf(format, args...), uint32(r.rc), r.line)
	}
	return r
}

// request sends an asynchronous command, checks that it is under way (the return value is
// the request ID) and waits for its ASYNC_COMPLETION. It returns the index of the first line
// after the command was sent (the request's events may come before or after the completion,
// which may itself come before the function returns) and the completion line.
func (h *host) request(format string, args ...any) (int, string) {
	h.t.Helper()
	from := h.mark()
	r := h.call(format, args...)
	if fmt.Sprint(r.rc) != r.req {
		h.t.Fatalf("%s: returned %#x, want request ID %s", fmt.Sprintf(format, args...), uint32(r.rc), r.req)
	}
	_, m := h.waitFor(from, `^COMPLETE `+r.req+` .*`)
	return from, m[0]
}

// requestOK is request that fails the test unless the completion is 0.
func (h *host) requestOK(format string, args ...any) int {
	h.t.Helper()
	from, line := h.request(format, args...)
	if !strings.HasSuffix(line, " OK") {
		h.t.Fatalf("%s: %s", fmt.Sprintf(format, args...), line)
	}
	return from
}
