package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/web"
	"github.com/ctibridge/ctibridge/web/webhook"
)

// run starts everything the configuration asks for and blocks until ctx ends, then shuts
// down: the engine first (it releases its leases at once so another instance takes over),
// then the client sessions and HTTP (clients reconnect elsewhere), then simulator and store.
func run(ctx context.Context, cfg *FileConfig, stdout, stderr io.Writer) error {
	log := newLogger(cfg.Log, stderr).WithField("instance", cfg.InstanceID)

	var sim *simulator
	if cfg.Simulator.Enabled {
		var err error
		if sim, err = startSimulator(ctx, cfg, log); err != nil {
			return err
		}
		defer sim.close()
	}

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	d, err := assemble(cfg, st, sim, log)
	if err != nil {
		return err
	}
	lookupCtx, stopLookup := context.WithCancel(context.WithoutCancel(ctx))
	lookupDone := make(chan struct{})
	go func() {
		defer close(lookupDone)
		d.names.run(lookupCtx)
	}()
	defer func() {
		stopLookup()
		<-lookupDone
	}()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	srv := d.front.HTTPServer()

	engCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	engDone := make(chan error, 1)
	go func() { engDone <- d.eng.Run(engCtx) }()
	hooksDone := make(chan struct{})
	go func() { defer close(hooksDone); _ = d.hooks.Run(engCtx) }()

	httpDone := make(chan error, 1)
	go func() {
		if cfg.HTTPTLS.CertFile != "" {
			httpDone <- srv.ServeTLS(ln, cfg.HTTPTLS.CertFile, cfg.HTTPTLS.KeyFile)
		} else {
			httpDone <- srv.Serve(ln)
		}
	}()
	printBanner(stdout, cfg, ln.Addr().String(), sim)
	log.WithField("listen", ln.Addr().String()).Info("ctibridge started")

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down")
	case err := <-httpDone:
		runErr = fmt.Errorf("http server: %w", err)
	case err := <-engDone:
		runErr = fmt.Errorf("engine stopped: %w", err)
		engDone <- err
	}
	if err := d.shutdown(log, srv, stopEngine, engDone, hooksDone); err != nil && runErr == nil {
		runErr = err
	}
	return runErr
}

// daemon is the bridge's parts: the engine, caller lookup, webhook deliverers and the web
// front end.
type daemon struct {
	eng   *cti.Engine
	names *callerLookup
	hooks *webhook.Dispatcher
	front *web.Server
}

// assemble builds the parts the configuration asks for on store st.
func assemble(cfg *FileConfig, st store.Store, sim *simulator, log *logrus.Entry) (*daemon, error) {
	engCfg, err := engineConfig(cfg, st, sim, log)
	if err != nil {
		return nil, err
	}
	names, err := newCallerLookup(cfg, log)
	if err != nil {
		return nil, err
	}
	engCfg.Names = names.names(cfg)
	eng, err := cti.New(engCfg)
	if err != nil {
		return nil, err
	}
	whCfg, err := webhookConfig(cfg, log)
	if err != nil {
		return nil, err
	}
	hooks, err := webhook.New(st, whCfg)
	if err != nil {
		return nil, err
	}
	wc := webConfig(cfg, log)
	wc.Webhooks = hooks
	wc.Collectors = append(wc.Collectors, names.metrics)
	front, err := web.New(eng, wc)
	if err != nil {
		return nil, err
	}
	return &daemon{eng: eng, names: names, hooks: hooks, front: front}, nil
}

// shutdown stops the parts in order. The engine stops first: it releases its leases at once,
// so another instance takes the PBX links over while this one is still closing its client
// sessions. It returns the engine's error, if it ended with one.
func (d *daemon) shutdown(log *logrus.Entry, srv *http.Server, stopEngine context.CancelFunc,
	engDone <-chan error, hooksDone <-chan struct{}) error {
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	stopEngine()
	var engErr error
	select {
	case err := <-engDone:
		if err != nil && !errors.Is(err, context.Canceled) {
			engErr = err
		}
	case <-shutCtx.Done():
		log.Warn("engine did not stop in time")
	}
	// The webhook deliverers stopped with the engine's context and released their leases.
	select {
	case <-hooksDone:
	case <-shutCtx.Done():
		log.Warn("webhook deliverers did not stop in time")
	}
	// Client sessions and HTTP get web.shutdown_timeout of their own: requests in flight
	// finish, and what is still open then (a body that never comes) is closed.
	if err := d.front.ShutdownHTTP(context.Background(), srv); err != nil {
		log.WithError(err).Warn("http shutdown: connections still open were closed")
	}
	return engErr
}

