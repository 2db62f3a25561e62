package cti

import (
	"context"
	"errors"
	"time"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi/backoff"
)

// A PBX's preferred instance (PBXConfig.PreferredInstance) should own its link whenever it
// runs, so that several PBXs spread over the instances instead of all going to the one that
// started first. The other instances give it a head start on a free lease; the preferred
// instance, finding another owner, asks it to hand the link over, which it does the way it
// does on SIGTERM (lease released at once, the new owner resynchronises hot). Without a
// preferred instance the first to ask owns the link, as before.

// errHandedOver ends an ownership term whose link went to the preferred instance.
var errHandedOver = errors.New("cti: link handed over to the preferred instance")

// kindHandover asks the owner to release the PBX to the requesting preferred instance.
const kindHandover = "handover"

// preferenceHeadStart is how many lease polls a free lease is left to the preferred
// instance before another takes it.
const preferenceHeadStart = 2

// handoverSettle is how long the preferred instance runs as a follower before it asks for the
// link, and how long it waits between requests: the owner must not be asked to move the link
// while this instance is still starting up or shortly after a move.
const handoverSettle = 3 * time.Second

type preference struct {
	p       *pbx
	poll    time.Duration
	started time.Time
	asked   time.Time
}

func newPreference(p *pbx, poll time.Duration) *preference {
	return &preference{p: p, poll: poll, started: time.Now()}
}

func (pr *preference) preferred() string { return pr.p.cfg.PreferredInstance }

func (pr *preference) isMe() bool { return pr.preferred() == pr.p.e.cfg.InstanceID }

// mayAcquire reports whether this instance should try to take the lease now. An instance
// that is not the preferred one, seeing the lease free, first waits preferenceHeadStart polls.
func (pr *preference) mayAcquire(ctx context.Context) bool {
	if pr.preferred() == "" || pr.isMe() {
		return true
	}
	cctx, cancel := context.WithTimeout(ctx, pr.poll)
	owner, _, err := pr.p.e.cfg.Store.LeaseOwner(cctx, pr.p.cfg.Name)
	cancel()
	switch {
	case errors.Is(err, store.ErrNoOwner):
		backoff.Sleep(ctx, preferenceHeadStart*pr.poll)
		return true // if the preferred instance took it meanwhile, acquiring says so
	case err != nil:
		return true // the store decides, as without a preference
	default:
		pr.p.status.setOwner(owner, false)
		return owner == pr.p.e.cfg.InstanceID
	}
}

// heldBy is called when another instance holds the lease. The preferred instance asks it to
// hand the link over, once it has settled and not more often than handoverSettle.
func (pr *preference) heldBy(ctx context.Context, owner string) {
	if !pr.isMe() || owner == pr.p.e.cfg.InstanceID {
		return
	}
	now := time.Now()
	if now.Sub(pr.started) < handoverSettle || now.Sub(pr.asked) < handoverSettle {
		return
	}
	pr.asked = now
	cctx, cancel := context.WithTimeout(ctx, pr.poll*preferenceHeadStart)
	defer cancel()
	// The owner ends its term while answering, so the answer may not arrive: what counts is
	// the lease, which the next poll acquires.
	out, err := pr.p.send(cctx, routedCommand{Kind: kindHandover, From: pr.p.e.cfg.InstanceID})
	switch {
	case err == nil && out.Error != "":
		pr.p.log.WithField("owner", owner).Warn("owner refused to hand the link to its preferred instance: " + out.Error)
	case err == nil:
		pr.p.log.WithField("owner", owner).Info("asked the owner to hand the link over to this preferred instance")
	}
}

// handover ends the term so the preferred instance can take the link; requester must be it.
func (o *term) handover(requester string) error {
	p := o.p
	if requester == "" || requester != p.cfg.PreferredInstance {
		return errors.New("handover: " + requester + " is not the preferred instance of PBX " + p.cfg.Name)
	}
	if requester == p.e.cfg.InstanceID {
		return errors.New("handover: already owned by the preferred instance")
	}
	p.log.WithField("to", requester).Info("handing the PBX link over to its preferred instance")
	o.cancel(errHandedOver)
	return nil
}
