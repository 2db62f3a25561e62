package testkit

import (
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBuildIsSharedAndCurrent builds pbxsim twice as two processes would (the in-process
// memo forgotten): the second build keeps the first's file, and the binary runs.
func TestBuildIsSharedAndCurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a program")
	}
	first, err := Binary("./cmd/pbxsim")
	require.NoError(t, err)
	before, err := os.Stat(first)
	require.NoError(t, err)
	builds.Clear()
	second, err := Binary("github.com/ctibridge/ctibridge/cmd/pbxsim")
	require.NoError(t, err)
	assert.Equal(t, first, second, "an import path and a module-relative directory are one program")
	after, err := os.Stat(second)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after), "an up-to-date binary is not linked again (go build only touches it)")
	out, _ := exec.Command(second, "-h").CombinedOutput()
	assert.Contains(t, string(out), "-extensions")
}

func TestBufferKeepsTheNewest(t *testing.T) {
	b := &Buffer{Keep: 4}
	_, _ = b.Write([]byte("abc"))
	_, _ = b.Write([]byte("defg"))
	assert.Equal(t, "defg", b.String())
	assert.Equal(t, 4, b.Len())
	l, buf := Logger(t, "test")
	l.Info("hello")
	assert.True(t, strings.Contains(buf.String(), "msg=hello"), buf.String())
}

func TestLinesExpectInOrder(t *testing.T) {
	r, w := io.Pipe()
	l := ReadLines(r)
	go func() {
		_, _ = io.WriteString(w, "one\nport 42\nthree\n")
		_ = w.Close()
	}()
	assert.Equal(t, []string{"port 42", "42"}, l.ExpectMatch(t, "the port", regexp.MustCompile(`^port (\d+)$`)))
	assert.Equal(t, "three", l.Expect(t, "three", func(s string) bool { return s == "three" }))
	<-l.Done()
	assert.Equal(t, "one\nport 42\nthree", l.String())
}
