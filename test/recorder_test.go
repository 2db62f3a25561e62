package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
)

// leaseSample is the PBX's lease owner as the store reported it at one moment.
type leaseSample struct {
	At    time.Time
	Owner string // "" when nobody owns it
	Token uint64
	OK    bool // false when the store did not answer
}

// epochLog is what the recorder saw of one epoch of the PBX's event log.
type epochLog struct {
	Epoch   string
	Entries []store.Entry // in offset order, as read
	byOff   map[uint64]int
}

// recorder tails the PBX's event log and lease in the store, read-only, so that what clients
// received can be compared with what was written, and CSTA requests with who held the lease.
type recorder struct {
	st *redisstore.Store

	mu      sync.Mutex
	epochs  []*epochLog
	leases  []leaseSample
	rewinds []string // the log's position went backwards within an epoch
	stop    context.CancelFunc
	done    chan struct{}
}

func startRecorder(t testing.TB, ctx context.Context, opts redisstore.Options) *recorder {
	t.Helper()
	st, err := redisstore.New(ctx, opts)
	if err != nil {
		t.Fatalf("recorder: %v", err)
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r := &recorder{st: st, stop: cancel, done: make(chan struct{})}
	go r.run(rctx)
	t.Cleanup(func() {
		r.stop()
		<-r.done
		st.Close()
	})
	return r
}

func (r *recorder) run(ctx context.Context) {
	defer close(r.done)
	for ctx.Err() == nil {
		r.poll(ctx)
		select {
		case <-ctx.Done():
		case <-time.After(25 * time.Millisecond):
		}
	}
}

func (r *recorder) poll(ctx context.Context) {
	pctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	owner, token, err := r.st.LeaseOwner(pctx, pbxName)
	s := leaseSample{At: time.Now(), Owner: owner, Token: token, OK: err == nil || errors.Is(err, store.ErrNoOwner)}
	r.mu.Lock()
	r.leases = append(r.leases, s)
	r.mu.Unlock()
	pos, err := r.st.Position(pctx, pbxName)
	if err != nil || pos.Epoch == "" {
		return
	}
	el := r.epoch(pos.Epoch)
	r.mu.Lock()
	last := el.last()
	if pos.Offset < last {
		// Acknowledged events are gone (a promoted replica that lacked them). Report it once
		// and follow the store's new history from here.
		r.rewinds = append(r.rewinds, fmt.Sprintf("%s: epoch %s went back from offset %d to %d",
			time.Now().Format("15:04:05.000"), pos.Epoch, last, pos.Offset))
		for len(el.Entries) > 0 && el.Entries[len(el.Entries)-1].Offset > pos.Offset {
			delete(el.byOff, el.Entries[len(el.Entries)-1].Offset)
			el.Entries = el.Entries[:len(el.Entries)-1]
		}
		last = el.last()
	}
	r.mu.Unlock()
	for pos.Offset > last {
		es, err := r.st.Replay(pctx, pbxName, pos.Epoch, last, 1000)
		if err != nil || len(es) == 0 {
			return
		}
		r.mu.Lock()
		for _, e := range es {
			if _, dup := el.byOff[e.Offset]; !dup {
				el.byOff[e.Offset] = len(el.Entries)
				el.Entries = append(el.Entries, e)
			}
		}
		last = el.last()
		r.mu.Unlock()
	}
}

// last returns the highest offset read; the caller holds r.mu.
func (el *epochLog) last() uint64 {
	if n := len(el.Entries); n > 0 {
		return el.Entries[n-1].Offset
	}
	return 0
}

// epoch returns the log of epoch, starting one when it is new.
func (r *recorder) epoch(epoch string) *epochLog {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, el := range r.epochs {
		if el.Epoch == epoch {
			return el
		}
	}
	el := &epochLog{Epoch: epoch, byOff: map[uint64]int{}}
	r.epochs = append(r.epochs, el)
	return el
}

// snapshot returns copies of the recorded logs and lease samples.
func (r *recorder) snapshot() (map[string][]store.Entry, []string, []leaseSample, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	logs := map[string][]store.Entry{}
	var order []string
	for _, el := range r.epochs {
		logs[el.Epoch] = append([]store.Entry(nil), el.Entries...)
		order = append(order, el.Epoch)
	}
	return logs, order, append([]leaseSample(nil), r.leases...), append([]string(nil), r.rewinds...)
}

// caughtUp reports whether the recorder has read the log up to the store's position.
func (r *recorder) caughtUp(ctx context.Context) bool {
	pos, err := r.st.Position(ctx, pbxName)
	if err != nil {
		return false
	}
	logs, _, _, _ := r.snapshot()
	es := logs[pos.Epoch]
	return pos.Offset == 0 || (len(es) > 0 && es[len(es)-1].Offset == pos.Offset)
}
