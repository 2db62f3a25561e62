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
		fmt.Fprint(stderr, `usage: ctibridge [flags]            run the bridge
       ctibridge replay FILE [--pbx NAME] [--lines 200-219]
                                    feed a CSTA wire trace through the reducer and print the
                                    TAPI events as JSON lines (docs/trace.md)

flags:
`)
		fs.PrintDefaults()
	}
	o := &options{traffic: -1}
	fs.StringVar(&o.configPath, "config", "", "YAML configuration file (default: the embedded demo: simulator, memory store)")
	fs.StringVar(&o.listen, "listen", "", "HTTP/WebSocket listen address (default :8080)")
	fs.StringVar(&o.instanceID, "instance-id", "", "name of this instance (default hostname-pid)")
	fs.StringVar(&o.store, "store", "", "store driver: memory or redis")
	fs.StringVar(&o.redisAddrs, "redis", "", "comma-separated Redis addresses (implies -store redis)")
	fs.StringVar(&o.logLevel, "log-level", "", "debug, info, warn or error")
	fs.Float64Var(&o.traffic, "traffic", -1, "simulator: generated calls per second (embedded default 0.2)")
	fs.BoolVar(&o.check, "check", false, "validate the configuration and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	return o, nil
}

// apply lays the flags over the loaded configuration and re-validates.
func (o *options) apply(c *FileConfig, env func(string) string) error {
	if o.listen != "" {
		c.Listen = o.listen
	}
	if o.instanceID != "" {
		c.InstanceID = o.instanceID
	}
	if o.redisAddrs != "" {
		c.Store.Driver = "redis"
		c.Store.Redis.Addrs = splitList(o.redisAddrs)
	}
	if o.store != "" {
		c.Store.Driver = o.store
	}
	if o.logLevel != "" {
		c.Log.Level = o.logLevel
	}
	if o.traffic >= 0 {
		c.Simulator.Traffic = o.traffic
	}
	c.applyDefaults()
	if errs := c.validate(env); len(errs) > 0 {
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
	o, err := parseFlags(args, stderr)
	if err != nil {
		return 2
	}
	cfg, err := loadConfig(o.configPath, os.Getenv)
	if err == nil {
		err = o.apply(cfg, os.Getenv)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
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
