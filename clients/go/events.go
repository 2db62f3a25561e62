package client

import "github.com/ctibridge/ctibridge/tapi"

// Event is what Client.Events delivers: *TAPIEvent, *Resynced, *Synced, *Connected or
// *Disconnected. Switch on the concrete type.
type Event interface{ isEvent() }

// TAPIEvent is one event of a PBX's log (LINE_* or BRIDGE_*), with its place in the log.
// The mirror has already applied it when it is delivered.
type TAPIEvent struct {
	Position Position // where the event sits in its PBX's log
	tapi.Event
}

// Resynced reports that the bridge replaced the client's view of some lines of a PBX: at
// the first subscription ("initial"), and when a cursor could not be continued
// ("cursor_too_old", "epoch_changed"). The mirror holds exactly Lines and Calls for them now;
// calls that vanished ended without events of their own.
type Resynced struct {
	PBX      string
	Position Position
	Reason   string
	Lines    []tapi.Line
	Calls    []tapi.Call
}

// Synced reports that a PBX's feed is up to date: the replay after a (re)connect ended and
// live events follow.
type Synced struct {
	PBX      string
	Position Position
	Replayed int // events replayed from the cursor on this connection
}

// Connected reports an accepted session (the first one and each reconnect).
type Connected struct {
	URL     string
	Welcome Welcome
}

// Disconnected reports a lost connection; the client reconnects on its own unless Err is
// fatal (see Client.Err).
type Disconnected struct {
	URL string
	Err error
}

func (*TAPIEvent) isEvent()    {}
func (*Resynced) isEvent()     {}
func (*Synced) isEvent()       {}
func (*Connected) isEvent()    {}
func (*Disconnected) isEvent() {}
