package lookup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Defaults of the HTTP source.
const (
	DefaultHTTPTimeout   = 2 * time.Second
	DefaultHTTPNameField = "name"
	// maxHTTPBody bounds a CRM's answer: a contact is small, a runaway body is not read.
	maxHTTPBody = 1 << 20
)

// HTTPConfig configures a CRM lookup over HTTP.
type HTTPConfig struct {
	// URL is the lookup URL with {number} where the number goes, e.g.
	// "https://crm.example.com/api/contacts?phone={number}"; the number is escaped for a
	// query ("+" becomes %2B).
	URL string
	// Timeout bounds one request (DefaultHTTPTimeout when zero).
	Timeout time.Duration
	// Headers are sent with every request (e.g. an API key).
	Headers map[string]string
	// NameField is where the name is in the JSON answer: member names and array indexes
	// joined by dots, e.g. "name", "contact.displayName" or "results.0.name"
	// (DefaultHTTPNameField when empty). CompanyField, optional, is the same for the company.
	NameField    string
	CompanyField string
	// Client sends the requests; nil uses a client of its own.
	Client *http.Client
}

// HTTP looks numbers up in a CRM: GET of the URL, answered with JSON. 404 and an answer
// without the name field are "not known"; other statuses and undecodable answers are errors.
type HTTP struct {
	cfg HTTPConfig
}

// NewHTTP checks cfg and returns the source.
func NewHTTP(cfg HTTPConfig) (*HTTP, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultHTTPTimeout
	}
	if cfg.NameField == "" {
		cfg.NameField = DefaultHTTPNameField
	}
	if err := CheckURLTemplate(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	return &HTTP{cfg: cfg}, nil
}

// CheckURLTemplate says what is wrong with a lookup URL template, nil when nothing is.
func CheckURLTemplate(tmpl string) error {
	if !strings.Contains(tmpl, "{number}") {
		return fmt.Errorf("lookup: http url %q has no {number}", tmpl)
	}
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{number}", "0"))
	if err != nil {
		return fmt.Errorf("lookup: http url %q: %v", tmpl, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("lookup: http url %q is not an http:// or https:// URL", tmpl)
	}
	return nil
}

// Name implements Source.
func (h *HTTP) Name() string { return "http" }

// Lookup implements Source.
func (h *HTTP) Lookup(ctx context.Context, number string) (Contact, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, h.cfg.Timeout)
	defer cancel()
	u := strings.ReplaceAll(h.cfg.URL, "{number}", url.QueryEscape(number))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return Contact{}, false, fmt.Errorf("lookup: http: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	for k, v := range h.cfg.Headers {
		req.Header.Set(k, v)
	}
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
			return Contact{}, false, fmt.Errorf("lookup: http: no answer within %v: %w", h.cfg.Timeout, err)
		}
		return Contact{}, false, fmt.Errorf("lookup: http: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody+1))
	switch {
	case err != nil:
		return Contact{}, false, fmt.Errorf("lookup: http: reading the answer: %w", err)
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusNoContent:
		return Contact{}, false, nil
	case resp.StatusCode/100 != 2:
		return Contact{}, false, fmt.Errorf("lookup: http: %s answered %s", req.URL.Redacted(), resp.Status)
	case len(body) > maxHTTPBody:
		return Contact{}, false, fmt.Errorf("lookup: http: answer larger than %d bytes", maxHTTPBody)
	}
	var doc any
	if err := json.Unmarshal(body, &doc); err != nil {
		return Contact{}, false, fmt.Errorf("lookup: http: the answer is not JSON: %w", err)
	}
	name, err := jsonString(doc, h.cfg.NameField)
	if err != nil || name == "" {
		return Contact{}, false, err
	}
	company, err := jsonString(doc, h.cfg.CompanyField)
	if err != nil {
		return Contact{}, false, err
	}
	return Contact{Name: name, Company: company, Source: "http"}, true, nil
}

// jsonString follows path (dot-separated member names and array indexes) in doc. A path
// that leads nowhere or to null is "" without error; one that leads to something other
// than a string is an error.
func jsonString(doc any, path string) (string, error) {
	if path == "" {
		return "", nil
	}
	v := doc
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return "", nil
			}
			v = x[i]
		default:
			return "", nil
		}
	}
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return strings.TrimSpace(x), nil
	default:
		return "", fmt.Errorf("lookup: http: %s in the answer is %T, want a string", path, v)
	}
}
