package tspcore

import (
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAndErrors(t *testing.T) {
	c, err := Config{URLs: []string{"ws://a:8080/ws"}, Token: "x"}.WithDefaults()
	must(t, "minimal config", err)
	if c.Mode != ModeUser || c.OutOfServiceAfter != DefaultOutOfServiceAfter || c.OpenTimeout != DefaultOpenTimeout ||
		c.RequestTimeout != DefaultRequestTimeout || c.ClientName != "ctibridge-tsp" {
		t.Fatalf("defaults: %+v", c)
	}
	err = Config{URLs: []string{"ftp://a"}, Mode: "desk", OpenTimeout: -time.Second}.Validate()
	if err == nil {
		t.Fatal("bad config accepted")
	}
	for _, want := range []string{"URLs[0]", "Token: empty", `Mode: "desk"`, "OpenTimeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

func TestParseSetupArgs(t *testing.T) {
	c, quiet, err := ParseSetupArgs(" -urls ws://a:8080/ws,ws://b:8080/ws;http://c:8080 -token s3cret -mode server -oos-ms 7000 ")
	must(t, "ParseSetupArgs", err)
	if strings.Join(c.URLs, " ") != "ws://a:8080/ws ws://b:8080/ws http://c:8080" || c.Token != "s3cret" ||
		c.Mode != ModeServer || c.OutOfServiceAfter != 7*time.Second || quiet {
		t.Fatalf("parsed %+v quiet=%v", c, quiet)
	}
	c, quiet, err = ParseSetupArgs("-quiet -urls ws://a:8080/ws -token s3cret -quiet")
	must(t, "ParseSetupArgs -quiet", err)
	if !quiet || c.Token != "s3cret" || len(c.URLs) != 1 {
		t.Fatalf("parsed %+v quiet=%v", c, quiet)
	}
	for _, bad := range []string{"-urls", "-token x -urls ws://a -colour red", "-urls ws://a -token x -oos-ms soon", "-token x", "-urls ws://a -quiet -token"} {
		if _, _, err := ParseSetupArgs(bad); err == nil {
			t.Errorf("ParseSetupArgs(%q) accepted", bad)
		}
	}
}