func newLogger(c LogConfig, w io.Writer) *logrus.Entry {
	l := logrus.New()
	l.SetOutput(w)
	if lvl, err := logrus.ParseLevel(c.Level); err == nil {
		l.SetLevel(lvl)
	}
	if c.Format == "json" || (c.Format == "auto" && !isTerminal(w)) {
		l.SetFormatter(&logrus.JSONFormatter{})
	} else {
		l.SetFormatter(&logrus.TextFormatter{FullTimestamp: true})
	}
	return logrus.NewEntry(l)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func openStore(ctx context.Context, cfg *FileConfig, log *logrus.Entry) (store.Store, error) {
	if cfg.Store.Driver == "memory" {
		return memory.New(memory.Options{MaxLogLen: cfg.Store.MaxLogLen,
			HistoryMaxAge: cfg.Store.HistoryMaxAge, HistoryMaxRecords: cfg.Store.HistoryMaxRecords}), nil
	}
	pw, err := secret(cfg.Store.Redis.PasswordEnv, cfg.Store.Redis.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("store.redis password: %w", err)
	}
	// go-redis reports reconnects and Sentinel switches through its own logger.
	goredis.SetLogger(redisLogger{log.WithField("component", "redis")})
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := redisstore.New(dctx, redisstore.Options{
		Addrs: cfg.Store.Redis.Addrs, MasterName: cfg.Store.Redis.MasterName, DB: cfg.Store.Redis.DB,
		Password: pw, KeyPrefix: cfg.Store.Redis.KeyPrefix, MaxLogLen: cfg.Store.MaxLogLen,
		HistoryMaxAge: cfg.Store.HistoryMaxAge, HistoryMaxRecords: cfg.Store.HistoryMaxRecords,
	})
	if err != nil {
		return nil, fmt.Errorf("store: redis %v: %w", cfg.Store.Redis.Addrs, err)
	}
	return st, nil
}

// redisLogger routes go-redis's own messages into the bridge's log.
type redisLogger struct{ log *logrus.Entry }

func (l redisLogger) Printf(_ context.Context, format string, v ...any) {
	l.log.Warnf(format, v...)
}

// secret reads a password from an environment variable or a file, never from the config.
func secret(envName, file string) (string, error) {
	if envName != "" {
		return os.Getenv(envName), nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(string(b)), nil
	}
	return "", nil
}

func engineConfig(cfg *FileConfig, st store.Store, sim *simulator, log *logrus.Entry) (cti.Config, error) {
	c := cti.Config{InstanceID: cfg.InstanceID, Store: st, Log: log, LeaseTTL: cfg.Store.LeaseTTL,
		DegradeAfter: cfg.Store.DegradeAfter}
	for i, p := range cfg.PBXs {
		pc := cti.PBXConfig{
			Name: p.Name, Dialect: p.Dialect, Primary: p.Primary, Standby: p.Standby,
			User: p.Auth.User, Heartbeat: p.Heartbeat, Misses: p.Misses, MonitorConcurrency: p.MonitorConcurrency,
			Linger: p.Linger, Resync: cti.ResyncMode(p.Resync), Failback: cti.FailbackPolicy(p.Failback),
			FailbackAfter: p.FailbackAfter, Devices: p.Devices, Groups: p.Groups, DisplayNames: p.Names,
			PreferredInstance: p.PreferredInstance,
			Trace: cti.TraceConfig{Enabled: p.Trace.Enabled, File: p.Trace.File,
				MaxBytes: int64(p.Trace.MaxSizeMB) << 20, MaxFiles: p.Trace.MaxFiles},
			BusinessHours: cti.BusinessHours{Days: p.BusinessHours.Days, From: p.BusinessHours.From,
				To: p.BusinessHours.To, Zone: p.BusinessHours.Zone},
		}
		if pc.Primary == "" && sim != nil {
			pc.Primary, pc.Standby = sim.primary, sim.standby
			pc.Dialect = sim.dialect
		}
		pw, err := secret(p.Auth.PasswordEnv, p.Auth.PasswordFile)
		if err != nil {
			return c, fmt.Errorf("pbxs[%d].auth: %w", i, err)
		}
		pc.Password = pw
		if p.TLS.Enabled {
			tc, err := linkTLS(p.TLS)
			if err != nil {
				return c, fmt.Errorf("pbxs[%d].tls: %w", i, err)
			}
			pc.TLS = tc
		}
		c.PBXs = append(c.PBXs, pc)
	}
	return c, nil
}

func linkTLS(t LinkTLS) (*tls.Config, error) {
	tc := &tls.Config{ServerName: t.ServerName, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates", t.CAFile)
		}
		tc.RootCAs = pool
	}
	if t.CertFile != "" || t.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

func webConfig(cfg *FileConfig, log *logrus.Entry) web.Config {
	wc := web.Config{
		AllowedOrigins: cfg.Web.AllowedOrigins, DialRatePerMinute: cfg.Web.DialRatePerMinute,
		SendQueue: cfg.Web.SendQueue, BehindLimit: cfg.Web.BehindLimit, LateAfter: cfg.Web.LateAfter, ReplayCache: replayCache(cfg), MaxMessageBytes: cfg.Web.MaxMessageBytes,
		AlertWebhooks: cfg.Web.AlertWebhooks, Logger: log.WithField("component", "web"),
		Numbering:         map[string]web.Numbering{},
		HTTPHeaderTimeout: cfg.Web.HeaderTimeout, HTTPReadTimeout: cfg.Web.ReadTimeout,
		HTTPWriteTimeout: cfg.Web.WriteTimeout, HTTPIdleTimeout: cfg.Web.IdleTimeout,
		ShutdownTimeout: cfg.Web.ShutdownTimeout, MaxConnsPerIP: cfg.Web.MaxConnsPerIP,
		UnauthRatePerIP: cfg.Web.UnauthRatePerIP, UnauthBurstPerIP: cfg.Web.UnauthBurstPerIP,
		UserCommandRate: cfg.Web.UserCommandRate, UserCommandBurst: cfg.Web.UserCommandBurst,
		LineCommandRate: cfg.Web.LineCommandRate, LineCommandBurst: cfg.Web.LineCommandBurst,
		MaxSessionsPerUser: cfg.Web.MaxSessionsPerUser,
	}
	for _, u := range cfg.Users {
		wc.Users = append(wc.Users, web.User{Name: u.Name, TokenSHA256: u.TokenSHA256, Role: u.Role, Lines: u.Lines})
	}
	for _, p := range cfg.PBXs {
		if p.Numbering == (Numbering{}) {
			continue // numbers of this PBX pass through unchanged
		}
		wc.Numbering[p.Name] = p.Numbering.web()
	}
	if cfg.Web.AuditLog != "" {
		if f, err := os.OpenFile(cfg.Web.AuditLog, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600); err == nil {
			wc.AuditLog = f
		} else {
			log.WithError(err).Error("cannot open audit log; audit entries go to the log")
		}
	}
	return wc
}

func printBanner(w io.Writer, cfg *FileConfig, addr string, sim *simulator) {
	host := addr
	if h, p, err := net.SplitHostPort(addr); err == nil && (h == "" || h == "::" || h == "0.0.0.0") {
		host = net.JoinHostPort("localhost", p)
	}
	scheme := "http"
	if cfg.HTTPTLS.CertFile != "" {
		scheme = "https"
	}
	fmt.Fprintf(w, "ctibridge %s listening on %s://%s/ (dashboard), REST /api/v1, WebSocket /ws\n", cfg.InstanceID, scheme, host)
	if sim != nil {
		fmt.Fprintf(w, "PBX simulator: CSTA primary %s, standby %s, control API http://%s/\n", sim.primary, sim.standby, sim.controlAddr())
	}
	if cfg.Demo {
		if h, _, err := net.SplitHostPort(addr); err == nil && net.ParseIP(h) != nil && net.ParseIP(h).IsLoopback() {
			fmt.Fprintf(w, "listening on %s only: the demo tokens are well known; use --listen :8080 to open it\n", h)
		} else {
			fmt.Fprintf(w, "warning: listening on %s: the demo tokens below are well known and anyone who can reach this address may use them, an admin one among them\n", addr)
		}
		fmt.Fprintln(w, "demo login tokens:")
		for _, u := range demoUsers {
			fmt.Fprintf(w, "  %-10s %-11s %s\n", u.name, u.role, u.token)
		}
	}
}

// replayCache is web.replay_cache capped at store.max_log_len: the cache never replays further
// back than the store keeps, so what counts as a too-old cursor does not depend on the
// instance a client reconnects to.
func replayCache(cfg *FileConfig) int {
	if cfg.Web.ReplayCache > cfg.Store.MaxLogLen {
		return cfg.Store.MaxLogLen
	}
	return cfg.Web.ReplayCache
}

// web is the plan as the front end takes it.
func (n Numbering) web() web.Numbering {
	return web.Numbering{Country: n.Country, Area: n.Area, OutsidePrefix: n.OutsidePrefix,
		ExtensionDigits: n.ExtensionDigits, NationalPrefix: n.NationalPrefix,
		InternationalPrefix: n.InternationalPrefix}
}
