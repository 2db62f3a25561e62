package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	pprofhttp "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/ctibridge/ctibridge/cti"
	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/store/memory"
	redisstore "github.com/ctibridge/ctibridge/store/redis"
	"github.com/ctibridge/ctibridge/tapi"
	"github.com/ctibridge/ctibridge/web"
)

// childEnv carries an instanceConfig (JSON) to a bridge instance process: the bench re-executes
// itself, so no ctibridge binary needs to be built and each instance can be killed on its own.
const childEnv = "CTIBENCH_INSTANCE"

// instanceConfig is one bridge instance of the run.
type instanceConfig struct {
	InstanceID  string        `json:"instance_id"`
	Store       string        `json:"store"` // memory | redis
	RedisAddr   string        `json:"redis_addr,omitempty"`
	PBX         string        `json:"pbx"`
	Dialect     string        `json:"dialect"` // session dialect of the simulator's profile; "" is generic
	Primary     string        `json:"primary"`
	Standby     string        `json:"standby"`
	Devices     []string      `json:"devices"`
	Heartbeat   time.Duration `json:"heartbeat"`
	Misses      int           `json:"misses"`
	LeaseTTL    time.Duration `json:"lease_ttl"`
	SendQueue   int           `json:"send_queue"`
	Window      int           `json:"window,omitempty"`  // MonitorConcurrency; 0 is the default
	LogLen      int           `json:"log_len,omitempty"` // memory store: log entries kept; 0 is the default
	TokenSHA256 string        `json:"token_sha256"`
	LogLevel    string        `json:"log_level"`
	CPUProfile  string        `json:"cpu_profile,omitempty"` // file for a CPU profile of the instance
	GOGC        string        `json:"gogc,omitempty"`        // the instance's GOGC; "" inherits the bench's
	GOMAXPROCS  int           `json:"gomaxprocs,omitempty"`  // the instance's GOMAXPROCS; 0 inherits the bench's
	Linger      time.Duration `json:"linger,omitempty"`      // cti PBXConfig.Linger
	Queue       int           `json:"queue,omitempty"`       // cti PBXConfig.Queue; 0 is the default
}

// instanceStats is what an instance reports at /bench/stats.
type instanceStats struct {
	InstanceID  string         `json:"instance_id"`
	HeapBase    uint64         `json:"heap_base"`  // live memory before the engine was built
	HeapAlloc   uint64         `json:"heap_alloc"` // live heap plus goroutine stacks now
	HeapSys     uint64         `json:"heap_sys"`
	Goroutines  int            `json:"goroutines"`
	CSTAEvents  uint64         `json:"csta_events"`
	Events      uint64         `json:"events"`
	Owned       bool           `json:"owned"`
	InService   int            `json:"in_service"`
	Lines       int            `json:"lines"`
	Head        store.Position `json:"head"`
	Links       []cti.LinkInfo `json:"links"`
	Switchovers int            `json:"switchovers"`
}

// benchMetrics counts what the engine reports; cti calls it concurrently.
type benchMetrics struct {
	mu          sync.Mutex
	cstaEvents  uint64
	events      uint64
	owned       bool
	switchovers int
}

func (m *benchMetrics) Batch(_ string, csta, events int, _ time.Duration) {
	m.mu.Lock()
	m.cstaEvents += uint64(csta)
	m.events += uint64(events)
	m.mu.Unlock()
}
func (m *benchMetrics) LinkState(string, string, bool) {}
func (m *benchMetrics) Switchover(string, string, string, string) {
	m.mu.Lock()
	m.switchovers++
	m.mu.Unlock()
}
func (m *benchMetrics) Resync(string, cti.ResyncMode, time.Duration)        {}
func (m *benchMetrics) Command(string, cti.Op, tapi.LineErr, time.Duration) {}
func (m *benchMetrics) Owner(_ string, owned bool) {
	m.mu.Lock()
	m.owned = owned
	m.mu.Unlock()
}

