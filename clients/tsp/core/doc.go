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
package tspcore
