package redisstore

import (
	"errors"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/redis/redistest"
	"github.com/ctibridge/ctibridge/tapi"
)

// applySilently appends a batch exactly as Apply does but publishes it on another channel,
// as if the PUB/SUB message had been lost.
func applySilently(t *testing.T, s *Store, f store.Fence, evs []tapi.Event) {
	t.Helper()
	call, err := s.applyArgs("hq", f, newEpoch(), &store.Batch{Events: evs})
	if err != nil {
		t.Fatal(err)
	}
	call.args[6] = "nobody-listens"
	if _, err := call.run(tctx(t), s.client); err != nil {
		t.Fatal(err)
	}
}

// A published batch whose first offset is past the last delivered one makes the subscriber
// read the gap from the stream first. The probe is off, so only the gap check can do it.
func TestSubscriberFillsGapFromStream(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: time.Hour})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	evs := events("g", 8)
	applyOne(t, s, l.Fence(), evs[0])
	applySilently(t, s, l.Fence(), evs[1:4])
	applySilently(t, s, l.Fence(), evs[4:6])
	if _, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: evs[6:]}); err != nil {
		t.Fatal(err)
	}
	got := receive(t, sub, 8)
	wantSequence(t, got, got[0].Epoch, 1, details("g", 0, 8))
}

// Entries nobody published (a silently dead subscription) arrive through the probe.
func TestProbeDeliversUnpublishedEntries(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: 20 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	applySilently(t, s, l.Fence(), events("p", 5))
	got := receive(t, sub, 5)
	wantSequence(t, got, got[0].Epoch, 1, details("p", 0, 5))
}

// A PUB/SUB connection killed by the server is re-established and nothing is lost.
func TestSubscriptionSurvivesKilledConnection(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, ProbeInterval: 50 * time.Millisecond})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	evs := events("k", 10)
	for _, e := range evs[:5] {
		applyOne(t, s, l.Fence(), e)
	}
	receive(t, sub, 5)
	if _, err := srv.Do("CLIENT", "KILL", "TYPE", "pubsub"); err != nil {
		t.Fatal(err)
	}
	for _, e := range evs[5:] {
		applyOne(t, s, l.Fence(), e)
	}
	got := receive(t, sub, 5)
	wantSequence(t, got, got[0].Epoch, 6, details("k", 5, 5))
}

// A consumer that does not read is dropped with ErrSlowSubscriber; Apply never waits for it.
func TestSlowSubscriberDropped(t *testing.T) {
	srv := redistest.Start(t)
	s := open(t, Options{Addrs: []string{srv.Addr}, SubscriberBuffer: 4, ProbeInterval: time.Hour})
	l, err := s.AcquireLease(tctx(t), "hq", "a", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.Subscribe(tctx(t), "hq")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	if _, err := s.Apply(tctx(t), "hq", l.Fence(), store.Batch{Events: events("s", 10)}); err != nil {
		t.Fatal(err)
	}
	// Read nothing until the subscription has failed.
	eventually(t, "drop of the slow subscriber", func() error {
		if sub.Err() == nil {
			return errors.New("subscription still live")
		}
		return nil
	})
	n := 0
	for range sub.C() {
		n++
	}
	if n != 4 {
		t.Fatalf("slow subscriber got %d buffered entries, want 4", n)
	}
	if err := sub.Err(); err == nil || !errors.Is(err, store.ErrSlowSubscriber) {
		t.Fatalf("Err = %v, want ErrSlowSubscriber", err)
	}
}
