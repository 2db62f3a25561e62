// Package wire is the client WebSocket protocol of ctibridge (docs/websocket.md) in one
// place: the op table (which request members each op takes, how they are validated, the
// ECMA-269 service it maps to and which calls it affects), the protocol version, the close
// codes, the message type names, log positions and the messages both sides share.
//
// The bridge (packages web and cti) and the clients (clients/go, and through it the TSP)
// link it; it links only tapi, never csta, cti, store or web. The JS SDK's op list and the
// op and close-code tables of docs/websocket.md are checked against it by tests.
package wire
