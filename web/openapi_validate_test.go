package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// The document every REST response a web test receives is held to (issue 16 item 5: the API
// returned fields openapi.json did not have). Loaded once per test binary.
var (
	apiDocOnce   sync.Once
	apiDocRouter routers.Router
	apiDocErr    error
)

func openAPIRouter() (routers.Router, error) {
	apiDocOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(openAPIDoc)
		if err != nil {
			apiDocErr = err
			return
		}
		if err = doc.Validate(context.Background()); err != nil {
			apiDocErr = err
			return
		}
		// Servers in the document name no host: match whatever host the test server has.
		doc.Servers = nil
		strictObjects(doc)
		apiDocRouter, apiDocErr = gorillamux.NewRouter(doc)
	})
	return apiDocRouter, apiDocErr
}

// strictObjects makes every object schema with properties refuse members it does not list,
// for the tests only: the document stays open for additions, but a field the API returns and
// the document lacks fails the test that received it.
func strictObjects(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(r *openapi3.SchemaRef)
	walk = func(r *openapi3.SchemaRef) {
		if r == nil || r.Value == nil || seen[r.Value] {
			return
		}
		s := r.Value
		seen[s] = true
		if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
			no := false
			s.AdditionalProperties.Has = &no
		}
		for _, p := range s.Properties {
			walk(p)
		}
		walk(s.Items)
		walk(s.AdditionalProperties.Schema)
	}
	for _, r := range doc.Components.Schemas {
		walk(r)
	}
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for _, resp := range op.Responses.Map() {
				if resp.Value == nil {
					continue
				}
				for _, mt := range resp.Value.Content {
					walk(mt.Schema)
				}
			}
		}
	}
}

// checkAgainstOpenAPI validates one response of the REST API (/api/v1/...) against
// openapi.json: status documented, content type and body schema. Other paths (health, metrics,
// the dashboard) are not part of the document's schemas.
func checkAgainstOpenAPI(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return
	}
	router, err := openAPIRouter()
	if err != nil {
		t.Fatalf("openapi.json does not load: %v", err)
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		// A path the document lacks must be one the server lacks too.
		if status == http.StatusNotFound || status == http.StatusMethodNotAllowed {
			return
		}
		t.Fatalf("%s %s answered %d but is not in openapi.json: %v", req.Method, req.URL.Path, status, err)
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status,
		Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Fatalf("%s %s answered %d, which openapi.json does not allow: %v\nbody: %.2000s", req.Method, req.URL.Path, status, err, body)
	}
}

// TestOpenAPIValidatorCatchesDrift makes sure the check above can fail: a response with a
// member of the wrong type, and a status the document does not list, are both refused.
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	router, err := openAPIRouter()
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", "http://bridge/api/v1/me", nil)
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatal(err)
	}
	check := func(status int, body string) error {
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route}
		h := http.Header{"Content-Type": []string{"application/json"}}
		return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
			RequestValidationInput: in, Status: status, Header: h, Body: io.NopCloser(strings.NewReader(body)),
			Options: &openapi3filter.Options{IncludeResponseStatus: true}})
	}
	if err := check(http.StatusOK, `{"user":7}`); err == nil {
		t.Error("a number where the document says string was accepted")
	}
	if err := check(http.StatusOK, `{"user":"alice","role":"user","lines":[],"surprise":1}`); err == nil {
		t.Error("a member the document does not list was accepted")
	}
	if err := check(http.StatusTeapot, `{}`); err == nil {
		t.Error("an undocumented status was accepted")
	}
}
