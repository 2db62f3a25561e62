package testkit

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WaitTimeout is how long the kit waits for a condition: generous, because the tests run on
// small, loaded machines and a condition that holds at all holds long before it.
const WaitTimeout = 30 * time.Second

// tick is how often a condition is checked again.
const tick = 20 * time.Millisecond

// Eventually waits until cond holds, failing the test after WaitTimeout. cond runs on
// another goroutine (as with require.Eventually), one call at a time: it must not call
// t.Fatal.
func Eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	EventuallyWithin(t, WaitTimeout, what, cond)
}

// EventuallyWithin is Eventually with its own timeout.
func EventuallyWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	require.Eventually(t, cond, d, tick, "timed out waiting for %s", what)
}

// EventuallyNil waits until f returns nil, failing the test with f's last error after
// WaitTimeout. As with Eventually, f runs on another goroutine.
func EventuallyNil(t testing.TB, what string, f func() error) {
	t.Helper()
	EventuallyNilWithin(t, WaitTimeout, what, f)
}

// EventuallyNilWithin is EventuallyNil with its own timeout.
func EventuallyNilWithin(t testing.TB, d time.Duration, what string, f func() error) {
	t.Helper()
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.NoError(c, f())
	}, d, tick, "timed out waiting for %s", what)
}
