package pbxsim

import (
	"fmt"
	"math/rand/v2"
)

// PersonAction does one thing, drawn by rng, that a person at one of exts does at the phone:
// dial another of exts, get a call from outside, answer, hold, retrieve, consult, transfer,
// conference or hang up (a person presses buttons whether or not they make sense: a refusal
// is part of the game). It returns what it did, e.g. "dial 201 205". Tests that hold a
// bridge or a reducer to the switch's truth under random traffic share it, so that a seed
// means the same traffic in each.
func (p *PBX) PersonAction(rng *rand.Rand, exts []string) string {
	x, y := exts[rng.IntN(len(exts))], exts[rng.IntN(len(exts))]
	switch r := rng.IntN(100); {
	case r < 22:
		_, _ = p.Dial(x, y)
		return "dial " + x + " " + y
	case r < 30:
		from := fmt.Sprintf("+4930555%04d", rng.IntN(10000))
		_, _ = p.IncomingCall(from, x)
		return "incoming " + from + " " + x
	case r < 52:
		_ = p.Answer(x)
		return "answer " + x
	case r < 60:
		_ = p.Hold(x)
		return "hold " + x
	case r < 66:
		_ = p.Retrieve(x)
		return "retrieve " + x
	case r < 72:
		_, _ = p.Consult(x, y)
		return "consult " + x + " " + y
	case r < 76:
		_ = p.Transfer(x)
		return "transfer " + x
	case r < 79:
		_ = p.Conference(x)
		return "conference " + x
	}
	_ = p.HangUp(x)
	return "hangup " + x
}
