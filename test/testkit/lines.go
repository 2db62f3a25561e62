package testkit

import (
	"bufio"
	"io"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lines is a process's output read line by line while the test waits for lines of it. It
// keeps every line (the reader never blocks the process, and nothing is dropped); Expect
// consumes them in order.
type Lines struct {
	mu      sync.Mutex
	lines   []string
	next    int           // the first line Expect has not consumed
	ended   bool          // r reached its end
	changed chan struct{} // closed and replaced on every change
	done    chan struct{} // closed when r ended
}

// ReadLines reads r until it ends (for a pipe: until the process closed it).
func ReadLines(r io.Reader) *Lines {
	l := &Lines{changed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			l.update(func() { l.lines = append(l.lines, sc.Text()) })
		}
		l.update(func() { l.ended = true })
	}()
	return l
}

func (l *Lines) update(f func()) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f()
	close(l.changed)
	l.changed = make(chan struct{})
}

// Done is closed when the output ended; exec.Cmd.Wait must wait for it when r is the
// command's StdoutPipe.
func (l *Lines) Done() <-chan struct{} { return l.done }

// String is all the output so far.
func (l *Lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// Expect waits up to WaitTimeout for the next line that match accepts and returns it,
// consuming the lines up to it; it fails the test when the output ends or the time is up.
func (l *Lines) Expect(t testing.TB, what string, match func(string) bool) string {
	t.Helper()
	timeout := time.NewTimer(WaitTimeout)
	defer timeout.Stop()
	for {
		l.mu.Lock()
		for l.next < len(l.lines) {
			s := l.lines[l.next]
			l.next++
			if match(s) {
				l.mu.Unlock()
				return s
			}
		}
		ended, changed := l.ended, l.changed
		all := strings.Join(l.lines, "\n")
		l.mu.Unlock()
		if ended {
			t.Fatalf("output ended before %s:\n%s", what, all)
		}
		select {
		case <-changed:
		case <-timeout.C:
			t.Fatalf("no %s within %v in the output:\n%s", what, WaitTimeout, all)
		}
	}
}

// ExpectMatch is Expect for a line re matches; it returns the submatches.
func (l *Lines) ExpectMatch(t testing.TB, what string, re *regexp.Regexp) []string {
	t.Helper()
	return re.FindStringSubmatch(l.Expect(t, what, re.MatchString))
}
