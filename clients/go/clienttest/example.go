package clienttest

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

// examples is the bridge of the package's Example functions.
var examples struct {
	once   sync.Once
	tb     mainTB
	bridge *Bridge
}

// ExampleBridge is a bridge for the Example functions of a package whose TestMain calls Main:
// the embedded default (simulator, memory store, demo users) without generated traffic,
// started on first use and stopped when Main ends. Examples get no *testing.T: when the
// bridge does not come up, the process exits with the reason.
func ExampleBridge() *Bridge {
	examples.once.Do(func() { examples.bridge = StartBridge(&examples.tb, "-traffic", "0") })
	return examples.bridge
}

// mainTB is the testing.TB of what runs outside a test: a failure ends the process with its
// message, and cleanups run when Main ends. The embedded TB is nil: only the methods below
// are called (by this package and by testify's Eventually).
type mainTB struct {
	testing.TB

	mu       sync.Mutex
	cleanups []func()
}

func (*mainTB) Helper()                 {}
func (*mainTB) Name() string            { return "examples" }
func (*mainTB) Failed() bool            { return false }
func (*mainTB) Logf(f string, a ...any) { fmt.Fprintf(os.Stderr, "clienttest: "+f+"\n", a...) }

func (m *mainTB) Errorf(f string, a ...any) { m.Fatalf(f, a...) }
func (m *mainTB) Fatal(a ...any)            { m.Fatalf("%s", fmt.Sprint(a...)) }
func (m *mainTB) FailNow()                  { m.Fatalf("failed") }

func (m *mainTB) Fatalf(f string, a ...any) {
	m.Logf(f, a...)
	m.cleanup()
	os.Exit(1)
}

func (m *mainTB) TempDir() string {
	d, err := os.MkdirTemp("", "clienttest-")
	if err != nil {
		m.Fatal(err)
	}
	m.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}

func (m *mainTB) Cleanup(f func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cleanups = append(m.cleanups, f)
}

// cleanup runs the cleanups, the last registered first.
func (m *mainTB) cleanup() {
	m.mu.Lock()
	fs := m.cleanups
	m.cleanups = nil
	m.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}
