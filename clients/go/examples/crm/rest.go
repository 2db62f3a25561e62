package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

// restAPI is the bridge's REST API, the few calls this CRM makes.
type restAPI struct {
	base string
	hc   *http.Client
}

func (r *restAPI) do(ctx context.Context, token, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := r.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var p struct{ Title, Detail string }
		_ = json.Unmarshal(data, &p)
		return fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, p.Title, p.Detail)
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// subscribe creates a webhook for the line's offering and ended events.
func (r *restAPI) subscribe(ctx context.Context, adminToken, url, line, secret string) (string, error) {
	var w struct {
		ID string `json:"id"`
	}
	err := r.do(ctx, adminToken, http.MethodPost, "/api/v1/webhooks", map[string]any{
		"url": url, "secret": secret, "lines": []string{line}, "kinds": []string{"offering", "ended"}}, &w)
	return w.ID, err
}

func (r *restAPI) unsubscribe(ctx context.Context, adminToken, id string) error {
	return r.do(ctx, adminToken, http.MethodDelete, "/api/v1/webhooks/"+id, nil, nil)
}

// dial places a call from line to number at once (the line's phone goes off-hook).
func (r *restAPI) dial(ctx context.Context, token, line, number string) (string, error) {
	var res struct {
		Handle string `json:"handle"`
	}
	err := r.do(ctx, token, http.MethodPost, "/api/v1/lines/"+line+"/dial",
		map[string]any{"to": number, "ringFirst": false}, &res)
	return res.Handle, err
}

// contact is one row of the contacts CSV.
type contact struct{ name, company string }

// loadContacts reads "number,name,company" rows (a header row starting with "number" is
// skipped), keyed by number.
func loadContacts(path string) (map[string]contact, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 3
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("contacts %s: %w", path, err)
	}
	out := map[string]contact{}
	for i, row := range rows {
		if i == 0 && strings.EqualFold(row[0], "number") {
			continue
		}
		out[strings.TrimSpace(row[0])] = contact{name: strings.TrimSpace(row[1]), company: strings.TrimSpace(row[2])}
	}
	return out, nil
}
