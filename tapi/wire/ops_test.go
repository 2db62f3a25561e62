package wire

import (
	"strings"
	"testing"
)

func TestOpTable(t *testing.T) {
	seen := map[Op]bool{}
	for _, s := range Ops {
		if s.Op == "" || seen[s.Op] {
			t.Errorf("op %q empty or listed twice", s.Op)
		}
		seen[s.Op] = true
		if s.TAPI == "" || s.Service == "" {
			t.Errorf("%s: TAPI %q, service %q", s.Op, s.TAPI, s.Service)
		}
		if s.Handle2 != Refused && s.Handle != Required {
			t.Errorf("%s takes handle2 without requiring handle", s.Op)
		}
		for _, f := range s.Fields {
			switch f {
			case FieldForwardMode, FieldEnable, FieldRingCount, FieldPrompt, FieldAgentState, FieldGroup,
				FieldReasonCode, FieldAgentID:
			default:
				t.Errorf("%s: unknown field %q", s.Op, f)
			}
		}
		if got, ok := Lookup(s.Op); !ok || got.Op != s.Op {
			t.Errorf("Lookup(%s) = %+v, %v", s.Op, got, ok)
		}
	}
	if _, ok := Lookup("park"); ok {
		t.Error("Lookup of an op outside the table succeeded")
	}
	if len(AllOps()) != len(Ops) {
		t.Errorf("AllOps has %d ops, the table %d", len(AllOps()), len(Ops))
	}
}

func TestCleanDigits(t *testing.T) {
	for in, want := range map[string]string{"0123456789*#": "0123456789*#", "ABCD": "ABCD", "abcd": "ABCD",
		"": "no digits", "12x": `digit 'x' not allowed`, "1 2": `digit ' ' not allowed`,
		strings.Repeat("1", MaxDigits): strings.Repeat("1", MaxDigits), strings.Repeat("1", MaxDigits+1): "more than 64 digits"} {
		got, err := CleanDigits(in)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("CleanDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCleanNumber(t *testing.T) {
	for in, want := range map[string]string{"+49 (30) 123-45.67": "+49301234567", "*21#": "*21#",
		"": "no digits", "+": "no digits", "12a": `character 'a' at position 2 is not allowed`, "1+2": `character '+' at position 1`,
		strings.Repeat("1", MaxNumberLen): strings.Repeat("1", MaxNumberLen), strings.Repeat("1", MaxNumberLen+1): "longer than 32 digits"} {
		got, err := CleanNumber(in)
		if err != nil {
			got = err.Error()
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("CleanNumber(%q) = %q, want %q", in, got, want)
		}
	}
	if CheckRingCount(0) != nil || CheckRingCount(MaxRingCount) != nil || CheckRingCount(-1) == nil || CheckRingCount(MaxRingCount+1) == nil {
		t.Error("CheckRingCount bounds")
	}
}