// liveMemory is heap in use plus goroutine stacks (a WebSocket session costs mostly stacks).
func liveMemory(gc bool) runtime.MemStats {
	if gc {
		runtime.GC()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ms.HeapAlloc += ms.StackInuse
	return ms
}

// startCPUProfile profiles the instance into path until the returned stop.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// profileHandler serves /bench/cpuprofile: action=start&path=P starts a CPU profile into P,
// action=stop writes it. The bench profiles one phase of the run (a switchover, or the
// measured window for -cpuprofile) this way. With allocs=1 the allocations so far are written
// to P.allocs0 at the start and P.allocs1 at the stop, so that `go tool pprof -base P.allocs0
// P.allocs1` shows the phase's allocations.
func profileHandler() http.HandlerFunc {
	var mu sync.Mutex
	var stop func()
	var allocs string // path of the phase's allocation profiles, "" for none
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch q := r.URL.Query(); q.Get("action") {
		case "start":
			if stop != nil {
				http.Error(w, "a profile is running", http.StatusConflict)
				return
			}
			allocs = ""
			if q.Get("allocs") == "1" {
				allocs = q.Get("path")
				if err := writeAllocs(allocs + ".allocs0"); err != nil {
					http.Error(w, err.Error(), http.StatusConflict)
					return
				}
			}
			s, err := startCPUProfile(q.Get("path"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusConflict)
				return
			}
			stop = s
		case "stop":
			if stop == nil {
				http.Error(w, "no profile is running", http.StatusConflict)
				return
			}
			stop()
			stop = nil
			if allocs != "" {
				if err := writeAllocs(allocs + ".allocs1"); err != nil {
					http.Error(w, err.Error(), http.StatusConflict)
					return
				}
			}
		default:
			http.Error(w, "action: want start or stop", http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("allocs profile: %w", err)
	}
	return errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
}

// openInstanceStore opens the store the bench chose.
func openInstanceStore(ctx context.Context, ic instanceConfig) (store.Store, error) {
	switch ic.Store {
	case "memory":
		return memory.New(memory.Options{MaxLogLen: ic.LogLen}), nil
	case "redis":
		dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		rs, err := redisstore.New(dctx, redisstore.Options{Addrs: []string{ic.RedisAddr}})
		if err != nil {
			return nil, fmt.Errorf("redis %s: %w", ic.RedisAddr, err)
		}
		return rs, nil
	}
	return nil, fmt.Errorf("store %q: want memory or redis", ic.Store)
}

// statsHandler serves /bench/stats: the instance's memory and engine counters; with lines=1
// its lines in service, with head=1 its log head.
func statsHandler(ic instanceConfig, eng *cti.Engine, met *benchMetrics, base uint64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ms := liveMemory(r.URL.Query().Get("gc") == "1")
		s := instanceStats{InstanceID: ic.InstanceID, HeapBase: base, HeapAlloc: ms.HeapAlloc,
			HeapSys: ms.HeapSys, Goroutines: runtime.NumGoroutine(), Links: eng.Links()}
		met.mu.Lock()
		s.CSTAEvents, s.Events, s.Owned, s.Switchovers = met.cstaEvents, met.events, met.owned, met.switchovers
		met.mu.Unlock()
		// Lines and the log head cost a copy of the state (100,000 lines): only when asked.
		if r.URL.Query().Get("lines") == "1" {
			for _, l := range eng.Lines(ic.PBX) {
				s.Lines++
				if l.InService {
					s.InService++
				}
			}
		}
		if r.URL.Query().Get("head") == "1" {
			if snap, err := eng.Snapshot(r.Context(), ic.PBX); err == nil {
				s.Head = snap.Position
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	}
}

// runInstance is the main of an instance process. It prints "LISTEN <addr>" on stdout once
// serving, and stops on SIGTERM or when stdin closes (the bench died), so no instance outlives
// its bench.
func runInstance(cfgJSON string, stdout, stderr io.Writer) error {
	var ic instanceConfig
	if err := json.Unmarshal([]byte(cfgJSON), &ic); err != nil {
		return fmt.Errorf("%s: %w", childEnv, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()
	l := logrus.New()
	l.SetOutput(stderr)
	if lvl, err := logrus.ParseLevel(ic.LogLevel); err == nil {
		l.SetLevel(lvl)
	}
	log := logrus.NewEntry(l).WithField("instance", ic.InstanceID)
	st, err := openInstanceStore(ctx, ic)
	if err != nil {
		return err
	}
	defer st.Close()

	dialect := ic.Dialect
	if dialect == "" {
		dialect = "generic"
	}
	base := liveMemory(true).HeapAlloc
	met := &benchMetrics{}
	eng, err := cti.New(cti.Config{InstanceID: ic.InstanceID, Store: st, Log: log, Metrics: met,
		LeaseTTL: ic.LeaseTTL, PBXs: []cti.PBXConfig{{
			Name: ic.PBX, Dialect: dialect, Primary: ic.Primary, Standby: ic.Standby,
			Heartbeat: ic.Heartbeat, Misses: ic.Misses, Devices: ic.Devices, MonitorConcurrency: ic.Window, Linger: ic.Linger, Queue: ic.Queue,
			Failback: cti.FailbackManual, BackoffMin: 50 * time.Millisecond, BackoffMax: time.Second,
		}}})
	if err != nil {
		return err
	}
	front, err := web.New(eng, web.Config{
		Users:             []web.User{{Name: "bench", TokenSHA256: ic.TokenSHA256, Role: web.RoleAdmin, Lines: []string{"*"}}},
		SendQueue:         ic.SendQueue,
		DialRatePerMinute: -1,
		// The bench's clients share one user and address: no per-user, per-line or per-address
		// caps.
		MaxSessionsPerUser: -1, UserCommandRate: -1, LineCommandRate: -1, UnauthRatePerIP: -1,
		MaxConnsPerIP: -1,
		// A client's subscribe lists its lines: 10,000 of them take about 120 KB.
		MaxMessageBytes: 8 << 20,
		Logger:          log.WithField("component", "web"),
	})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/", front.Handler())
	mux.HandleFunc("/bench/stats", statsHandler(ic, eng, met, base))
	mux.HandleFunc("/bench/cpuprofile", profileHandler())
	// The runtime's profiles (goroutines, heap, mutex, CPU for N seconds) for looking into a run.
	mux.HandleFunc("/debug/pprof/", pprofhttp.Index)
	mux.HandleFunc("/debug/pprof/profile", pprofhttp.Profile)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	engCtx, stopEngine := context.WithCancel(context.WithoutCancel(ctx))
	defer stopEngine()
	engDone := make(chan error, 1)
	go func() { engDone <- eng.Run(engCtx) }()
	srvDone := make(chan error, 1)
	go func() { srvDone <- srv.Serve(ln) }()
	w := bufio.NewWriter(stdout)
	fmt.Fprintf(w, "LISTEN %s\n", ln.Addr())
	_ = w.Flush()

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-srvDone:
		runErr = err
	case err := <-engDone:
		runErr = fmt.Errorf("engine stopped: %w", err)
		engDone <- err
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = front.Shutdown(shut)
	_ = srv.Shutdown(shut)
	stopEngine()
	select {
	case err := <-engDone:
		if err != nil && !errors.Is(err, context.Canceled) && runErr == nil {
			runErr = err
		}
	case <-shut.Done():
	}
	return runErr
}
