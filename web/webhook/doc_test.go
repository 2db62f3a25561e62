package webhook

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDocsPayloadExample keeps docs/webhooks.md's payload example true: it decodes strictly
// into Payload and encodes back to the same members.
func TestDocsPayloadExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/webhooks.md")
	require.NoError(t, err)
	m := regexp.MustCompile("(?s)## Payload\n\n```json\n(.*?)```").FindSubmatch(doc)
	require.NotNil(t, m, "docs/webhooks.md has no payload example")
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
