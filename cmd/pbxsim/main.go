// Command pbxsim runs the simulated duplex PBX: two CSTA nodes sharing one call model, an
// HTTP control API, and optionally generated traffic.
//
//	go run ./cmd/pbxsim -extensions 200-299 -profile osv -traffic 2
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ctibridge/ctibridge/csta"
	"github.com/ctibridge/ctibridge/csta/pbxsim"
	"github.com/ctibridge/ctibridge/csta/tracefile"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "pbxsim:", err)
		os.Exit(2)
	}
}

// options are the parsed command line.
type options struct {
	cfg        pbxsim.Config
	primary    string
	standby    string
	control    string
	traffic    float64
	trafficExt []string
	seed       uint64
	mix        pbxsim.Mix
	replay     string // trace file to play as the switch
	replayPBX  string
}

// checkSession checks -profile, -dialect and -edition, and gives the dialect its default.
func checkSession(profile string, dialect *string, edition int) error {
	prof, err := pbxsim.ProfileByName(profile)
	if err != nil {
		return fmt.Errorf("-profile: %w", err)
	}
	if *dialect == "" && prof.Dialect == "" {
		// The bridge's default dialect: a PBX configured without one talks to this simulator.
		*dialect = csta.DialectGeneric.Name
	}
	if *dialect != "" {
		if _, err := csta.DialectByName(*dialect); err != nil {
			return fmt.Errorf("-dialect: %w", err)
		}
	}
	if edition != 0 && (edition < 2 || edition > 6) {
		return fmt.Errorf("-edition %d: want 2 to 6", edition)
	}
	return nil
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("pbxsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		exts      = fs.String("extensions", "200-299", "extension ranges, comma separated (e.g. 200-299,3001)")
		hunt      = fs.String("hunt", "", "hunt group as pilot=member,member (e.g. 500=201,202); repeatable with ';'")
		acd       = fs.String("acd", "", "ACD group (members are agent positions) as pilot=member,member; repeatable with ';'")
		qlimit    = fs.Int("queue-limit", 0, "calls that may wait at each -hunt and -acd group; beyond it callers get busy (0: no limit)")
		wrapUp    = fs.Duration("wrapup", 0, "automatic wrap-up of ACD agents after a call (0: ready at once)")
		profile   = fs.String("profile", "", "vendor profile shaping events and services: "+strings.Join(pbxsim.ProfileNames(), ", ")+" (default: generic shapes, MakeCall prompt ignored)")
		dialect   = fs.String("dialect", "", "session style: osv, osbiz, avaya or generic (default: the profile's, else generic, as the bridge's default)")
		edition   = fs.Int("edition", 0, "ECMA-323 edition 2-6 (default: the dialect's)")
		primary   = fs.String("primary", "127.0.0.1:8800", "listen address of the primary CSTA node")
		standby   = fs.String("standby", "127.0.0.1:8801", "listen address of the standby CSTA node")
		control   = fs.String("control", "127.0.0.1:8899", "listen address of the HTTP control API")
		user      = fs.String("user", "", "application session user (empty accepts any)")
		password  = fs.String("password", "", "application session password (or env PBXSIM_PASSWORD)")
		noAnswer  = fs.Duration("noanswer", 15*time.Second, "ring time before no-answer forwarding")
		decorate  = fs.Bool("decorate", true, "send external numbers decorated like OSV (N<+49...>;noa=nk)")
		stamp     = fs.Bool("stamp", false, "stamp each event with its send time (CSTA security timestamp, passed to clients as switchTime)")
		traffic   = fs.Float64("traffic", 0, "generated calls per second (0: none)")
		trafficOn = fs.String("traffic-extensions", "", "extensions the generator uses (default all)")
		seed      = fs.Uint64("seed", 1, "traffic generator seed")
		mix       = fs.String("mix", "", "traffic mix weights internal,inbound,outbound,hold,transfer,busy,noanswer (e.g. 4,4,2,1,1,1,1)")
		replay    = fs.String("replay", "", "play this CSTA wire trace (docs/trace.md) as the switch on the -primary address, instead of simulating: recorded answers to the bridge's requests, recorded events in order")
		replayPBX = fs.String("replay-pbx", "", "with -replay: the PBX of the trace to play (default: the only one)")
	)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (all settings are flags; see -h)", fs.Arg(0))
	}
	if err := checkSession(*profile, dialect, *edition); err != nil {
		return nil, err
	}
	for name, addr := range map[string]string{"-primary": *primary, "-standby": *standby, "-control": *control} {
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("%s %q: want host:port (port 0 picks a free one): %v", name, addr, err)
		}
	}
	if *noAnswer <= 0 {
		return nil, fmt.Errorf("-noanswer %v: must be positive", *noAnswer)
	}
	if *traffic < 0 {
		return nil, fmt.Errorf("-traffic %v: must not be negative", *traffic)
	}
	pw := *password
	if pw == "" {
		pw = os.Getenv("PBXSIM_PASSWORD")
	}
	o := &options{
		cfg: pbxsim.Config{
			Extensions: splitList(*exts), Profile: *profile, Dialect: *dialect, Edition: csta.Edition(*edition),
			User: *user, Password: pw, NoAnswerTime: *noAnswer, DecorateExternal: *decorate, StampEvents: *stamp,
		},
		primary: *primary, standby: *standby, control: *control,
		traffic: *traffic, trafficExt: splitList(*trafficOn), seed: *seed,
		replay: *replay, replayPBX: *replayPBX,
	}
	if _, err := pbxsim.ParseExtensions(o.cfg.Extensions); err != nil {
		return nil, fmt.Errorf("-extensions: %w", err)
	}
	var err error
	if o.cfg.HuntGroups, err = parseHunt(*hunt); err != nil {
		return nil, fmt.Errorf("-hunt: %w", err)
	}
	acdGroups, err := parseHunt(*acd)
	if err != nil {
		return nil, fmt.Errorf("-acd: %w", err)
	}
	if *qlimit < 0 || *wrapUp < 0 {
		return nil, fmt.Errorf("-queue-limit %d, -wrapup %v: must not be negative", *qlimit, *wrapUp)
	}
	for i := range acdGroups {
		acdGroups[i].ACD, acdGroups[i].WrapUp = true, *wrapUp
	}
	o.cfg.HuntGroups = append(o.cfg.HuntGroups, acdGroups...)
	for i := range o.cfg.HuntGroups {
		o.cfg.HuntGroups[i].QueueLimit = *qlimit
	}
	if o.mix, err = parseMix(*mix); err != nil {
		return nil, fmt.Errorf("-mix: %w", err)
	}
	return o, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseHunt(s string) ([]pbxsim.HuntGroup, error) {
	var out []pbxsim.HuntGroup
	for _, g := range strings.Split(s, ";") {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		pilot, members, ok := strings.Cut(g, "=")
		if !ok || strings.TrimSpace(pilot) == "" || len(splitList(members)) == 0 {
			return nil, fmt.Errorf("%q: want pilot=member,member", g)
		}
		out = append(out, pbxsim.HuntGroup{Number: strings.TrimSpace(pilot), Members: splitList(members)})
	}
	return out, nil
}

