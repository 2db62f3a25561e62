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
//
// Call-centre agents (agents.go). The TSPI has no agent functions: TAPI 2.x passes
// lineSetAgentState, lineGetAgentStatus and lineGetAgentCaps as LINE_PROXYREQUEST
// (LINEPROXYREQUEST_SETAGENTSTATE, _GETAGENTSTATUS, _GETAGENTCAPS) to the application that
// opened the line with LINEOPENOPTION_PROXY, which answers with lineProxyResponse. As TSPs
// with agent support do, the provider is the agent handler behind such a proxy: the proxy
// passes each LINEPROXYREQUEST on with lineDevSpecific, Provider.ProxyRequest
// (TSPI_lineDevSpecific) carries it out, filling LINEAGENTSTATUS/LINEAGENTCAPS in the
// request, and the proxy answers the application once TAPI's LINE_REPLY for the
// lineDevSpecific arrives. State changes go to TAPI directly: LINE_AGENTSTATUS from the
// provider's LINEEVENT, with LINEAGENTSTATUS_GROUP/STATE/NEXTSTATE.
package tspcore
