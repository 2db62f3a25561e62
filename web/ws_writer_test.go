package web

import (
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
)

// goroutinesIn counts the goroutines whose stack holds a call of a function whose name (as
// the runtime prints it, e.g. "web.(*wsConn).writer") starts with fn.
func goroutinesIn(fn string) int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, fn) {
			count++
		}
	}
	return count
}

// An idle session holds its reader goroutine and no writer; the keep-alive ping still reaches
// it (a writer started by the ping timer writes it and exits), again and again, and a message
// the session sends starts a writer for as long as it takes.
func TestIdleSessionHoldsNoWriterAndIsPinged(t *testing.T) {
	e := newEnv(t, envOpts{web: func(c *Config) { c.PongTimeout = 2 * time.Second }})
	// The session's goroutines are those in a method of wsConn: the reader, the writer while
	// it runs, the handler of a message while it runs.
	const session, reader = "web.(*wsConn).", "web.(*wsConn).readLoop("
	require.Equal(t, 0, goroutinesIn(session), "sessions of earlier tests still run")

	c, _, err := websocket.DefaultDialer.Dial(e.wsURL(), nil)
	require.NoError(t, err)
	pings := make(chan string, 16)
	c.SetPingHandler(func(data string) error {
		select {
		case pings <- data:
		default:
		}
		return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	msgs := make(chan map[string]any, 16)
	readerDone := make(chan error, 1)
	go func() {
		defer close(msgs)
		for {
			_, data, err := c.ReadMessage()
			if err != nil {
				readerDone <- err
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				msgs <- m
			}
		}
	}()
	t.Cleanup(func() { _ = c.Close(); <-readerDone })
	expect := func(typ string) {
		t.Helper()
		select {
		case m, ok := <-msgs:
			require.True(t, ok, "connection closed")
			require.Equal(t, typ, m["type"], "message %v", m)
		case <-time.After(10 * time.Second):
			t.Fatalf("no %s message", typ)
		}
	}
	require.NoError(t, c.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": tokSue}))
	expect("welcome")

	idle := func() bool { return goroutinesIn(session) == goroutinesIn(reader) }
	require.Equal(t, 1, goroutinesIn(reader))
	require.Eventually(t, idle, 10*time.Second, 5*time.Millisecond, "an idle session holds a writer goroutine")
	for i := range 2 {
		select {
		case <-pings:
		case <-time.After(10 * time.Second):
			t.Fatalf("ping %d did not reach the idle client", i+1)
		}
		require.Eventually(t, idle, 10*time.Second, 5*time.Millisecond, "the writer of ping %d stays", i+1)
	}
	require.NoError(t, c.WriteJSON(map[string]any{"type": "ping", "id": 7}))
	expect("pong")
	require.Eventually(t, idle, 10*time.Second, 5*time.Millisecond, "the writer of the pong stays")
	require.Len(t, e.srv.Clients(), 1)

	// The close is written by a writer too, and the session's end leaves none.
	require.NoError(t, c.WriteControl(websocket.CloseMessage,
		websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second)))
	require.Eventually(t, func() bool { return len(e.srv.Clients()) == 0 }, 10*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return goroutinesIn(session) == 0 }, 10*time.Second, 5*time.Millisecond)
}

// Wakes from many goroutines at once never have two writers of one session run: each wake
// either starts the writer or leaves its work to the one running. The session still answers
// afterwards and is left without a writer.
func TestWakesStartOneWriterAtATime(t *testing.T) {
	e := newEnv(t, envOpts{})
	w, _ := e.connect(tokSue)
	e.srv.connsMu.Lock()
	var c *wsConn
	for k := range e.srv.conns {
		c = k
	}
	e.srv.connsMu.Unlock()
	require.NotNil(t, c)

	const writer = "web.(*wsConn).writer("
	stop := make(chan struct{})
	var wakers sync.WaitGroup
	for range 8 {
		wakers.Add(1)
		go func() {
			defer wakers.Done()
			for {
				select {
				case <-stop:
					return
				default:
					c.wake()
				}
			}
		}()
	}
	most := 0
	for range 200 {
		most = max(most, goroutinesIn(writer))
	}
	close(stop)
	wakers.Wait()
	require.LessOrEqual(t, most, 1, "writers of one session at once")

	w.send(map[string]any{"type": "ping", "id": 1})
	w.expect("pong")
	require.Eventually(t, func() bool { return goroutinesIn(writer) == 0 }, 10*time.Second, 5*time.Millisecond)
	require.Len(t, e.srv.Clients(), 1)
}

// A written queue is kept for the queue after next when it is small, or when the burst it
// held filled a quarter of it (a busy session, whose next bursts then need no growing), and
// dropped when it is larger than maxBusyQueue or was mostly empty (a session gone idle).
func TestRecycleQueueKeepsBusyArrays(t *testing.T) {
	for _, tc := range []struct {
		len, cap int
		kept     bool
	}{
		{1, 1, true}, {1, maxSpareQueue, true}, {1, 4 * maxSpareQueue, false},
		{256, 512, true}, {128, 512, true}, {127, 512, false},
		{maxBusyQueue, maxBusyQueue, true}, {2 * maxBusyQueue, 2 * maxBusyQueue, false},
	} {
		c := writerlessConn(Config{SendQueue: 1 << 20})
		q := make([][]byte, tc.len, tc.cap)
		for i := range q {
			q[i] = []byte("m")
		}
		c.recycleQueue(q)
		if kept := c.spareQ != nil; kept != tc.kept {
			t.Errorf("queue of %d in %d: kept %v, want %v", tc.len, tc.cap, kept, tc.kept)
		}
		if !tc.kept {
			continue
		}
		if q[0] != nil {
			t.Errorf("queue of %d in %d: kept with its messages", tc.len, tc.cap)
		}
		c.takeQueue() // the kept array becomes the queue
		if c.offer([]byte("x")); len(c.queue) != 1 || cap(c.queue) != tc.cap {
			t.Errorf("queue of %d in %d: next queue %d in %d", tc.len, tc.cap, len(c.queue), cap(c.queue))
		}
	}
}

// A full queue (none kept, recycleQueue dropped it, or it kept a small one) grows at once to
// hold as many messages as the last burst taken (the largest of the recent ones: burstPeak),
// bounded by maxSpareQueue and maxBusyQueue, instead of at every doubling from one message or
// from a small kept array.
func TestOfferSizesQueueByLastBurst(t *testing.T) {
	for _, tc := range []struct {
		burst, want int
		kept        bool // a small array was kept for the queue
	}{
		{0, maxSpareQueue, false}, {3, maxSpareQueue, false}, {100, 100, false}, {100, 100, true},
		{4 * maxBusyQueue, maxBusyQueue, false}, {4 * maxBusyQueue, maxBusyQueue, true},
	} {
		c := writerlessConn(Config{SendQueue: 1 << 20})
		for range tc.burst {
			require.Equal(t, offerQueued, c.offer([]byte("m")))
		}
		if tc.kept {
			c.spareQ = make([][]byte, 0, maxSpareQueue)
		}
		c.takeQueue() // not recycled: the next queue has the kept array or none
		grown := 0    // how many times the queue's array changed over the burst's size
		for range tc.want {
			before := cap(c.queue)
			require.Equal(t, offerQueued, c.offer([]byte("m")))
			if cap(c.queue) != before {
				grown++
			}
		}
		if got := cap(c.queue); got < tc.want || got > tc.want+tc.want/4 {
			t.Errorf("after a burst of %d (kept %v): queue of capacity %d, want %d", tc.burst, tc.kept, got, tc.want)
		}
		if want := 1; grown > want {
			t.Errorf("after a burst of %d (kept %v): the queue's array grew %d times, want %d",
				tc.burst, tc.kept, grown, want)
		}
	}
}

var burstMsg = []byte("m")

// writeBurst offers n messages to c and takes and recycles its queue, as the hub's fan-out and
// a flusher do for one burst.
func writeBurst(t *testing.T, c *wsConn, n int) {
	t.Helper()
	for range n {
		if r := c.offer(burstMsg); r != offerQueued {
			t.Fatalf("offer: %v", r)
		}
	}
	c.recycleQueue(c.takeQueue())
}

// A busy session whose bursts vary by more than four to one from one to the next keeps its
// queue arrays: dropping the array of a large burst after a small one and growing a new one
// for the next large burst was an allocation or more per burst at saturation.
func TestBusyQueueKeepsArraysThroughSmallBursts(t *testing.T) {
	c := writerlessConn(Config{SendQueue: 1 << 20})
	cycle := func() { writeBurst(t, c, 400); writeBurst(t, c, 60); writeBurst(t, c, 5) }
	for range 3 {
		cycle()
	}
	if n := testing.AllocsPerRun(20, cycle); n != 0 {
		t.Errorf("bursts of 400, 60 and 5 messages: %.1f allocations per round, want 0", n)
	}
}

// A session gone quiet (bursts of one message) drops its large queue arrays after a few
// bursts.
func TestQuietQueueDropsLargeArrays(t *testing.T) {
	c := writerlessConn(Config{SendQueue: 1 << 20})
	for range 3 {
		writeBurst(t, c, 400)
	}
	for range 20 {
		writeBurst(t, c, 1)
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if cap(c.queue) > maxSpareQueue || cap(c.spareQ) > maxSpareQueue {
		t.Errorf("after 20 bursts of one message: arrays of %d and %d, want at most %d",
			cap(c.queue), cap(c.spareQ), maxSpareQueue)
	}
}

// A queue past maxBusyQueue (a writer behind its socket) doubles when full, up to SendQueue,
// instead of growing by a quarter: a queue of 100,000 messages was copied some twenty times.
func TestLargeQueueDoubles(t *testing.T) {
	c := writerlessConn(Config{SendQueue: 20000})
	grown := 0
	for range c.s.cfg.SendQueue {
		before := cap(c.queue)
		require.Equal(t, offerQueued, c.offer([]byte("m")))
		if cap(c.queue) != before && before >= maxBusyQueue {
			grown++
			require.GreaterOrEqual(t, cap(c.queue), min(2*before, c.s.cfg.SendQueue), "growth from %d", before)
		}
	}
	require.LessOrEqual(t, grown, 5, "growths past %d", maxBusyQueue)
	require.Equal(t, offerFull, c.offer([]byte("m")))
}
