package web

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// TestOpenAPISchemasMatchTypes compares every schema of openapi.json that describes a Go type
// with that type's JSON members, both ways: a member the API can return must be documented
// even when no test happens to receive it (issue 16: connectedAt, connectedMode, journal callId
// were returned but missing), and the document must not promise members that do not exist.
func TestOpenAPISchemasMatchTypes(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	schema := func(path string) map[string]json.RawMessage {
		parts := strings.Split(path, ".")
		raw, ok := doc.Components.Schemas[parts[0]]
		if !ok {
			t.Fatalf("openapi.json has no schema %s", parts[0])
		}
		for _, p := range parts[1:] {
			var s struct {
				Properties map[string]json.RawMessage `json:"properties"`
				Items      json.RawMessage            `json:"items"`
			}
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			if p == "[]" {
				raw = s.Items
			} else {
				raw = s.Properties[p]
			}
			if raw == nil {
				t.Fatalf("openapi.json: %s has no %s", path, p)
			}
		}
		var s struct {
			Properties map[string]json.RawMessage `json:"properties"`
		}
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		return s.Properties
	}
	for path, v := range map[string]any{
		"Problem":                Problem{},
		"PartyID":                tapi.PartyID{},
		"Call":                   tapi.Call{},
		"Call.info":              tapi.CallInfo{},
		"Conference":             tapi.Conference{},
		"LineView":               lineView{},
		"CallRecord":             store.JournalEntry{},
		"Redirect":               store.Redirect{},
		"LinkInfo":               cti.LinkInfo{},
		"LinkInfo.nodes.[]":      cti.NodeInfo{},
		"ClientInfo":             ClientInfo{},
		"TraceState":             cti.TraceState{},
		"AgentStatus":            tapi.AgentStatus{},
		"QueueStatus":            tapi.QueueStatus{},
		"QueueStatus.waiting.[]": tapi.QueuedCall{},
		"AgentView":              agentView{},
		"GroupView":              groupView{},
		"AgentBody":              agentBody{},
	} {
		props := schema(path)
		fields := jsonMembers(reflect.TypeOf(v))
		for _, f := range fields {
			if _, ok := props[f]; !ok {
				t.Errorf("openapi.json %s lacks %q, which %T has", path, f, v)
			}
		}
		have := map[string]bool{}
		for _, f := range fields {
			have[f] = true
		}
		var extra []string
		for p := range props {
			if !have[p] {
				extra = append(extra, p)
			}
		}
		sort.Strings(extra)
		for _, p := range extra {
			t.Errorf("openapi.json %s documents %q, which %T does not have", path, p, v)
		}
	}
}

// jsonMembers lists the JSON member names encoding/json gives a struct type, with embedded
// structs flattened.
func jsonMembers(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, jsonMembers(ft)...)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}
