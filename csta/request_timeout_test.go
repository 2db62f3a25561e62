package csta

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A request given a timeout of its own and left unanswered ends with
// context.DeadlineExceeded and frees its slot; its late response answers nothing, so the next
// request still gets its own. On a framing without invoke IDs the late response must be
// consumed in its place in the order, or every later match would shift.
func TestConnRequestTimeout(t *testing.T) {
	for _, framing := range []Framing{HeaderFraming{}, NULFraming{}} {
		t.Run(framing.Name(), func(t *testing.T) {
			held := newHeld()
			c, s := startPair(t, Config{Dialect: Dialect{Framing: framing}},
				ServerConfig{Framing: framing, Handler: held.handler})
			ctx := testCtx(t)

			expired := make(chan error, 1)
			go func() {
				// Long enough to be written first: on a framing without invoke IDs a request
				// that expires while still queued is never written at all.
				_, err := c.RequestTimeout(ctx, makeCall("slow"), 200*time.Millisecond)
				expired <- err
			}()
			first := <-held.ch
			require.ErrorIs(t, <-expired, context.DeadlineExceeded)
			assert.Equal(t, 0, c.Pending(), "slots still taken after the timeout")
			require.NoError(t, s.Respond(ctx, first.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "late"}}))

			type answer struct {
				m   Message
				err error
			}
			got := make(chan answer, 1)
			go func() {
				m, err := c.RequestTimeout(ctx, makeCall("next"), time.Minute)
				got <- answer{m, err}
			}()
			second := <-held.ch
			require.NoError(t, s.Respond(ctx, second.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "mine"}}))
			a := <-got
			require.NoError(t, a.err)
			assert.Equal(t, "mine", a.m.(*MakeCallResponse).CallingDevice.CallID)
			assert.NoError(t, c.Err(), "the late response ended the session")
		})
	}
}

// Calls of answered requests are recycled; a request that timed out must not take the
// answer meant for a later request that reuses its call.
func TestConnRequestTimeoutManyInFlight(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	const n = 50
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.RequestTimeout(ctx, makeCall("expires"), 10*time.Millisecond)
			errs <- err
		}()
	}
	var expired []heldRequest
	for range n {
		expired = append(expired, <-held.ch)
		require.ErrorIs(t, <-errs, context.DeadlineExceeded)
	}
	for i := range n {
		tag := "answered" + string(rune('a'+i%26))
		go func() {
			m, err := c.RequestTimeout(ctx, makeCall(tag), time.Minute)
			if err == nil && m.(*MakeCallResponse).CallingDevice.CallID != tag {
				err = assert.AnError
			}
			errs <- err
		}()
		r := <-held.ch
		// The expired requests' answers come first; each must be dropped.
		require.NoError(t, s.Respond(ctx, expired[i].id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "stale"}}))
		require.NoError(t, s.Respond(ctx, r.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: r.msg.(*MakeCall).CorrelatorData}}))
		require.NoError(t, <-errs)
	}
	assert.Equal(t, 0, c.Pending())
}
