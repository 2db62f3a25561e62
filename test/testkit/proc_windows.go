package testkit

import "os/exec"

// ownProcessGroup does nothing on Windows: the browser's helpers end with it.
func ownProcessGroup(*exec.Cmd) {}

// killProcessGroup kills the process.
func killProcessGroup(cmd *exec.Cmd) { _ = cmd.Process.Kill() }
