package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store/memory"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/web"
)

// TestDaemonDefaultsArePackageDefaults: for every setting, what the daemon hands the engine,
// the front end and the store when the key is left out is the package's own default (what
// ctibench, the tests and any embedder get), unless daemonOverrides lists it. It catches a
// daemon default written a second time and drifted (lease TTL 1.5s against 10s, send queue
// 1024 against 256, dial rate 10 against 30 a minute).
func TestDaemonDefaultsArePackageDefaults(t *testing.T) {
	c := fullDefaults()
	log := logrus.NewEntry(logrus.New())

	ec, err := engineConfig(c, nil, nil, log)
	require.NoError(t, err)
	checkDefaults(t, "cti.Config", ec, cti.DefaultConfig())
	require.Len(t, ec.PBXs, 1)
	checkDefaults(t, "cti.PBXConfig", ec.PBXs[0], cti.DefaultPBXConfig())

	checkDefaults(t, "web.Config", webConfig(c, log), web.DefaultConfig())

	assert.Equal(t, memory.DefaultMaxLogLen, c.Store.MaxLogLen, "store.max_log_len and memory.DefaultMaxLogLen")
	assert.Equal(t, redisstore.DefaultMaxLogLen, c.Store.MaxLogLen, "store.max_log_len and redisstore.DefaultMaxLogLen")
	assert.Equal(t, redisstore.DefaultKeyPrefix, c.Store.Redis.KeyPrefix, "store.redis.key_prefix")

	// A file that leaves every optional key out gets the same as fullDefaults.
	loaded, err := loadConfig(writeConfig(t, `
pbxs:
  - name: hq
    primary: 192.0.2.10:8800
    devices: ["200-219"]
users:
  - {name: alice, token_sha256: `+emptyTokenSHA256+`, role: user, lines: ["hq/201"]}
`), noEnv)
	require.NoError(t, err)
	le, err := engineConfig(loaded, nil, nil, log)
	require.NoError(t, err)
	assert.Equal(t, ec.LeaseTTL, le.LeaseTTL)
	assert.Equal(t, ec.PBXs[0].Failback, le.PBXs[0].Failback)
	assert.Equal(t, webConfig(c, log).SendQueue, webConfig(loaded, log).SendQueue)
}

// checkDefaults compares every field of got that has a default in want (non-zero there) with
// it: a zero field in got is fine (the package fills in its default), another value must be
// the one daemonOverrides gives for the field.
func checkDefaults(t *testing.T, what string, got, want any) {
	t.Helper()
	compared := 0
	var walk func(path string, g, w reflect.Value)
	walk = func(path string, g, w reflect.Value) {
		for i := 0; i < w.NumField(); i++ {
			f := w.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			gv, wv := g.Field(i), w.Field(i)
			name := path + f.Name
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				walk(name+".", gv, wv)
				continue
			}
			if wv.IsZero() || !wv.Comparable() {
				continue
			}
			compared++
			if gv.IsZero() {
				continue
			}
			if o, ok := daemonOverrides[name]; ok {
				assert.Equal(t, o, gv.Interface(), "%s.%s: the daemon's value is not its documented override", what, name)
				continue
			}
			assert.Equal(t, wv.Interface(), gv.Interface(),
				"%s.%s: the daemon's default differs from the package default; make them one (or list a deliberate override in daemonOverrides)", what, name)
		}
	}
	walk("", reflect.ValueOf(got), reflect.ValueOf(want))
	assert.NotZero(t, compared, "%s: no defaults compared", what)
}

// TestDaemonOverridesDiffer: each override is a real change of a package default, and is
// what the daemon applies.
func TestDaemonOverridesDiffer(t *testing.T) {
	ec, err := engineConfig(fullDefaults(), nil, nil, logrus.NewEntry(logrus.New()))
	require.NoError(t, err)
	pd := reflect.ValueOf(cti.DefaultPBXConfig())
	got := reflect.ValueOf(ec.PBXs[0])
	for name, v := range daemonOverrides {
		f := pd.FieldByName(name)
		require.True(t, f.IsValid(), "daemonOverrides names %s, no field of cti.PBXConfig", name)
		assert.NotEqual(t, f.Interface(), v, "%s: the override equals the package default; drop it", name)
		assert.Equal(t, v, got.FieldByName(name).Interface(), name)
	}
}
