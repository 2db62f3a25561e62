//go:build unix

package wsout

import (
	"testing"
	"time"
)

// A batch of many frames goes out whole and in order through a framing buffer of about
// frameChunk bytes, which stays small enough to be reused, from both write paths.
func TestWSOutBatchesInChunks(t *testing.T) {
	p := newOutPair(t, 0)
	var msgs [][]byte
	for i := range 300 {
		msgs = append(msgs, payload(i, 100+(i*37)%900)) // about 150 KB
	}
	var scratch []byte
	n, done, err := p.out.TryWriteFrames(take(msgs), &scratch)
	if err != nil || n != len(msgs) {
		t.Fatalf("tryWriteFrames: %d, %v", n, err)
	}
	if !done {
		// The socket took only part of it: the writer goroutine's part.
		if _, err := p.out.WriteFrames(take(nil), time.Now().Add(10*time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	p.expect(t, msgs)
	if cap(scratch) > MaxIdleBuffer {
		t.Fatalf("framing buffer grew to %d bytes, more than the %d kept for reuse", cap(scratch), MaxIdleBuffer)
	}
	if n, err := p.out.WriteFrames(take(msgs), time.Now().Add(10*time.Second)); err != nil || n != len(msgs) {
		t.Fatalf("writeFrames: %d, %v", n, err)
	}
	p.expect(t, msgs)
}
