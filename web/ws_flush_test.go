package web

import (
	"io"
	"net"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/web/internal/wsout"
)

// A connection handed to a flusher is not handed out again until that flush takes its queue,
// and the flush writes what was queued meanwhile too: nothing waits for a flush that is not
// coming, and nothing is written twice.
func TestPendingFlushTakesLaterMessages(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
	}()
	client, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	defer client.Close()
	server := <-accepted
	defer server.Close()

	c := writerlessConn(Config{SendQueue: 16})
	c.s.metrics = newMetrics(nil)
	c.sock = wsout.New(server)
	var scratch []byte
	for round, batch := range [][]string{{"a", "b", "c"}, {"d"}} {
		for i, m := range batch {
			require.Equal(t, offerQueued, c.offer([]byte(m)))
			require.Equal(t, i == 0, c.schedFlush(), "round %d, message %d: hand the connection to a flusher", round, i)
		}
		c.flushNow(&scratch)
		for _, m := range batch {
			var frame [3]byte // text frame, unmasked, one byte of payload
			_, err := io.ReadFull(client, frame[:])
			require.NoError(t, err)
			require.Equal(t, [3]byte{0x81, 1, m[0]}, frame)
		}
		require.Zero(t, c.queueLen())
	}
}
