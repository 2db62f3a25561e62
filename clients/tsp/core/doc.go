// Package tspcore is the portable heart of the ctibridge Telephony Service Provider: every
// piece of logic of the Windows TSP shim (clients/tsp), without cgo, so that it runs and is
// tested on any OS.
//
// A Provider holds one session to the bridge through the Go SDK (several URLs, reconnect and
// resume), maps the bridge's lines to TAPI line device IDs (dwLineDeviceIDBase + index, the
// bridge's stable numeric ID as dwPermanentLineID), keeps the handle tables (hdLine/htLine,
// hdCall/htCall), translates bridge events into the LINEEVENT messages TAPI expects (LINE_NEWCALL
// first for calls the application did not start) and completes asynchronous requests through
// the ASYNC_COMPLETION callback with TAPI's request IDs. The cgo layer only converts C
// arguments and structures and calls into here.
//
// The bridge's lines and calls as facts (a call's record, a line's state) are the Go SDK's
// mirror, a tapi.ReadModel like the engine's and the browser SDK's: the provider reads them
// there (Client.Call, Calls, Line). What it keeps of its own is what TAPI has been told: per
// line the state as of the last message passed on, per call the state and info last
// reported, hdCall/htCall, the conference translation of conference.go and the events held
// back while a request runs. That must advance event by event with the messages it sends
// (the mirror may already be further on), so it is not a second read model.
package tspcore
