package testkit

import (
	"bytes"
	"sync"
	"testing"

	"github.com/sirupsen/logrus"
)

// Buffer is a bytes.Buffer that goroutines may write while a test reads it: a process's
// output, a connection's trace, a log. With Keep > 0 it holds only the newest Keep bytes.
type Buffer struct {
	Keep int

	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.b.Write(p)
	if s.Keep > 0 && s.b.Len() > s.Keep {
		s.b.Next(s.b.Len() - s.Keep)
	}
	return n, err
}

// String is what the buffer holds.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Len is how many bytes the buffer holds.
func (s *Buffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// Reset empties the buffer.
func (s *Buffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

// Logger is a logger at info level whose output goes into the returned buffer (the newest
// 64 KiB) and is shown, under name, when the test fails: a failure that depends on timing can
// be read afterwards.
func Logger(t testing.TB, name string) (*logrus.Logger, *Buffer) {
	buf := &Buffer{Keep: 64 << 10}
	l := logrus.New()
	l.SetOutput(buf)
	l.SetLevel(logrus.InfoLevel)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, buf.String())
		}
	})
	return l, buf
}
