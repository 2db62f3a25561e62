package cti

import (
	"context"
	"errors"
	"sync"

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

// forDevices runs fn for every extension with bounded concurrency, in order of exts, and
// stops at the first error fn returns.
func (o *link) forDevices(lc *linkConn, exts []string, fn func(ctx context.Context, ext string) error) error {
	ctx, cancel := context.WithCancelCause(o.ctx)
	defer cancel(nil)
	work := make(chan string)
	var wg sync.WaitGroup
	for range min(o.p.cfg.MonitorConcurrency, max(len(exts), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ext := range work {
				if err := fn(ctx, ext); err != nil {
					cancel(err)
				}
			}
		}()
	}
feed:
	for _, x := range exts {
		select {
		case work <- x:
		case <-ctx.Done():
			break feed
		case <-lc.closed:
			cancel(errors.New("link closed"))
			break feed
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}
