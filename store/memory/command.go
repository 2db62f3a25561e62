package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ctibridge/ctibridge/store"
)

// server is one ServeCommands call. Handlers run in goroutines counted by wg, so that
// ServeCommands returns only after its handlers have.
type server struct {
	owner  string
	handle store.CommandHandler
	ctx    context.Context // ends when serving stops
	wg     sync.WaitGroup
}

// ServeCommands answers commands sent to pbxName until ctx ends (returning ctx's error) or
// the store closes (store.ErrClosed). Handlers get a context that ends when the sender stops
// waiting or serving stops.
func (s *Store) ServeCommands(ctx context.Context, pbxName, owner string, handle store.CommandHandler) error {
	if err := s.ready(ctx); err != nil {
		return err
	}
	if handle == nil {
		return fmt.Errorf("memory store: ServeCommands for %s without a handler", pbxName)
	}
	p, err := s.pbx(pbxName)
	if err != nil {
		return err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &server{owner: owner, handle: handle, ctx: sctx}
	p.mu.Lock()
	p.servers = append(p.servers, srv)
	p.mu.Unlock()

	select {
	case <-ctx.Done():
		err = ctx.Err()
	case <-s.done:
		err = store.ErrClosed
	}
	p.mu.Lock()
	p.servers = slices.DeleteFunc(p.servers, func(x *server) bool { return x == srv })
	p.mu.Unlock()
	cancel()
	srv.wg.Wait()
	return err
}

// pickServer prefers the lease owner's server, else the newest; p.mu must be held.
func (p *pbx) pickServer(leaseOwner string) *server {
	for i := len(p.servers) - 1; i >= 0; i-- {
		if leaseOwner != "" && p.servers[i].owner == leaseOwner {
			return p.servers[i]
		}
	}
	if len(p.servers) == 0 {
		return nil
	}
	return p.servers[len(p.servers)-1]
}

// SendCommand hands cmd to the PBX's server and waits for the reply until ctx ends. With
// nobody serving it fails at once with store.ErrNoOwner.
func (s *Store) SendCommand(ctx context.Context, pbxName string, cmd []byte) ([]byte, error) {
	if err := s.ready(ctx); err != nil {
		return nil, err
	}
	if err := checkPBX(pbxName); err != nil {
		return nil, err
	}
	p := s.existing(pbxName)
	if p == nil {
		return nil, fmt.Errorf("command to %s: %w", pbxName, store.ErrNoOwner)
	}
	p.mu.Lock()
	owner := ""
	p.lmu.Lock()
	if p.lease.live(s.opts.Now()) {
		owner = p.lease.owner
	}
	p.lmu.Unlock()
	srv := p.pickServer(owner)
	if srv != nil {
		srv.wg.Add(1) // under p.mu: ServeCommands unregisters under it before waiting
	}
	p.mu.Unlock()
	if srv == nil {
		return nil, fmt.Errorf("command to %s: nobody serves it: %w", pbxName, store.ErrNoOwner)
	}

	hctx, hcancel := context.WithCancel(srv.ctx)
	stop := context.AfterFunc(ctx, hcancel) // the handler stops when the sender gives up
	reply := make(chan []byte, 1)
	own := append([]byte(nil), cmd...)
	go func() {
		defer srv.wg.Done()
		defer hcancel()
		defer stop()
		reply <- srv.handle(hctx, own)
	}()
	select {
	case r := <-reply:
		return r, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("command to %s: %w", pbxName, ctx.Err())
	case <-s.done:
		return nil, store.ErrClosed
	}
}
