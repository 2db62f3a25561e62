package web

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// A hello with omitLines gets a welcome without lines (an empty list, the member kept) but
// with the token's own line patterns; the subscribe's resync then carries the lines. Without
// omitLines the welcome lists every line the token may see, as wire version 1 always did.
func TestWelcomeOmitLinesOnRequest(t *testing.T) {
	e := newEnv(t, envOpts{})
	_, fw := e.connect(tokSue) // a supervisor sees all ten lines
	var lines []welcomeLine
	require.NoError(t, json.Unmarshal(fw.Lines, &lines))
	require.Len(t, lines, 10)
	var fm map[string]any
	require.NoError(t, json.Unmarshal(fw.raw, &fm))
	require.NotContains(t, fm, "linesOmitted")
	require.NotContains(t, fm, "ownLines")

	w, _, err := e.dialWS(nil)
	require.NoError(t, err)
	w.send(map[string]any{"type": "hello", "v": 1, "token": tokSue, "omitLines": true})
	m := w.expect("welcome")
	var got struct {
		Lines        []welcomeLine `json:"lines"`
		LinesOmitted bool          `json:"linesOmitted"`
		OwnLines     []string      `json:"ownLines"`
		PBXs         []pbxStatus   `json:"pbxs"`
		User         string        `json:"user"`
	}
	require.NoError(t, json.Unmarshal(m.raw, &got))
	require.NotNil(t, got.Lines, "lines stays a (empty) list for clients that read it")
	require.Empty(t, got.Lines)
	require.True(t, got.LinesOmitted)
	require.Equal(t, []string{"hq/203"}, got.OwnLines)
	require.Equal(t, "sue", got.User)
	require.Len(t, got.PBXs, 1)

	w.send(map[string]any{"type": "subscribe", "all": true})
	w.expect("subscribed")
	rs := w.expect("resync")
	var rl struct {
		Lines []struct {
			Name string `json:"name"`
		} `json:"lines"`
	}
	require.NoError(t, json.Unmarshal(rs.raw, &rl))
	require.Len(t, rl.Lines, 10, "the resync carries the lines the welcome left out")
	w.expect("synced")
}

// omitLines must be a boolean: anything else is a bad field, as for every hello member.
func TestWelcomeOmitLinesMustBeBoolean(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, _, err := e.dialWS(nil)
	require.NoError(t, err)
	w.send(map[string]any{"type": "hello", "v": 1, "token": tokSue, "omitLines": "yes"})
	m := w.expect("error")
	require.Equal(t, "bad_field", m.Code)
	require.Equal(t, "omitLines", m.Field)
}
