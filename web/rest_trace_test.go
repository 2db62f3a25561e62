package web

import (
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta/tracefile"
	"github.com/ctibridge/ctibridge/cti"
)

// TestRESTTrace switches the wire trace of a live link on and off over a real listener: admin
// only, problems for bad bodies and unknown PBXs, and the file fills while it is on.
func TestRESTTrace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "hq.trace")
	e := newEnv(t, envOpts{traceFile: file})
	path := "/api/v1/links/hq/trace"

	r := e.do("GET", path, tokRoot, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	var st cti.TraceState
	r.decode(t, &st)
	require.False(t, st.Enabled)
	require.Equal(t, file, st.File)
	require.True(t, st.OwnedHere)

	// Not for a supervisor or a user, not without a token.
	for _, tok := range []string{tokSue, tokAlice} {
		r = e.do("PUT", path, tok, map[string]any{"enabled": true})
		require.Equal(t, http.StatusForbidden, r.status)
		require.Contains(t, r.problem(t).Detail, "is not an admin")
		require.Equal(t, http.StatusForbidden, e.do("GET", path, tok, nil).status)
	}
	require.Equal(t, http.StatusUnauthorized, e.do("PUT", path, "", map[string]any{"enabled": true}).status)

	// Bad bodies are named.
	for body, want := range map[string]string{
		`{}`:                     `give "enabled": true`,
		`{"enabled":"yes"}`:      "enabled",
		`{"enabled":true,"x":1}`: `unknown field "x"`,
		`{"enabled":`:            "body",
	} {
		r = e.do("PUT", path, tokRoot, body)
		require.Equal(t, http.StatusBadRequest, r.status, body)
		require.Contains(t, r.problem(t).Detail, want, body)
	}
	r = e.do("PUT", "/api/v1/links/nowhere/trace", tokRoot, map[string]any{"enabled": true})
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "pbx", r.problem(t).Field)

	// On: heartbeats of the live link go to the file.
	r = e.do("PUT", path, tokRoot, map[string]any{"enabled": true})
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.decode(t, &st)
	require.True(t, st.Enabled)
	require.Eventually(t, func() bool {
		r := e.do("GET", path, tokRoot, nil)
		var st cti.TraceState
		r.decode(t, &st)
		return st.BytesWritten > 0 && st.Lines >= 2
	}, 10*time.Second, 10*time.Millisecond)
	r = e.do("PUT", path, tokRoot, `{"enabled":false}`)
	require.Equal(t, http.StatusOK, r.status, string(r.body))
	r.decode(t, &st)
	require.False(t, st.Enabled)
	recs, err := tracefile.ReadFile(file)
	require.NoError(t, err)
	require.NotEmpty(t, recs)
	require.Equal(t, "hq", recs[0].PBX)
	require.Contains(t, e.audit.String(), `"action":"trace"`)
}