func parseMix(s string) (pbxsim.Mix, error) {
	if s == "" {
		return pbxsim.Mix{}, nil
	}
	parts := splitList(s)
	if len(parts) != 7 {
		return pbxsim.Mix{}, fmt.Errorf("%q: want 7 weights (internal,inbound,outbound,hold,transfer,busy,noanswer)", s)
	}
	w := make([]int, 7)
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return pbxsim.Mix{}, fmt.Errorf("weight %q: want a whole number >= 0", p)
		}
		w[i] = v
	}
	return pbxsim.Mix{Internal: w[0], InboundExternal: w[1], Outbound: w[2], Hold: w[3], Transfer: w[4], Busy: w[5], NoAnswer: w[6]}, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.replay != "" {
		return runReplay(ctx, o, stdout, stderr)
	}
	p, err := pbxsim.New(o.cfg)
	if err != nil {
		return err
	}
	defer p.Close()
	a, err := p.StartNode(ctx, "primary", o.primary)
	if err != nil {
		return err
	}
	b, err := p.StartNode(ctx, "standby", o.standby)
	if err != nil {
		return err
	}
	cs, err := p.ServeControl(ctx, o.control)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = cs.Shutdown(sctx)
	}()
	exts := p.Extensions()
	prof := p.Config().Profile
	if prof == "" {
		prof = "default"
	}
	fmt.Fprintf(stdout, "pbxsim: %d extensions %s..%s, profile %s, dialect %s\n", len(exts), exts[0], exts[len(exts)-1], prof, a.Dialect().Name)
	fmt.Fprintf(stdout, "primary CSTA node: %s\n", a.Addr())
	fmt.Fprintf(stdout, "standby CSTA node: %s\n", b.Addr())
	fmt.Fprintf(stdout, "control API:       http://%s (GET /truth, POST /devices/{n}/dial ...)\n", cs.Addr())
	if o.traffic > 0 {
		tr, err := p.StartTraffic(ctx, pbxsim.TrafficConfig{CallsPerSecond: o.traffic, Extensions: o.trafficExt, Seed: o.seed, Mix: o.mix})
		if err != nil {
			return err
		}
		defer tr.Stop()
		fmt.Fprintf(stdout, "traffic: %.3g calls/s, seed %d\n", o.traffic, o.seed)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "pbxsim: shutting down")
	return nil
}

