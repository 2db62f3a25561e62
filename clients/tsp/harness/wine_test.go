//go:build linux

package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/test/testkit"
)

// Everything the tests share is built once per test binary, on first use: the bridge and
// pbxsim binaries, the DLL, tsphost.exe and the ProcessPrng shim, and a Wine prefix with
// the shim and the DLL in system32 (creating a prefix takes tens of seconds).
var (
	envOnce sync.Once
	env     struct {
		err      error
		work     string            // temp dir holding all of it
		bins     map[string]string // ctibridge and pbxsim by name
		prefix   string            // WINEPREFIX
		system32 string
		host     string // tsphost.exe
		dll      string // the built ctibridge.tsp (also copied to system32)
		wine     string // wine64 loader
		server   string // wineserver
	}
)

func TestMain(m *testing.M) {
	code := m.Run()
	if env.work != "" {
		if env.server != "" {
			// Wine's server outlives the last process by a few seconds; end it now so the
			// prefix can be removed.
			kill := exec.Command(env.server, "-k")
			kill.Env = wineEnv()
			_ = kill.Run()
		}
		_ = os.RemoveAll(env.work)
	}
	os.Exit(code)
}

// wineTools finds the Wine loader and server (Debian keeps them out of PATH as wine64).
func wineTools() (loader, server string, err error) {
	find := func(names ...string) string {
		for _, n := range names {
			if p, err := exec.LookPath(n); err == nil {
				return p
			}
		}
		return ""
	}
	loader = find("wine64", "/usr/lib/wine/wine64")
	server = find("wineserver", "/usr/lib/wine/wineserver")
	if loader == "" || server == "" {
		return "", "", errors.New("wine64 is not installed; run `make deps` (Debian packages wine64, msitools, wixl)")
	}
	return loader, server, nil
}

// needWine skips the test when the tools are missing (as the Redis and browser tests do)
// and returns the shared environment, building it on first use.
func needWine(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("Wine process tests; skipped with -short")
	}
	if _, _, err := wineTools(); err != nil {
		t.Skip(err)
	}
	if _, err := exec.LookPath("x86_64-w64-mingw32-gcc"); err != nil {
		t.Skip("x86_64-w64-mingw32-gcc not installed; run `make deps`")
	}
	envOnce.Do(func() { env.err = setup() })
	if env.err != nil {
		t.Fatal(env.err)
	}
}

// wineEnv is the environment of every Wine process: the test's prefix, no debug output, no
// prompts to install Mono or Gecko, no display (nothing the tests run opens a window).
func wineEnv() []string {
	var e []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") && !strings.HasPrefix(kv, "WINE") {
			e = append(e, kv)
		}
	}
	return append(e, "WINEPREFIX="+env.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=", "WINEARCH=win64")
}

// winePath is a Linux path as Wine programs see it (drive Z: is the Linux root).
func winePath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

func setup() error {
	var err error
	if env.wine, env.server, err = wineTools(); err != nil {
		return err
	}
	if env.work, err = os.MkdirTemp("", "tsp-wine"); err != nil {
		return err
	}
	env.prefix = filepath.Join(env.work, "prefix")
	env.system32 = filepath.Join(env.prefix, "drive_c", "windows", "system32")
	env.host = filepath.Join(env.work, "tsphost.exe")
	env.dll = filepath.Join(env.work, "ctibridge.tsp")
	shim := filepath.Join(env.work, "bcryptprimitives.dll")

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// The prefix is made while the Go binaries build: both take long, neither needs the other.
	prefixDone := make(chan error, 1)
	go func() { prefixDone <- run(ctx, wineEnv(), env.wine, "wineboot", "-i") }()
	env.bins = map[string]string{}
	steps := []func() error{
		func() error {
			for _, name := range []string{"ctibridge", "pbxsim"} {
				p, err := testkit.Binary("./cmd/" + name)
				if err != nil {
					return err
				}
				env.bins[name] = p
			}
			return nil
		},
		func() error {
			// Into the work dir: the MSI test's wixl reads it from there.
			p, err := testkit.Build(testkit.TSP)
			if err != nil {
				return err
			}
			return copyFile(p, env.dll)
		},
		func() error {
			return run(ctx, nil, "x86_64-w64-mingw32-gcc", "-Wall", "-O2", "-municode", "-o", env.host, filepath.Join("c", "tsphost.c"))
		},
		func() error {
			return run(ctx, nil, "x86_64-w64-mingw32-gcc", "-Wall", "-O2", "-shared", "-o", shim,
				filepath.Join("c", "bcryptprimitives.c"), "-ladvapi32")
		},
	}
	var errs []error
	for _, s := range steps {
		errs = append(errs, s())
	}
	if err := <-prefixDone; err != nil {
		errs = append(errs, fmt.Errorf("create the Wine prefix: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// Wine's null display driver: rundll32 creates a (hidden) window before it calls the
	// entry point, which fails without any display driver; with this one it needs no X.
	if err := run(ctx, wineEnv(), env.wine, "reg", "add", `HKCU\Software\Wine\Drivers`, "/v", "Graphics", "/d", "null", "/f"); err != nil {
		return err
	}
	// Wine 8 lacks bcryptprimitives.dll, which Go's runtime needs (ProcessPrng).
	if err := copyFile(shim, filepath.Join(env.system32, "bcryptprimitives.dll")); err != nil {
		return err
	}
	// Installed where the Telephony service finds providers.
	return copyFile(env.dll, filepath.Join(env.system32, "ctibridge.tsp"))
}

// run runs a build step or a Wine command to its end; env nil is the test's environment.
func run(ctx context.Context, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
