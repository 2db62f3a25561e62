package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/ctibridge/ctibridge/store"
)

// journal keeps a line's newest finished calls, encoded without their line (codec.go), in a
// ring of fixed capacity. A record is never changed once stored.
type journal struct {
	buf  [][]byte
	next int // where the next entry goes once buf is full
	max  int
}

func (j *journal) push(e []byte) {
	if len(j.buf) < j.max {
		j.buf = append(j.buf, e)
		return
	}
	j.buf[j.next] = e
	j.next = (j.next + 1) % j.max
}

// newest returns the i-th newest entry (0 is the newest); i < len(j.buf).
func (j *journal) newest(i int) []byte {
	n := len(j.buf)
	newestIdx := n - 1
	if n == j.max {
		newestIdx = (j.next - 1 + n) % n
	}
	return j.buf[(newestIdx-i+n)%n]
}

// journal returns the line's journal, creating it; p.mu must be held.
func (p *pbx) journal(line string, max int) *journal {
	j := p.journals[line]
	if j == nil {
		j = &journal{max: max}
		p.journals[line] = j
	}
	return j
}

// Journal returns line's finished calls, newest first, skipping skip, at most limit
// (0: all retained).
func (s *Store) Journal(ctx context.Context, line string, skip, limit int) ([]store.JournalEntry, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if skip < 0 || limit < 0 {
		return nil, fmt.Errorf("memory store: journal skip %d and limit %d must not be negative", skip, limit)
	}
	pbxName, ext, ok := strings.Cut(line, "/")
	if !ok || pbxName == "" || ext == "" {
		return nil, fmt.Errorf("memory store: journal line %q is not of the form <pbx>/<extension>", line)
	}
	p := s.existing(pbxName)
	if p == nil {
		return nil, nil
	}
	p.mu.Lock()
	j := p.journals[line]
	if j == nil || skip >= len(j.buf) {
		p.mu.Unlock()
		return nil, nil
	}
	n := len(j.buf) - skip
	if limit > 0 && limit < n {
		n = limit
	}
	recs := make([][]byte, n)
	for i := range recs {
		recs[i] = j.newest(skip + i)
	}
	p.mu.Unlock()

	d := pageDecoder(recs, &s.locs)
	out := make([]store.JournalEntry, n)
	for i := range out {
		out[i].Line = line
		d.journalEntry(&out[i])
	}
	if d.bad || d.i != len(d.s) {
		return nil, errCorrupt
	}
	return out, nil
}
