package web

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// A replay that finds the send queue full sleeps until the writer takes the queue. The queue
// is taken only once the replay sleeps: were the wake-up missed, the replay would wait for
// its bound and fail with it.
func TestEnqueueWaitWakesWhenTheWriterTakesTheQueue(t *testing.T) {
	c := writerlessConn(Config{SendQueue: 2})
	c.ctx, c.cancel = context.WithCancel(context.Background())
	defer c.cancel()
	c.queue = [][]byte{[]byte(`1`), []byte(`2`)}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.enqueueWaitCtx(ctx, []byte(`3`)) }()
	require.Eventually(t, func() bool {
		c.qmu.Lock()
		defer c.qmu.Unlock()
		return c.taken != nil
	}, 10*time.Second, time.Millisecond)
	require.Len(t, c.takeQueue(), 2)
	require.NoError(t, <-done)
	require.Equal(t, [][]byte{[]byte(`3`)}, c.takeQueue())
}

// A session that fails wakes a replay waiting for room: nothing is queued after the close.
func TestEnqueueWaitEndsWhenTheSessionFails(t *testing.T) {
	c := writerlessConn(Config{SendQueue: 1})
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.queue = [][]byte{[]byte(`1`)}
	done := make(chan error, 1)
	go func() { done <- c.enqueueWait([]byte(`2`)) }()
	require.Eventually(t, func() bool {
		c.qmu.Lock()
		defer c.qmu.Unlock()
		return c.taken != nil
	}, 10*time.Second, time.Millisecond)
	c.fail(CloseResyncRequired, "test")
	require.ErrorIs(t, <-done, errSessionClosing)
}

// writerlessConn is a session without a socket whose queue the test takes itself: no writer
// goroutine starts for it (writing is held).
func writerlessConn(cfg Config) *wsConn {
	c := &wsConn{s: &Server{cfg: cfg}}
	c.writing.Store(true)
	return c
}
