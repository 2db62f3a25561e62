package pbxsim

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/test/testkit"
)

// client is a csta.Conn to a node with its events in a channel.
type client struct {
	t      *testing.T
	c      *csta.Conn
	events chan csta.Event
	refs   map[csta.MonitorCrossRefID]string
}

func startDuplex(t *testing.T, cfg Config) (*PBX, *Node, *Node) {
	t.Helper()
	if cfg.Extensions == nil {
		cfg.Extensions = []string{"201-209"}
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ctx := context.Background()
	a, err := p.StartNode(ctx, "a", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.StartNode(ctx, "b", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return p, a, b
}

// connect opens a session to n (with an application session when the dialect wants one)
// and monitors the devices.
func connect(t *testing.T, n *Node, monitored ...string) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cl := &client{t: t, events: make(chan csta.Event, 10000), refs: map[csta.MonitorCrossRefID]string{}}
	c, err := csta.Dial(ctx, n.Addr(), csta.Config{Dialect: n.Dialect(), OnEvent: func(ev csta.Event) { cl.events <- ev }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	cl.c = c
	if n.Dialect().Session == csta.SessionApplication {
		if _, err := c.StartApplicationSession(ctx, &csta.StartApplicationSession{ApplicationID: "test", UserID: "cti", Password: "secret", RequestedProtocolVersions: csta.ProtocolVersions(csta.Ed4)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range monitored {
		resp := cl.req(&csta.MonitorStart{MonitorObject: csta.Device(d)}).(*csta.MonitorStartResponse)
		cl.refs[resp.MonitorCrossRefID] = d
	}
	return cl
}

func (cl *client) req(m csta.Message) csta.Message {
	cl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := cl.c.Request(ctx, m)
	if err != nil {
		cl.t.Fatalf("%s: %v", m.MessageName(), err)
	}
	return resp
}

// next returns the next n events as "device: summary" strings.
func (cl *client) next(n int) []string {
	cl.t.Helper()
	out := make([]string, 0, n)
	timeout := time.After(10 * time.Second)
	for len(out) < n {
		select {
		case ev := <-cl.events:
			out = append(out, cl.refs[ev.Common().MonitorCrossRefID]+": "+summary(ev))
		case <-timeout:
			cl.t.Fatalf("got %d of %d events: %q", len(out), n, out)
		}
	}
	return out
}

func eq(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("got %q\nwant %q", got, want)
		}
	}
}

func TestNodeServesCallOverTCPBothDialects(t *testing.T) {
	for _, dialect := range []string{"osv", "osbiz"} {
		t.Run(dialect, func(t *testing.T) {
			_, a, _ := startDuplex(t, Config{Dialect: dialect, User: "cti", Password: "secret", DecorateExternal: true})
			cl := connect(t, a, "201", "202")
			resp := cl.req(&csta.MakeCall{CallingDevice: csta.Device("201"), CalledDirectoryNumber: csta.Device("202")})
			id := resp.(*csta.MakeCallResponse).CallingDevice.CallID
			eq(t, cl.next(4), []string{
				"201: ServiceInitiatedEvent initiated makeCall", "201: OriginatedEvent connected makeCall",
				"201: DeliveredEvent connected newCall", "202: DeliveredEvent alerting newCall",
			})
			cl.req(&csta.AnswerCall{CallToBeAnswered: cid(id, "202")})
			eq(t, cl.next(2), []string{"201: EstablishedEvent connected newCall", "202: EstablishedEvent connected newCall"})
			_, err := cl.c.Request(context.Background(), &csta.AnswerCall{CallToBeAnswered: cid(id, "202")})
			if !csta.IsCSTAError(err, csta.ErrInvalidConnectionState) {
				t.Fatalf("answering a connected call: %v", err)
			}
		})
	}
}

func TestApplicationSessionCredentials(t *testing.T) {
	_, a, _ := startDuplex(t, Config{Dialect: "osv", User: "cti", Password: "secret"})
	ctx := context.Background()
	c, err := csta.Dial(ctx, a.Addr(), csta.Config{Dialect: a.Dialect()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Services before the session are refused.
	_, err = c.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device("201")})
	var ce *csta.Error
	if !errors.As(err, &ce) || ce.Category != csta.ErrCatSecurity {
		t.Fatalf("MonitorStart without session: %v", err)
	}
	_, err = c.StartApplicationSession(ctx, &csta.StartApplicationSession{UserID: "cti", Password: "wrong"})
	var ae *csta.ApplicationSessionError
	if !errors.As(err, &ae) || ae.Code != appErrInvalidApplicationInfo {
		t.Fatalf("wrong password: %v", err)
	}
	pos, err := c.StartApplicationSession(ctx, &csta.StartApplicationSession{UserID: "cti", Password: "secret", RequestedProtocolVersions: csta.ProtocolVersions(csta.Ed4), RequestedSessionDuration: 60})
	if err != nil || pos.ActualSessionDuration != 60 || pos.SessionID == "" {
		t.Fatalf("start: %+v %v", pos, err)
	}
	if _, err := c.ResetApplicationSessionTimer(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Request(ctx, &csta.MonitorStart{MonitorObject: csta.Device("201")}); err != nil {
		t.Fatal(err)
	}
}

func TestApplicationSessionExpires(t *testing.T) {
	_, a, _ := startDuplex(t, Config{Dialect: "osv", SessionDuration: 50 * time.Millisecond})
	cl := connect(t, a)
	select {
	case <-cl.c.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("session not dropped after expiry")
	}
	testkit.Eventually(t, "a session drop", func() bool { return len(a.SessionDrops()) > 0 })
	if drops := a.SessionDrops(); len(drops) != 1 || !strings.Contains(drops[0], "application session expired") {
		t.Fatalf("drops %q", drops)
	}
}

func TestSystemStatusFirstGreeting(t *testing.T) {
	_, a, _ := startDuplex(t, Config{Dialect: "generic"})
	got := make(chan *csta.SystemStatus, 1)
	c, err := csta.Dial(context.Background(), a.Addr(), csta.Config{Dialect: a.Dialect(), OnSystemStatus: func(s *csta.SystemStatus) { got <- s }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	select {
	case s := <-got:
		if s.SystemStatus != csta.SystemNormal {
			t.Fatalf("greeting %q", s.SystemStatus)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no SystemStatus from the switch")
	}
}

// requestedProtocolVersions is mandatory (ECMA-354): a session without it, or naming only
// editions the node does not speak, is refused; with FirstVersionOnly only the first entry
// counts.
func TestApplicationSessionProtocolVersions(t *testing.T) {
	_, a, _ := startDuplex(t, Config{Dialect: "osv", Edition: csta.Ed3, FirstVersionOnly: true})
	ctx := context.Background()
	c, err := csta.Dial(ctx, a.Addr(), csta.Config{Dialect: a.Dialect()})
	require.NoError(t, err)
	defer c.Close()
	for _, versions := range [][]string{nil, {csta.Ed4.Namespace()}, csta.ProtocolVersions(csta.Ed4)} {
		_, err = c.StartApplicationSession(ctx, &csta.StartApplicationSession{RequestedProtocolVersions: versions})
		var ae *csta.ApplicationSessionError
		require.ErrorAs(t, err, &ae, "versions %v", versions)
		assert.Equal(t, csta.AppErrProtocolVersionNotSupported, ae.Code)
	}
	pos, err := c.StartApplicationSession(ctx, &csta.StartApplicationSession{RequestedProtocolVersions: csta.ProtocolVersions(csta.Ed3)})
	require.NoError(t, err)
	assert.Equal(t, csta.Ed3.Namespace(), pos.ActualProtocolVersion)
}
