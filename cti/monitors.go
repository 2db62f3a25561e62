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
func (o *link) startMonitors(lc *linkConn) (failed map[string]string, err error) {
	failed = map[string]string{}
	var mu sync.Mutex
	err = o.forDevices(lc, o.p.exts, func(ctx context.Context, ext string) error {
		why, err := o.monitorDevice(ctx, lc, ext)
		if why != "" {
			mu.Lock()
			failed[ext] = why
			mu.Unlock()
		}
		return err
	})
	lc.setUnmonitored(failed)
	o.p.status.setUnmonitored(failed)
	return failed, err
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
