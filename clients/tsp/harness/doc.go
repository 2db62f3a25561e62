// Package harness runs the ctibridge TSP DLL as Windows runs it: the cross-built
// ctibridge.tsp is loaded under Wine by tsphost.exe (c/tsphost.c, built with mingw-w64), a
// stand-in for the Telephony service that calls the TSPI_ functions in tapisrv's order and
// prints every callback as a line of text. The tests drive tsphost over stdin against real
// bridge and pbxsim processes on loopback and read its transcript.
//
// The package has tests only. They need wine64 and the mingw-w64 cross compiler (`make
// deps`); see clients/tsp/README.md for running tsphost on real Windows.
package harness
