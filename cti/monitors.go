package cti

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/ctibridge/ctibridge/csta"
)

// startMonitors issues one MonitorStart per configured device on lc, at most
// MonitorConcurrency at a time. Devices the PBX refuses are returned with the reason; they
// do not fail the link. A link that drops meanwhile does.
func (o *link) startMonitors(lc *linkConn) (failed map[string]string, _ error) {
	failed = map[string]string{}
	exts := o.p.exts
	err := o.streamDevices(lc, len(exts), func(i int) csta.Message {
		return &csta.MonitorStart{MonitorObject: csta.Device(exts[i])}
	}, func(i int, m csta.Message, err error) (then func(context.Context) error, _ error) {
		why, err := monitorAnswer(lc, exts[i], m, err)
		if why != "" {
			failed[exts[i]] = why
		}
		return nil, err
	})
	lc.setUnmonitored(failed)
	o.p.status.setUnmonitored(failed)
	return failed, err
}

// streamDevices sends request(i) for i in 0..n-1 on lc in that order, at most
// MonitorConcurrency in flight, each timed by the PBX's RequestTimeout, through one
// csta.Window: no goroutine per request. handle gets each answer (or the request's error,
// also when the lease forbade sending it) one at a time, mostly on the link's reader
// goroutine, so it must be quick; when it returns then, then runs on a goroutine of its own
// while the request's place in the window stays taken (a line with calls asks more and waits
// for the pipeline). A non-nil error from handle or then stops the stream; so does the link
// closing. request is called just before its request is sent.
func (o *link) streamDevices(lc *linkConn, n int, request func(i int) csta.Message,
	handle func(i int, m csta.Message, err error) (then func(context.Context) error, stop error)) error {
	ctx, cancel := context.WithCancelCause(o.ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	var w *csta.Window
	var hmu sync.Mutex // handle's calls from the window and from here, one at a time
	answer := func(i int, m csta.Message, err error) (then func(context.Context) error) {
		hmu.Lock()
		then, err = handle(i, m, err)
		hmu.Unlock()
		if err != nil {
			cancel(err)
			return nil
		}
		return then
	}
	w = lc.conn.NewWindow(o.p.cfg.MonitorConcurrency, o.p.cfg.RequestTimeout, func(i int, m csta.Message, err error) (hold bool) {
		then := answer(i, m, err)
		if then == nil {
			return false
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.Release()
			if err := then(ctx); err != nil {
				cancel(err)
			}
		}()
		return true
	})
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case <-lc.closed:
			cancel(errLinkClosed)
			continue
		default:
		}
		err := o.mayRequest()
		if err == nil {
			err = w.Send(ctx, i, request(i))
		}
		if err == nil || ctx.Err() != nil {
			continue
		}
		// Not sent: classified as the request's error, as a lone request's would be.
		if then := answer(i, nil, err); then != nil {
			if err := then(ctx); err != nil {
				cancel(err)
			}
		}
	}
	if ctx.Err() == nil {
		if err := w.Wait(ctx); err != nil {
			cancel(err)
		}
	}
	w.Close() // no handler runs once this returns
	wg.Wait() // the continuations end: done, or ctx ended
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// fatal reports whether a request error means the link itself is gone.
func fatal(err error) bool {
	return errors.Is(err, csta.ErrConnClosed) || errors.Is(err, context.Canceled) ||
		errors.Is(err, errLeaseUncertain) || errors.Is(err, errFenced)
}

// forDevices runs fn for every extension with bounded concurrency (MonitorConcurrency
// workers, so at most that many requests in flight), in order of exts, and stops at the
// first error fn returns or when the link closes. The workers take the next extension by
// index: no hand-over through a channel per device.
func (o *link) forDevices(lc *linkConn, exts []string, fn func(ctx context.Context, ext string) error) error {
	ctx, cancel := context.WithCancelCause(o.ctx)
	defer cancel(nil)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(o.p.cfg.MonitorConcurrency, max(len(exts), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(exts)); i = next.Add(1) - 1 {
				select {
				case <-ctx.Done():
					return
				case <-lc.closed:
					cancel(errLinkClosed)
					return
				default:
				}
				if err := fn(ctx, exts[i]); err != nil {
					cancel(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// errLinkClosed stops the work of a resync on a link that closed meanwhile.
var errLinkClosed = errors.New("link closed")
