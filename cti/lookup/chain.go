package lookup

import (
	"context"
	"errors"
	"time"
)

// Chain asks its sources in order and answers with the first that knows the number. When
// none does and a source failed, the failure is the answer: "not known" would be cached as
// such, and a source that is back a moment later would not be asked again for a while.
type Chain struct {
	sources []Source
	m       *Metrics
}

// NewChain returns a chain of sources; m (may be nil) counts each source's answers.
func NewChain(m *Metrics, sources ...Source) *Chain {
	return &Chain{sources: sources, m: m}
}

// Name implements Source.
func (c *Chain) Name() string { return "chain" }

// Lookup implements Source.
func (c *Chain) Lookup(ctx context.Context, number string) (Contact, bool, error) {
	var errs []error
	for _, s := range c.sources {
		start := time.Now()
		ct, ok, err := s.Lookup(ctx, number)
		c.m.ObserveSource(s.Name(), result(ok, err), time.Since(start))
		if ok {
			return ct, true, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return Contact{}, false, errors.Join(errs...)
}

// Results of a lookup, as the result label of the metrics has them.
const (
	ResultFound    = "found"
	ResultNotFound = "not_found"
	ResultError    = "error"
)

func result(found bool, err error) string {
	switch {
	case found:
		return ResultFound
	case err != nil:
		return ResultError
	}
	return ResultNotFound
}
