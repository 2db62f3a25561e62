// Package redistest starts real redis-server processes for tests: a standalone server on a
// free loopback port (restartable on the same port) and a Sentinel setup of one master, one
// replica and three sentinels. Everything runs in the test's temp dir and is stopped in
// t.Cleanup. The Redis on the default port 6379 is never touched.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the redis-server executable the helpers start.
var Binary = "/usr/bin/redis-server"

// startTimeout bounds how long a server may take to answer PING after it was started.
const startTimeout = 15 * time.Second

// Server is one redis-server process on a fixed loopback port.
type Server struct {
	t    testing.TB
	Port int
	Addr string // "127.0.0.1:<port>"
	Dir  string // working directory (dump.rdb lands here on SAVE)
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	exit chan struct{} // closed when cmd has exited
}

// Start starts a redis-server without persistence (`--save "" --appendonly no`) on a free
// port; extra arguments are appended to the command line (e.g. "--replicaof", ...). It fails
// the test if the server does not answer PING, and stops it when the test ends.
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	if _, err := os.Stat(Binary); err != nil {
		t.Skipf("redistest: %s not available (%v); run `make deps`", Binary, err)
	}
	return launch(t, func(port int, dir string) []string {
		return append([]string{
			"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir,
			"--save", "", "--appendonly", "no", "--daemonize", "no",
			"--logfile", filepath.Join(dir, "redis.log"),
		}, extra...)
	})
}

// launch starts a redis-server with the arguments args builds for a free port and a fresh
// temp dir, and registers its Stop with t.Cleanup.
func launch(t testing.TB, args func(port int, dir string) []string) *Server {
	t.Helper()
	var lastErr error
	// A free port may be taken by someone else between probing and binding; try a few.
	for range 3 {
		port, err := FreePort()
		if err != nil {
			t.Fatalf("redistest: %v", err)
		}
		dir := t.TempDir()
		s := &Server{t: t, Port: port, Addr: addr(port), Dir: dir, args: args(port, dir)}
		if lastErr = s.start(); lastErr == nil {
			t.Cleanup(s.Stop)
			return s
		}
	}
	t.Fatalf("redistest: start redis-server: %v", lastErr)
	return nil
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

func (s *Server) start() error {
	cmd := exec.Command(Binary, s.args...)
	cmd.Dir = s.Dir
	if err := cmd.Start(); err != nil {
		return err
	}
	exit := make(chan struct{})
	go func() { // owned by the Server: ends when the process exits (Stop kills it)
		_ = cmd.Wait()
		close(exit)
	}()
	s.mu.Lock()
	s.cmd, s.exit = cmd, exit
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := WaitPing(ctx, s.Addr, exit); err != nil {
		s.Stop()
		return fmt.Errorf("%w (log: %s)", err, tail(filepath.Join(s.Dir, "redis.log")))
	}
	return nil
}

// Stop terminates the server (SIGTERM, without saving) and waits for it to exit. Stopping a
// stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, exit := s.cmd, s.exit
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(sigCont) // a paused server would not see SIGTERM
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exit:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-exit
	}
}

// Restart stops the server and starts it again on the same port and directory. Without a
// prior SAVE the new server is empty, as after a crash without persistence.
func (s *Server) Restart() {
	s.t.Helper()
	s.Stop()
	if err := s.start(); err != nil {
		s.t.Fatalf("redistest: restart redis-server on %s: %v", s.Addr, err)
	}
}

// Pause freezes the server (SIGSTOP): connections stay open and nothing is answered, as
// with a hung or swapped-out Redis. Resume (SIGCONT) lets it go on.
func (s *Server) Pause() { s.signal(sigStop) }

// Resume continues a paused server.
func (s *Server) Resume() { s.signal(sigCont) }

func (s *Server) signal(sig syscall.Signal) {
	s.t.Helper()
	s.mu.Lock()
	cmd := s.cmd
	s.mu.Unlock()
	if cmd == nil {
		s.t.Fatalf("redistest: signal %v: server on %s not running", sig, s.Addr)
	}
	if err := cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("redistest: signal %v to the server on %s: %v", sig, s.Addr, err)
	}
}

// Do sends one command on a fresh connection and returns the raw first reply line (or the
// whole bulk string), for test setup without a client library.
func (s *Server) Do(args ...string) (string, error) { return Do(s.Addr, args...) }

// WaitPing polls addr until it answers PING with PONG, ctx ends, or exited is closed.
func WaitPing(ctx context.Context, address string, exited <-chan struct{}) error {
	for {
		r, err := Do(address, "PING")
		if err == nil && r == "PONG" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer PING: %v", address, err)
		case <-exited:
			return fmt.Errorf("redis-server on %s exited", address)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Do sends one RESP command to address and reads one reply: a simple string, an integer or a
// bulk string is returned as text, an error reply as an error, and an array as its elements
// joined by newlines (one level, for INFO-like checks).
func Do(address string, args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", address, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	return readReply(bufio.NewReader(c))
}

func readReply(r *bufio.Reader) (string, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", errors.New(line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		parts := make([]string, 0, n)
		for range n {
			p, err := readReply(r)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

// tail returns the last lines of a log file, for failure messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 5 {
		lines = lines[len(lines)-5:]
	}
	return strings.Join(lines, " | ")
}