// runReplay plays a trace as the switch on the primary address until ctx ends.
func runReplay(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	recs, err := tracefile.ReadFile(o.replay)
	if err != nil {
		return fmt.Errorf("-replay: %w", err)
	}
	pbxs := map[string]int{}
	for _, r := range recs {
		pbxs[r.PBX]++
	}
	name := o.replayPBX
	if name == "" {
		if len(pbxs) > 1 {
			var names []string
			for n := range pbxs {
				names = append(names, n)
			}
			sort.Strings(names)
			return fmt.Errorf("-replay %s: the trace has PBXs %s: choose one with -replay-pbx", o.replay, strings.Join(names, ", "))
		}
		for n := range pbxs {
			name = n
		}
	}
	var mine []tracefile.Record
	for _, r := range recs {
		if r.PBX == name {
			mine = append(mine, r)
		}
	}
	if len(mine) == 0 {
		return fmt.Errorf("-replay %s: no messages of PBX %q", o.replay, name)
	}
	dn := o.cfg.Dialect
	if dn == "" {
		prof, _ := pbxsim.ProfileByName(o.cfg.Profile) // checked by parseFlags
		dn = prof.Dialect
	}
	if dn == "" {
		dn = csta.DialectGeneric.Name
	}
	d, err := csta.DialectByName(dn)
	if err != nil {
		return err
	}
	pl, err := pbxsim.StartReplay(ctx, o.primary, pbxsim.ReplayConfig{Records: mine, Dialect: d, Edition: o.cfg.Edition, Log: stderr})
	if err != nil {
		return err
	}
	defer pl.Close()
	fmt.Fprintf(stdout, "pbxsim: replaying %s (PBX %s, %d messages), dialect %s\n", o.replay, name, len(mine), d.Name)
	fmt.Fprintf(stdout, "primary CSTA node: %s\n", pl.Addr())
	select {
	case <-ctx.Done():
	case <-pl.Finished():
		fmt.Fprintln(stdout, "pbxsim: every recorded message sent; still answering requests (Ctrl-C ends)")
		<-ctx.Done()
	}
	fmt.Fprintln(stdout, "pbxsim: shutting down")
	return nil
}
