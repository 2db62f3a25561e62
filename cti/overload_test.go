package cti

import (
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/sirupsen/logrus/hooks/test"
	"github.com/stretchr/testify/require"
)

// TestOverloadEpisodes: an episode starts when a batch's events waited overloadEnter or the
// queue is half full, is logged once, shows in LinkInfo, and ends only once the events are
// applied promptly with the queue nearly empty.
func TestOverloadEpisodes(t *testing.T) {
	logger, hook := test.NewNullLogger()
	log := logrus.NewEntry(logger)
	var ol overload
	li := func() LinkInfo { var li LinkInfo; ol.fill(&li); return li }

	ol.observe(log, 10*time.Millisecond, 10, 1000)
	require.Empty(t, li().Overload)
	ol.observe(log, overloadEnter, 10, 1000)
	require.Contains(t, li().Overload, "faster than the bridge applies them")
	require.NotNil(t, li().OverloadSince)
	ol.observe(log, time.Second, 900, 1000)
	ol.observe(log, 10*time.Millisecond, 300, 1000) // prompt, but the queue still long
	require.NotEmpty(t, li().Overload)
	warnings := 0
	for _, e := range hook.AllEntries() {
		if e.Level == logrus.WarnLevel {
			warnings++
		}
	}
	require.Equal(t, 1, warnings, "one warning per episode")

	ol.observe(log, 10*time.Millisecond, 5, 1000)
	require.Empty(t, li().Overload)
	require.Nil(t, li().OverloadSince)
	require.Equal(t, "overload over", hook.LastEntry().Message)

	ol.observe(log, 0, 600, 1000) // a queue half full is overload without a late event
	require.NotEmpty(t, li().Overload)
	require.EqualValues(t, 2, li().OverloadEpisodes)
	ol.end()
	require.Empty(t, li().Overload)
}
