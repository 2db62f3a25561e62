package main

import (
	"bufio"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Names the bench's sessions give in their hello ("client"), which the bridge logs with
// every disconnect it causes: they tell the sessions it shed apart. A shed client whose
// socket buffers are full often sees the connection reset rather than the 4008 frame, so
// the bridge's log, not the client, is where sheds are counted (shedTally).
const (
	clientNameFast  = "ctibench"
	clientNameSlow  = "ctibench-slow"
	clientNameAudit = "ctibench-audit"
)

// clientName is the hello's client name of c.
func (c *benchClient) clientName() string {
	switch {
	case c.audit != nil:
		return clientNameAudit
	case c.isSlow:
		return clientNameSlow
	}
	return clientNameFast
}

// Shed counts the sessions the bridge ended as slow consumers (close 4008), by the kind of
// client and by why: shed under overload (the slowest first, hub_shed.go) or another bound
// (web.behind_limit, episodes per minute, write timeout).
type Shed struct {
	SlowOverload  int `json:"slow_overload"`
	SlowOther     int `json:"slow_other"`
	FastOverload  int `json:"keeping_up_overload"`
	FastOther     int `json:"keeping_up_other"`
	AuditOverload int `json:"auditor_overload"`
	AuditOther    int `json:"auditor_other"`
}

var logField = regexp.MustCompile(`(\w+)=("(?:[^"\\]|\\.)*"|\S+)`)

// shedTally reads the instances' logs (logrus text) for 4008 disconnects.
func shedTally(logFiles []string) Shed {
	var s Shed
	for _, name := range logFiles {
		f, err := os.Open(name)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		for sc.Scan() {
			s.add(sc.Text())
		}
		f.Close()
	}
	return s
}

// add counts one log line when it is a 4008 disconnect.
func (s *Shed) add(line string) {
	if !strings.Contains(line, "websocket client disconnected") || !strings.Contains(line, "close_code=4008") {
		return
	}
	fields := map[string]string{}
	for _, m := range logField.FindAllStringSubmatch(line, -1) {
		v := m[2]
		if u, err := strconv.Unquote(v); err == nil {
			v = u
		}
		fields[m[1]] = v
	}
	overload := strings.Contains(fields["reason"], "shed under overload")
	count := func(over, other *int) {
		if overload {
			*over++
		} else {
			*other++
		}
	}
	switch fields["client"] {
	case clientNameSlow:
		count(&s.SlowOverload, &s.SlowOther)
	case clientNameAudit:
		count(&s.AuditOverload, &s.AuditOther)
	case clientNameFast:
		count(&s.FastOverload, &s.FastOther)
	}
}
