package web

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ctibridge/ctibridge/tapi"
)

// principal is an authenticated token holder and its line ACL.
type principal struct {
	Name  string
	Role  string
	lines []string // patterns: "pbx/ext", "pbx/*", "*"
}

// authenticator maps token hashes to users. Only hashes are kept; the tokens never are.
type authenticator struct {
	byHash map[[32]byte]*principal
}

func newAuthenticator(users []User) *authenticator {
	a := &authenticator{byHash: make(map[[32]byte]*principal, len(users))}
	for _, u := range users {
		var k [32]byte
		b, _ := hex.DecodeString(u.TokenSHA256) // validated by Config.validate
		copy(k[:], b)
		a.byHash[k] = &principal{Name: u.Name, Role: u.Role, lines: append([]string(nil), u.Lines...)}
	}
	return a
}

var (
	errNoToken  = errors.New("no bearer token: send \"Authorization: Bearer <token>\"")
	errBadToken = errors.New("the token is not valid")
)

// lookup returns the holder of token.
func (a *authenticator) lookup(token string) (*principal, error) {
	if token == "" {
		return nil, errNoToken
	}
	p, ok := a.byHash[sha256.Sum256([]byte(token))]
	if !ok {
		return nil, errBadToken
	}
	return p, nil
}

// fromRequest authenticates an HTTP request by its Authorization header.
func (a *authenticator) fromRequest(r *http.Request) (*principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, errNoToken
	}
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errors.New("the Authorization header must use the Bearer scheme")
	}
	return a.lookup(strings.TrimSpace(tok))
}

// owns reports whether line is one of the principal's own lines (may control it).
func (p *principal) owns(line string) bool {
	pbx := tapi.LinePBX(line)
	for _, pat := range p.lines {
		if pat == "*" || pat == line || pat == pbx+"/*" {
			return true
		}
	}
	return false
}

// canSee reports whether the principal may see line's state and events.
func (p *principal) canSee(line string) bool {
	return p.Role == RoleSupervisor || p.Role == RoleAdmin || p.owns(line)
}

// canControl reports whether the principal may send requests for line.
func (p *principal) canControl(line string) bool { return p.owns(line) }

func (p *principal) isAdmin() bool { return p.Role == RoleAdmin }

// seeLines returns the lines the principal may see. A user whose lines are named one by one
// costs only those lookups; supervisors, admins and wildcards go through every line (a
// client's connect should cost what its lines cost, not what the PBXs' do).
func (p *principal) seeLines(svc interface {
	Lines(pbx string) []tapi.Line
	Line(name string) (tapi.Line, bool)
}) []tapi.Line {
	if p.Role == RoleSupervisor || p.Role == RoleAdmin {
		return svc.Lines("")
	}
	out := make([]tapi.Line, 0, len(p.lines))
	for _, pat := range p.lines {
		if pat == "*" || strings.HasSuffix(pat, "/*") {
			return p.visibleLines(svc.Lines(""))
		}
	}
	for _, name := range p.lines {
		if l, ok := svc.Line(name); ok {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b tapi.Line) int { return strings.Compare(a.Name, b.Name) })
	return slices.CompactFunc(out, func(a, b tapi.Line) bool { return a.Name == b.Name })
}

// visibleLines filters lines to those the principal may see.
func (p *principal) visibleLines(lines []tapi.Line) []tapi.Line {
	out := make([]tapi.Line, 0, len(lines))
	for _, l := range lines {
		if p.canSee(l.Name) {
			out = append(out, l)
		}
	}
	return out
}

// visibleCalls filters calls to those on lines the principal may see.
func (p *principal) visibleCalls(calls []tapi.Call) []tapi.Call {
	out := make([]tapi.Call, 0, len(calls))
	for _, c := range calls {
		if p.canSee(c.Line) {
			out = append(out, c)
		}
	}
	return out
}
