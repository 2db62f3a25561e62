package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsPayloadExample keeps docs/webhooks.md's payload examples (a call's and an agent's)
// true: each decodes strictly into Payload and encodes back to the same members.
func TestDocsPayloadExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/webhooks.md")
	require.NoError(t, err)
	for _, heading := range []string{"## Payload", "### Agent state payload"} {
		t.Run(heading, func(t *testing.T) { checkPayloadExample(t, doc, heading) })
	}
}

func checkPayloadExample(t *testing.T, doc []byte, heading string) {
	m := regexp.MustCompile("(?s)" + regexp.QuoteMeta(heading) + "\n\n```json\n(.*?)```").FindSubmatch(doc)
	require.NotNil(t, m, "docs/webhooks.md has no example under %q", heading)
	dec := json.NewDecoder(bytes.NewReader(m[1]))
	dec.DisallowUnknownFields()
	var p Payload
	require.NoError(t, dec.Decode(&p))
	again, err := json.Marshal(p)
	require.NoError(t, err)
	var a, b map[string]any
	require.NoError(t, json.Unmarshal(m[1], &a))
	require.NoError(t, json.Unmarshal(again, &b))
	require.Equal(t, a, b)
}
