package lookup

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crm is a CRM's lookup endpoint on a real listener: GET /contacts?phone=N answers the
// contact of N as {"contact":{"name":...,"company":...}}, 404 for numbers it does not know,
// 500 for "+4900", and waits for release (or the client giving up) for "+4999".
type crm struct {
	srv      *httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	seen     []string // phone query values, as received
	keys     []string // X-Api-Key header values
	release  chan struct{}
}

func newCRM(t *testing.T, contacts map[string]string) *crm {
	c := &crm{release: make(chan struct{})}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.requests.Add(1)
		phone := r.URL.Query().Get("phone")
		c.mu.Lock()
		c.seen = append(c.seen, phone)
		c.keys = append(c.keys, r.Header.Get("X-Api-Key"))
		c.mu.Unlock()
		switch phone {
		case "+4900":
			http.Error(w, "database down", http.StatusInternalServerError)
			return
		case "+4999":
			select {
			case <-c.release:
			case <-r.Context().Done():
				return
			}
		}
		name, ok := contacts[phone]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"contact":{"name":%q,"company":"ACME","id":7}}`, name)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *crm) source(t *testing.T, timeout time.Duration) *HTTP {
	h, err := NewHTTP(HTTPConfig{URL: c.srv.URL + "/contacts?phone={number}", Timeout: timeout,
		Headers: map[string]string{"X-Api-Key": "k-123"}, NameField: "contact.name", CompanyField: "contact.company"})
	require.NoError(t, err)
	return h
}

func TestHTTPLookup(t *testing.T) {
	c := newCRM(t, map[string]string{"+49301234567": "Dora Diaz", "+4999": "Slow Sam"})
	h := c.source(t, 5*time.Second)
	ctx := context.Background()

	ct, ok, err := h.Lookup(ctx, "+49301234567")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, Contact{Name: "Dora Diaz", Company: "ACME", Source: "http"}, ct)
	c.mu.Lock()
	assert.Equal(t, []string{"+49301234567"}, c.seen, "the + is escaped, not read as a space")
	assert.Equal(t, []string{"k-123"}, c.keys, "the configured header is sent")
	c.mu.Unlock()

	_, ok, err = h.Lookup(ctx, "+4911")
	require.NoError(t, err, "404 is not known, not a failure")
	assert.False(t, ok)

	_, _, err = h.Lookup(ctx, "+4900")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "500 Internal Server Error")

	short := c.source(t, 50*time.Millisecond)
	_, _, err = short.Lookup(ctx, "+4999")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 50ms")
}

func TestHTTPAnswers(t *testing.T) {
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body.Load().(string))
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		field, body, want, err string
	}{
		{"name", `{"name":"Alice"}`, "Alice", ""},
		{"results.0.name", `{"results":[{"name":"Bob"}]}`, "Bob", ""},
		{"results.0.name", `{"results":[]}`, "", ""},
		{"name", `{"name":null}`, "", ""},
		{"name", `{"name":42}`, "", "name in the answer is float64, want a string"},
		{"name", `<html>`, "", "the answer is not JSON"},
	} {
		body.Store(tc.body)
		h, err := NewHTTP(HTTPConfig{URL: srv.URL + "/?n={number}", NameField: tc.field})
		require.NoError(t, err)
		c, ok, err := h.Lookup(context.Background(), "201")
		if tc.err != "" {
			require.Error(t, err, tc.body)
			assert.Contains(t, err.Error(), tc.err)
			continue
		}
		require.NoError(t, err, tc.body)
		assert.Equal(t, tc.want != "", ok, tc.body)
		assert.Equal(t, tc.want, c.Name, tc.body)
	}
	for tmpl, want := range map[string]string{
		"https://crm.example.com/contacts": "has no {number}",
		"ftp://crm/{number}":               "is not an http:// or https:// URL",
		"http://[::1/{number}":             "missing ']' in host",
	} {
		_, err := NewHTTP(HTTPConfig{URL: tmpl})
		require.Error(t, err, tmpl)
		assert.Contains(t, err.Error(), want, tmpl)
	}
}

// clock is a settable time for the cache's expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestResolverCachesHTTP(t *testing.T) {
	c := newCRM(t, map[string]string{"+49301234567": "Dora Diaz", "+4912": "Eve"})
	m := NewMetrics()
	r := NewResolver(NewChain(m, c.source(t, 5*time.Second)), CacheConfig{TTL: time.Minute, NegativeTTL: 10 * time.Second, Size: 3}, m)
	clk := &clock{t: time.Unix(1_700_000_000, 0)}
	r.now = clk.now
	ctx := context.Background()
	name := func(n string, alts ...string) string {
		ct, _, err := r.Lookup(ctx, n, alts...)
		require.NoError(t, err)
		return ct.Name
	}

	// Found: asked once, then served from the cache until the TTL passes.
	assert.Equal(t, "Dora Diaz", name("+49 30 1234567"))
	assert.Equal(t, "Dora Diaz", name("+49301234567"))
	assert.EqualValues(t, 1, c.requests.Load())
	clk.add(time.Minute)
	assert.Equal(t, "Dora Diaz", name("+49301234567"))
	assert.EqualValues(t, 2, c.requests.Load(), "asked again after the TTL")

	// Not known: cached for the negative TTL.
	assert.Empty(t, name("+4911"))
	assert.Empty(t, name("+4911"))
	assert.EqualValues(t, 3, c.requests.Load())
	clk.add(10 * time.Second)
	assert.Empty(t, name("+4911"))
	assert.EqualValues(t, 4, c.requests.Load(), "asked again after the negative TTL")

	// Failures are not cached.
	for range 2 {
		_, _, err := r.Lookup(ctx, "+4900")
		require.Error(t, err)
	}
	assert.EqualValues(t, 6, c.requests.Load())

	// Alternates: the PBX's form is not known, the E.164 form is (from the cache).
	assert.Equal(t, "Dora Diaz", name("0301234567", Alternates("0301234567", Numbering{Country: "49", TrunkPrefix: "0"})...))
	assert.EqualValues(t, 7, c.requests.Load(), "the national form was asked, the E.164 form came from the cache")
	assert.Equal(t, 3, r.Len())
	assert.Equal(t, "Eve", name("+4912"))
	assert.Equal(t, 3, r.Len(), "the cache keeps Size entries")

	// Purge forgets.
	r.Purge()
	assert.Equal(t, 0, r.Len())
	assert.Equal(t, "Dora Diaz", name("+49301234567"))
	assert.EqualValues(t, 9, c.requests.Load())

	assert.EqualValues(t, 4, testutil.ToFloat64(m.requests.WithLabelValues("http", ResultFound)))
	assert.EqualValues(t, 2, testutil.ToFloat64(m.requests.WithLabelValues("http", ResultError)))
	assert.EqualValues(t, 3, testutil.ToFloat64(m.requests.WithLabelValues("http", ResultNotFound)))
	assert.EqualValues(t, 1, testutil.ToFloat64(m.cache.WithLabelValues("negative_hit")))
	assert.Equal(t, 1, testutil.CollectAndCount(m.duration), "one latency series per source")
}

func TestResolverSingleFlight(t *testing.T) {
	c := newCRM(t, map[string]string{"+4999": "Slow Sam"})
	r := NewResolver(c.source(t, time.Minute), CacheConfig{}, nil)
	const n = 10
	var wg sync.WaitGroup
	names := make(chan string, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ct, _, err := r.Lookup(context.Background(), "+4999")
			assert.NoError(t, err)
			names <- ct.Name
		}()
	}
	require.Eventually(t, func() bool { return c.requests.Load() == 1 }, 10*time.Second, time.Millisecond)
	close(c.release)
	wg.Wait()
	close(names)
	for nm := range names {
		assert.Equal(t, "Slow Sam", nm)
	}
	assert.EqualValues(t, 1, c.requests.Load(), "ten overlapping lookups, one request")

	// A caller that gives up does not spoil the answer for the others.
	c2 := newCRM(t, map[string]string{"+4999": "Slow Sam"})
	r2 := NewResolver(c2.source(t, time.Minute), CacheConfig{}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, _, err := r2.Lookup(ctx, "+4999"); first <- err }()
	require.Eventually(t, func() bool { return c2.requests.Load() == 1 }, 10*time.Second, time.Millisecond)
	second := make(chan string, 1)
	go func() { ct, _, _ := r2.Lookup(context.Background(), "+4999"); second <- ct.Name }()
	cancel()
	require.Error(t, <-first)
	require.Eventually(t, func() bool { return c2.requests.Load() == 2 }, 10*time.Second, time.Millisecond)
	close(c2.release)
	assert.Equal(t, "Slow Sam", <-second)
}
