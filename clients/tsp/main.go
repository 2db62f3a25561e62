//go:build !(windows && cgo)

// Command tsp is the ctibridge Telephony Service Provider, a Windows DLL (ctibridge.tsp)
// built with `make tsp`; see README.md. Built for any other target it only says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "ctibridge.tsp is a Windows DLL: build it with `make tsp` (GOOS=windows CGO_ENABLED=1 -buildmode=c-shared)")
	os.Exit(1)
}
