package cti

import (
	"context"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/cti/reducer"
	"github.com/ctibridge/ctibridge/tapi"
)

// Contact-centre lines. A PBX's Groups are ACD or hunt groups whose devices are monitored like
// lines: their lines hold the queue figures (reducer.State.AddGroup). After every resync the
// agent states come from the PBX: GetAgentState on each other line, since agent events may
// have been missed while no link was up (reasons stay those of the events: the response has
// none).

// agentLines lists the lines of exts that may have agents: all but the groups, and none when
// the PBX has no groups configured (then nobody is asked).
func (p *pbx) agentLines(exts []string) []string {
	if len(p.groups) == 0 {
		return nil
	}
	out := make([]string, 0, len(exts))
	for _, x := range exts {
		if !p.groups[x] {
			out = append(out, x)
		}
	}
	return out
}

// resyncAgents asks GetAgentState for every agent line of exts and applies the answers.
func (o *link) resyncAgents(lc *linkConn, exts []string, counted func(job) job) error {
	lines := o.p.agentLines(exts)
	if len(lines) == 0 {
		return nil
	}
	if err := o.forDevices(lc, lines, func(ctx context.Context, ext string) error {
		return o.agentState(ctx, lc, ext, counted)
	}); err != nil {
		return fmt.Errorf("agent states: %w", err)
	}
	return nil
}

// agentState asks one line's agent states and applies them, unless an event of the line was
// applied meanwhile (the answer may then predate it): then it asks again, like snapshotLine.
func (o *link) agentState(ctx context.Context, lc *linkConn, ext string, counted func(job) job) error {
	p := o.p
	done, err := o.askFresh(ctx, ext, counted, func(ctx context.Context) (job, error) {
		m, err := o.requestTimed(ctx, lc, &csta.GetAgentState{Device: csta.Device(ext)})
		if err != nil {
			if fatal(err) {
				return nil, err
			}
			// Not an agent position (or the switch has no agents there): nothing to learn.
			p.log.WithField("line", tapi.LineName(p.cfg.Name, ext)).WithError(err).Debug("GetAgentState refused")
			return nil, nil
		}
		r, ok := m.(*csta.GetAgentStateResponse)
		if !ok {
			return nil, nil
		}
		// As with a snapshot (snapshotJob): the agent events that preceded the answer on
		// the wire go into the pipeline first, so that none is applied on top of it.
		if err := lc.conn.Delivered(ctx); err != nil {
			return nil, err
		}
		return func(st *reducer.State, now time.Time) reducer.Result {
			return st.SetAgents(ext, r, now)
		}, nil
	})
	if err == nil && !done {
		p.log.WithField("line", tapi.LineName(p.cfg.Name, ext)).Warn("agent events never quiet during GetAgentState; the line keeps the states its events gave it")
	}
	return err
}
