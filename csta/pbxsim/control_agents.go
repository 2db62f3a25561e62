package pbxsim

import (
	"errors"

	"github.com/ctibridge/ctibridge/csta"
)

// SetAgentState does what an agent does with the ACD keys of the phone: log on to an ACD group
// (as agentID, default the extension number), log off, go ready, not ready with a reason code,
// or into wrap-up. group "" means every ACD group the extension belongs to. The events are
// those of the CSTA SetAgentState service; while the agent is busy on an ACD call the change
// waits for the call to end.
func (p *PBX) SetAgentState(ext, group string, state csta.RequestedAgentState, agentID, reason string) error {
	if err := p.lockOpen(); err != nil {
		return err
	}
	defer p.mu.Unlock()
	if _, err := p.ext(ext); err != nil {
		return err
	}
	as, err := p.agentTargets(csta.Device(ext), group)
	if err == nil {
		_, err = p.setAgentState(as, state, agentID, reason)
	}
	var ce *csta.Error
	if errors.As(err, &ce) {
		return ctlErr(ext, "agent state refused: "+ce.Value, err)
	}
	return err
}
