package testkit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Target is a program to build: a main package (or, with Flags, a library as a DLL).
type Target struct {
	Pkg   string   // an import path, or a directory relative to the module root ("./cmd/pbxsim")
	Name  string   // the output file's name; default: the package's last element
	Env   []string // added to the environment of go build (GOOS=windows, CC=...)
	Flags []string // added to go build's flags (-buildmode=c-shared)
}

// builds remembers this process's builds, so that a test that asks again pays nothing.
var builds sync.Map // key string -> *build

type build struct {
	once sync.Once
	path string
	err  error
}

// Binary builds the main package pkg for this machine and returns the executable's path;
// see Build.
func Binary(pkg string) (string, error) { return Build(Target{Pkg: pkg}) }

// Build builds t and returns the output's path. The output is shared by every test process
// of this checkout: it lives in a directory of os.TempDir named after the module root, the
// target's environment and flags, and a file lock orders the processes that build it at once.
// go build leaves an output whose build ID says it is current as it is, so only the first
// package of a run links a program; the others pay go build's staleness check. A rebuilt
// output replaces the old file rather than writing into it, so a running copy is not
// disturbed. Builds never use -race: the programs are the system under test, and
// race-instrumented ones are too slow for the timing of the process-level tests.
func Build(t Target) (string, error) {
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	key := strings.Join(append(append([]string{root, t.Pkg, t.Name}, t.Env...), t.Flags...), "\x00")
	v, _ := builds.LoadOrStore(key, &build{})
	b := v.(*build)
	b.once.Do(func() { b.path, b.err = buildShared(root, t) })
	return b.path, b.err
}

func buildShared(root string, t Target) (string, error) {
	// GOFLAGS too: two runs with different flags at once must not replace each other's programs.
	sum := sha256.Sum256([]byte(strings.Join(append(append([]string{root, runtime.GOOS, runtime.GOARCH, os.Getenv("GOFLAGS")}, t.Env...), t.Flags...), "\x00")))
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("ctibridge-testkit-%d", os.Getuid()), hex.EncodeToString(sum[:8]))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	name := t.Name
	if name == "" {
		name = path.Base(t.Pkg)
		if t.Env == nil && runtime.GOOS == "windows" {
			name += ".exe"
		}
	}
	out := filepath.Join(dir, name)
	unlock, err := lockFile(out + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	args := append(append([]string{"build", "-o", out}, t.Flags...), t.Pkg)
	cmd := exec.Command("go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), t.Env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	return out, nil
}

var moduleRoot struct {
	once sync.Once
	dir  string
	err  error
}

// ModuleRoot is the directory of the go.mod of the package under test.
func ModuleRoot() (string, error) {
	moduleRoot.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			moduleRoot.err = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		mod := strings.TrimSpace(string(out))
		if mod == "" || mod == os.DevNull {
			moduleRoot.err = fmt.Errorf("not inside a Go module (go env GOMOD: %q)", mod)
			return
		}
		moduleRoot.dir = filepath.Dir(mod)
	})
	return moduleRoot.dir, moduleRoot.err
}

// TSP is the TAPI service provider DLL cross-built for 64-bit Windows, as `make tsp` builds
// it (with the mingw-w64 compiler that `make deps` installs).
var TSP = Target{
	Pkg:   "./clients/tsp",
	Name:  "ctibridge.tsp",
	Env:   []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=1", "CC=x86_64-w64-mingw32-gcc"},
	Flags: []string{"-buildmode=c-shared"},
}
