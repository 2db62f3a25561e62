package main

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta/pbxsim"
)

func TestBadFlagsGetClearErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-dialect", "nortel"}, "unknown dialect"},
		{[]string{"-profile", "nortel"}, "valid profiles: osv, osbiz, avaya, generic, minimal"},
		{[]string{"-extensions", "299-200"}, "end is below start"},
		{[]string{"-extensions", "abc"}, "want digits"},
		{[]string{"-primary", "8800"}, "-primary"},
		{[]string{"-edition", "9"}, "want 2 to 6"},
		{[]string{"-mix", "1,2"}, "want 7 weights"},
		{[]string{"-hunt", "500"}, "pilot=member"},
		{[]string{"-acd", "600"}, "-acd"},
		{[]string{"-queue-limit", "-1"}, "must not be negative"},
		{[]string{"-traffic", "-1"}, "must not be negative"},
		{[]string{"stray"}, "unexpected argument"},
	} {
		_, err := parseFlags(tc.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: got %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	o, err := parseFlags([]string{"-extensions", "200-209,3001", "-hunt", "500=201,202", "-mix", "1,0,0,0,0,0,0"}, io.Discard)
	if err != nil || len(o.cfg.HuntGroups) != 1 || o.mix.Internal != 1 {
		t.Fatalf("good flags: %+v %v", o, err)
	}
	o, err = parseFlags([]string{"-hunt", "500=201", "-acd", "600=201,202", "-queue-limit", "3", "-wrapup", "2s"}, io.Discard)
	want := []pbxsim.HuntGroup{{Number: "500", Members: []string{"201"}, QueueLimit: 3},
		{Number: "600", Members: []string{"201", "202"}, ACD: true, QueueLimit: 3, WrapUp: 2 * time.Second}}
	if err != nil || !reflect.DeepEqual(o.cfg.HuntGroups, want) {
		t.Fatalf("-acd: %+v %v", o.cfg.HuntGroups, err)
	}
	o, err = parseFlags([]string{"-profile", "minimal"}, io.Discard)
	if err != nil || o.cfg.Profile != "minimal" || o.cfg.Dialect != "" {
		t.Fatalf("-profile minimal: %+v %v", o, err)
	}
}
