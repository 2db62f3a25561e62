package tspcore

import (
	"context"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// Open opens a line device for TAPI (TSPI_lineOpen). It waits up to OpenTimeout for the
// bridge session to be in sync; a line opened without one is reported out of service until
// the session is back (LineDevStatus), and LINEDEVSTATE_INSERVICE follows then. Calls already
// on the line are announced right after Open returns.
func (p *Provider) Open(ctx context.Context, deviceID uint32, htLine HTAPILINE, version uint32, ev LineEvents) (HDRVLINE, error) {
	if ev.Event == nil || ev.NewCall == nil {
		return 0, lineErr(tapi.LINEERR_INVALPOINTER, "lineOpen without an event callback")
	}
	p.mu.Lock()
	l, err := p.lineByDevice(deviceID)
	if err == nil && l.open {
		err = lineErr(tapi.LINEERR_ALLOCATED, "line %s (device %d) is already open", l.info.Name, deviceID)
	}
	cl := p.cl
	p.mu.Unlock()
	if err != nil {
		return 0, err
	}
	wctx, cancel := context.WithTimeout(ctx, p.cfg.OpenTimeout)
	synced := cl.WaitSynced(wctx) == nil
	cancel()

	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, lineErr(tapi.LINEERR_UNINITIALIZED, "provider shut down")
	}
	if l.open {
		return 0, lineErr(tapi.LINEERR_ALLOCATED, "line %s (device %d) is already open", l.info.Name, deviceID)
	}
	l.open, l.htLine, l.ev, l.version = true, htLine, ev, version
	l.state, _ = cl.Line(l.info.Name)
	if l.state.Name == "" {
		l.state.InService = l.info.InService
	}
	p.connected = p.connected || (synced && cl.Connected())
	l.reported = p.connected && l.state.InService
	name := l.info.Name
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.announceExisting(name)
	}()
	return HDRVLINE(l.index + 1), nil
}

// announceExisting tells TAPI about calls that were on a line when it was opened.
func (p *Provider) announceExisting(name string) {
	p.mu.Lock()
	cl := p.cl
	p.mu.Unlock()
	calls := cl.Calls(name)
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.byName[name]
	if p.closed || !l.open {
		return
	}
	for _, c := range calls {
		if p.byHandle[c.Handle] == nil && !p.refused[c.Handle] {
			p.handleEvent(tapi.Event{Type: tapi.LineNewCall, Line: name, Handle: c.Handle, Call: &c, Time: c.Created})
		}
	}
}

// Close closes a line (TSPI_lineClose); its calls are forgotten without being dropped: the
// phone keeps them, the bridge only stops telling this application about them.
func (p *Provider) Close(hd HDRVLINE) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByHandle(hd)
	if err != nil {
		return err
	}
	l.open, l.ev, l.htLine, l.held, l.pending, l.holding = false, LineEvents{}, 0, nil, 0, nil
	p.stopOOSTimer(l)
	for hd, c := range p.calls {
		if c.line == l {
			delete(p.calls, hd)
			if c.handle != "" && p.byHandle[c.handle] == c {
				delete(p.byHandle, c.handle)
			}
		}
	}
	return nil
}

// updateService reconciles what TAPI was told about a line's service with the truth: back
// in service is reported at once; out of service only after OutOfServiceAfter, so that a
// bridge takeover or a PBX switchover does not make lines flap.
func (p *Provider) updateService(l *line) {
	if !l.open {
		return
	}
	if p.connected && l.state.InService {
		p.stopOOSTimer(l)
		if !l.reported {
			l.reported = true
			p.lineEvent(l, 0, LINE_LINEDEVSTATE, uintptr(tapi.LINEDEVSTATE_INSERVICE), 0, 0)
		}
		return
	}
	if !l.reported || l.oosTimer != nil {
		return
	}
	gen := l.oosGen
	l.oosTimer = time.AfterFunc(p.cfg.OutOfServiceAfter, func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.closed || !l.open || l.oosGen != gen {
			return
		}
		l.oosTimer = nil
		if l.reported && !(p.connected && l.state.InService) {
			l.reported = false
			p.lineEvent(l, 0, LINE_LINEDEVSTATE, uintptr(tapi.LINEDEVSTATE_OUTOFSERVICE), 0, 0)
		}
	})
}

func (p *Provider) stopOOSTimer(l *line) {
	if l.oosTimer != nil {
		l.oosTimer.Stop()
		l.oosTimer = nil
	}
	l.oosGen++
}

// lineEvent calls the line's LINEEVENT.
func (p *Provider) lineEvent(l *line, ht HTAPICALL, msg uint32, p1, p2, p3 uintptr) {
	if l.open && l.ev.Event != nil {
		l.ev.Event(l.htLine, ht, msg, p1, p2, p3)
	}
}
