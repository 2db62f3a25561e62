// Package testkit is what the project's tests share: the binaries of the main packages built
// once per checkout (Build), waiting on conditions (Eventually), a goroutine-safe buffer and
// a logger whose output is shown when a test fails (Buffer, Logger), and a headless Chromium
// driven over the DevTools protocol (StartBrowser). Only _test.go files and test helper
// packages import it.
package testkit
