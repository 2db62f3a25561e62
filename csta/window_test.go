package csta

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A window keeps at most its size in flight, and every response goes to the handler once,
// with the tag of the request it answers, also when the switch answers out of order (invoke
// IDs) or strictly in order (a framing without them).
func TestWindowBoundedAndMatched(t *testing.T) {
	for _, framing := range []Framing{HeaderFraming{}, NULFraming{}} {
		t.Run(framing.Name(), func(t *testing.T) {
			const size, n = 4, 40
			held := newHeld()
			c, s := startPair(t, Config{Dialect: Dialect{Framing: framing}}, ServerConfig{Framing: framing, Handler: held.handler})
			ctx := testCtx(t)
			var handled atomic.Int64
			var mu sync.Mutex
			seen := map[int]int{}
			w := c.NewWindow(size, time.Minute, func(tag int, m Message, err error) bool {
				mu.Lock()
				defer mu.Unlock()
				seen[tag]++
				if assert.NoError(t, err) {
					assert.Equal(t, strconv.Itoa(tag), m.(*MakeCallResponse).CallingDevice.CallID, "response given to the wrong request")
				}
				handled.Add(1)
				return false
			})
			done := make(chan error, 1)
			go func() {
				for i := range n {
					if err := w.Send(ctx, i, makeCall(strconv.Itoa(i))); err != nil {
						done <- err
						return
					}
				}
				done <- w.Wait(ctx)
			}()
			received := 0
			for received < n {
				// Take what the switch has (at least one), then answer it: out of order where
				// invoke IDs allow it.
				batch := []heldRequest{<-held.ch}
				received++
				for more := true; more; {
					select {
					case r := <-held.ch:
						batch = append(batch, r)
						received++
					default:
						more = false
					}
				}
				require.LessOrEqual(t, int64(received)-handled.Load(), int64(size), "more requests in flight than the window")
				if framing.HasInvokeID() {
					for i, j := 0, len(batch)-1; i < j; i, j = i+1, j-1 {
						batch[i], batch[j] = batch[j], batch[i]
					}
				}
				for _, r := range batch {
					require.NoError(t, s.Respond(ctx, r.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: r.msg.(*MakeCall).CorrelatorData}}))
				}
			}
			require.NoError(t, <-done)
			mu.Lock()
			defer mu.Unlock()
			for i := range n {
				assert.Equal(t, 1, seen[i], "request %d handled %d times", i, seen[i])
			}
			assert.Equal(t, 0, c.Pending())
		})
	}
}

// A held place is not reused until Release: with a window of one, the second request goes
// out only after the first one's place was released.
func TestWindowHold(t *testing.T) {
	c, _ := startPair(t, Config{}, ServerConfig{Handler: func(_ context.Context, req Message) (Message, error) {
		return &MakeCallResponse{CallingDevice: ConnectionID{CallID: req.(*MakeCall).CorrelatorData}}, nil
	}})
	ctx := testCtx(t)
	var handled atomic.Int64
	holding := make(chan struct{})
	w := c.NewWindow(1, 0, func(tag int, _ Message, err error) bool {
		assert.NoError(t, err)
		handled.Add(1)
		if tag == 0 {
			close(holding)
			return true
		}
		return false
	})
	done := make(chan error, 1)
	go func() {
		for i := range 2 {
			if err := w.Send(ctx, i, makeCall(strconv.Itoa(i))); err != nil {
				done <- err
				return
			}
		}
		done <- w.Wait(ctx)
	}()
	<-holding
	assert.Equal(t, int64(1), handled.Load(), "the second request went out while the first held the only place")
	w.Release()
	require.NoError(t, <-done)
	assert.Equal(t, int64(2), handled.Load())
}

// A request of a window left unanswered past its timeout ends with DeadlineExceeded and its
// place is free again; its late response is dropped.
func TestWindowTimeout(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	results := make(chan error, 2)
	w := c.NewWindow(1, 20*time.Millisecond, func(_ int, _ Message, err error) bool {
		results <- err
		return false
	})
	require.NoError(t, w.Send(ctx, 0, makeCall("slow")))
	first := <-held.ch
	require.ErrorIs(t, <-results, context.DeadlineExceeded)
	require.NoError(t, s.Respond(ctx, first.id, &MakeCallResponse{}))
	require.NoError(t, w.Wait(ctx))
	assert.Equal(t, 0, c.Pending())
	assert.NoError(t, c.Err(), "the late response ended the session")
}

// When the session ends, the requests in flight end with an error matching ErrConnClosed
// (or the window is closed by Wait first); each is handled at most once and Send refuses
// more.
func TestWindowSessionEnds(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	var mu sync.Mutex
	seen := map[int]int{}
	w := c.NewWindow(8, 0, func(tag int, _ Message, err error) bool {
		mu.Lock()
		defer mu.Unlock()
		seen[tag]++
		assert.ErrorIs(t, err, ErrConnClosed)
		return false
	})
	for i := range 3 {
		require.NoError(t, w.Send(ctx, i, makeCall("held")))
		<-held.ch
	}
	s.Close()
	err := w.Wait(ctx)
	if err != nil {
		assert.ErrorIs(t, err, ErrConnClosed)
	}
	<-c.Done()
	assert.Error(t, w.Send(ctx, 3, makeCall("after")))
	mu.Lock()
	defer mu.Unlock()
	for tag, n := range seen {
		assert.Equal(t, 1, n, "request %d handled %d times", tag, n)
	}
	if err == nil {
		assert.Len(t, seen, 3, "Wait returned nil before every request was handled")
	}
}

// Close abandons the requests in flight: their invoke IDs are free, their responses dropped,
// and the handler is not called any more.
func TestWindowClose(t *testing.T) {
	held := newHeld()
	c, s := startPair(t, Config{}, ServerConfig{Handler: held.handler})
	ctx := testCtx(t)
	var handled atomic.Int64
	w := c.NewWindow(4, 0, func(int, Message, error) bool {
		handled.Add(1)
		return false
	})
	for i := range 2 {
		require.NoError(t, w.Send(ctx, i, makeCall("held")))
	}
	a, b := <-held.ch, <-held.ch
	w.Close()
	assert.Equal(t, 0, c.Pending())
	require.NoError(t, s.Respond(ctx, a.id, &MakeCallResponse{}))
	require.NoError(t, s.Respond(ctx, b.id, &MakeCallResponse{}))
	require.ErrorIs(t, w.Send(ctx, 2, makeCall("after")), ErrWindowStopped)
	// A request after the dropped responses is answered as usual: they matched nothing.
	type answer struct {
		m   Message
		err error
	}
	got := make(chan answer, 1)
	go func() {
		m, err := c.Request(ctx, makeCall("next"))
		got <- answer{m, err}
	}()
	next := <-held.ch
	require.NoError(t, s.Respond(ctx, next.id, &MakeCallResponse{CallingDevice: ConnectionID{CallID: "next"}}))
	r := <-got
	require.NoError(t, r.err)
	assert.Equal(t, "next", r.m.(*MakeCallResponse).CallingDevice.CallID)
	assert.Zero(t, handled.Load())
}
