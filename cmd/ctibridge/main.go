// Command ctibridge runs the CTI bridge: CSTA links to PBXs on one side, WebSocket and REST
// clients on the other. With no configuration it starts the embedded default: the built-in
// duplex PBX simulator, the memory store and demo users (see README.md, docs/config.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// options are the command-line flags; they override the file and the environment.
type options struct {
	configPath string
	listen     string
	instanceID string
	store      string
	redisAddrs string
	logLevel   string
	traffic    float64
	check      bool
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("ctibridge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, `usage: ctibridge [flags]            run the bridge (no --config: the embedded demo on 127.0.0.1:8080)
       ctibridge --check --config FILE
                                    run every start-up check of FILE and exit
       ctibridge config defaults    print every configuration key with its default and meaning
       ctibridge replay FILE [--pbx NAME] [--lines 200-219]
                                    feed a CSTA wire trace through the reducer and print the
                                    TAPI events as JSON lines (docs/trace.md)

flags:
`)
		fs.PrintDefaults()
	}
	o := &options{traffic: -1}
	fs.StringVar(&o.configPath, "config", "", "YAML configuration file (default: the embedded demo: simulator, memory store)")
	fs.StringVar(&o.listen, "listen", "", "HTTP/WebSocket listen address (default :8080; the embedded demo: 127.0.0.1:8080)")
	fs.StringVar(&o.instanceID, "instance-id", "", "name of this instance (default hostname-pid)")
	fs.StringVar(&o.store, "store", "", "store driver: memory or redis")
	fs.StringVar(&o.redisAddrs, "redis", "", "comma-separated Redis addresses (implies -store redis)")
	fs.StringVar(&o.logLevel, "log-level", "", "debug, info, warn or error")
	fs.Float64Var(&o.traffic, "traffic", -1, "simulator: generated calls per second (embedded default 0.2)")
	fs.BoolVar(&o.check, "check", false, "run every start-up check of the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err // the flag package has printed it with the usage
	}
	if fs.NArg() > 0 {
		err := strayArgsError(fs.Args())
		fmt.Fprintln(stderr, "ctibridge:", err)
		return nil, err
	}
	return o, nil
}

// strayArgsError explains arguments that are not flags, with the likely intent.
func strayArgsError(args []string) error {
	if len(args) > 1 {
		return fmt.Errorf("unexpected arguments %s; the bridge takes only flags (ctibridge -h lists them)", strings.Join(args, " "))
	}
	a := args[0]
	if strings.HasSuffix(a, ".yaml") || strings.HasSuffix(a, ".yml") || strings.HasSuffix(a, ".json") || fileExists(a) {
		return fmt.Errorf("unexpected argument %s; to use a configuration file: ctibridge --config %s", a, a)
	}
	return fmt.Errorf("unexpected argument %s; the bridge takes only flags (ctibridge -h lists them), subcommands are replay and config", a)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// override lays the flags over the configuration and returns the keys they set.
func (o *options) override(c *FileConfig) []string {
	var set []string
	if o.listen != "" {
		c.Listen = o.listen
		set = append(set, "listen")
	}
	if o.instanceID != "" {
		c.InstanceID = o.instanceID
		set = append(set, "instance_id")
	}
	if o.redisAddrs != "" {
		c.Store.Driver = "redis"
		c.Store.Redis.Addrs = splitList(o.redisAddrs)
		set = append(set, "store.driver", "store.redis.addrs")
	}
	if o.store != "" {
		c.Store.Driver = o.store
		set = append(set, "store.driver")
	}
	if o.logLevel != "" {
		c.Log.Level = o.logLevel
		set = append(set, "log.level")
	}
	if o.traffic >= 0 {
		c.Simulator.Traffic = o.traffic
		set = append(set, "simulator.traffic_cps")
	}
	return set
}

// apply lays the flags over a loaded configuration and runs the checks again.
func (o *options) apply(c *FileConfig, env func(string) string) error {
	o.override(c)
	c.applyDefaults()
	if errs := c.checkConfig(env); len(errs) > 0 {
		return errs
	}
	return nil
}

func main() {
	os.Exit(realMain(os.Args[1:], os.Stdout, os.Stderr))
}

func realMain(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "replay" {
		return runReplay(args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "config" {
		return runConfigCommand(args[1:], stdout, stderr)
	}
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	cfg, err := loadConfigWith(o.configPath, os.Getenv, o)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	for _, w := range cfg.warnings() {
		fmt.Fprintln(stderr, "config: warning:", w)
	}
	if o.check {
		fmt.Fprintln(stdout, "configuration OK")
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "ctibridge:", err)
		return 1
	}
	return 0
}
