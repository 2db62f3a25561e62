package redisstore

import (
	"fmt"
	"strings"

	"github.com/ctibridge/ctibridge/tapi"
)

// keys names the Redis keys of one PBX. All carry the hash tag "{pbx:<name>}" so that one Lua
// script may touch them on Cluster.
type keys struct {
	base string // "<prefix>:{pbx:<name>}"
}

func newKeys(prefix, pbx string) keys { return keys{base: prefix + ":{pbx:" + pbx + "}"} }

func (k keys) meta() string              { return k.base + ":meta" }
func (k keys) lines() string             { return k.base + ":lines" }
func (k keys) calls() string             { return k.base + ":calls" }
func (k keys) log() string               { return k.base + ":log" }
func (k keys) events() string            { return k.base + ":events" }
func (k keys) lease() string             { return k.base + ":lease" }
func (k keys) token() string             { return k.base + ":token" }
func (k keys) histIndex() string         { return k.base + ":hist:ix" }
func (k keys) histRecords() string       { return k.base + ":hist:rec" }
func (k keys) histCalls() string         { return k.base + ":hist:call" }
func (k keys) servers() string           { return k.base + ":servers" }
func (k keys) queue(owner string) string { return k.base + ":cmd:" + owner }

// historyPBXs is the set of PBXs that hold call records: the one key without a PBX's hash
// tag, used by single-key commands only.
func historyPBXs(prefix string) string { return prefix + ":history:pbxs" }

// checkPBX rejects PBX names that are empty or would break the hash tag or line names.
func checkPBX(pbx string) error {
	switch {
	case pbx == "":
		return fmt.Errorf("redisstore: empty PBX name")
	case strings.ContainsAny(pbx, "{}/"):
		return fmt.Errorf("redisstore: PBX name %q must not contain '{', '}' or '/'", pbx)
	}
	return nil
}

// linePBX returns the PBX part of a line name "pbx/extension".
func linePBX(line string) (string, error) {
	pbx, _, ok := tapi.SplitLine(line)
	if !ok {
		return "", fmt.Errorf("redisstore: line name %q is not \"<pbx>/<extension>\"", line)
	}
	return pbx, checkPBX(pbx)
}
