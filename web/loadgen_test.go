package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// loadgenEnv makes the test binary a WebSocket load generator (see runLoadgen), so that the
// clients of a benchmark are not counted against the server's memory and do not share its
// process (scheduler, collector) when latency is measured.
const loadgenEnv = "CTIBRIDGE_WS_LOADGEN"

func TestMain(m *testing.M) {
	if spec := os.Getenv(loadgenEnv); spec != "" {
		os.Exit(runLoadgen(spec, os.Stdin, os.Stdout))
	}
	os.Exit(m.Run())
}

// raiseFDLimit lifts the soft open-files limit to the hard limit (10,000 sockets need it).
func raiseFDLimit(need uint64) error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Cur >= need {
		return nil
	}
	r.Cur = min(max(need, r.Cur), r.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	if r.Cur < need {
		return fmt.Errorf("open-files hard limit %d is below %d", r.Max, need)
	}
	return nil
}

// loadgenSpec is what the child is told: "mode url clients lines token". Client i subscribes
// to line hq/(200 + i%lines). Mode "hold" only drains; mode "latency" also records, for
// every event message, the time from the event's time stamp to its receipt.
type loadgenSpec struct {
	mode    string
	url     string
	clients int
	lines   int
	token   string
}

func (s loadgenSpec) String() string {
	return fmt.Sprintf("%s %s %d %d %s", s.mode, s.url, s.clients, s.lines, s.token)
}

func parseLoadgenSpec(spec string) (loadgenSpec, error) {
	f := strings.Fields(spec)
	if len(f) != 5 {
		return loadgenSpec{}, fmt.Errorf("load generator spec %q: want \"mode url clients lines token\"", spec)
	}
	s := loadgenSpec{mode: f[0], url: f[1], token: f[4]}
	var err error
	if s.clients, err = strconv.Atoi(f[2]); err != nil || s.clients < 1 {
		return s, fmt.Errorf("load generator spec %q: bad client count %q", spec, f[2])
	}
	if s.lines, err = strconv.Atoi(f[3]); err != nil || s.lines < 1 {
		return s, fmt.Errorf("load generator spec %q: bad line count %q", spec, f[3])
	}
	if s.mode != "hold" && s.mode != "latency" {
		return s, fmt.Errorf("load generator spec %q: mode must be hold or latency", spec)
	}
	return s, nil
}

// latencyRecorder collects receipt latencies between "record" and "report".
type latencyRecorder struct {
	mu        sync.Mutex
	recording bool
	lat       []time.Duration
}

func (r *latencyRecorder) add(d time.Duration) {
	r.mu.Lock()
	if r.recording {
		r.lat = append(r.lat, d)
	}
	r.mu.Unlock()
}

func (r *latencyRecorder) start() {
	r.mu.Lock()
	r.lat, r.recording = r.lat[:0], true
	r.mu.Unlock()
}

// stop ends recording and returns the sorted latencies.
func (r *latencyRecorder) stop() []time.Duration {
	r.mu.Lock()
	got := slices.Clone(r.lat)
	r.recording = false
	r.mu.Unlock()
	slices.Sort(got)
	return got
}

// eventTime finds the event time stamp in an event message without decoding the rest: the
// load generator must spend as little CPU as it can, since it shares the machine.
func eventTime(data []byte) (time.Time, bool) {
	if !bytes.HasPrefix(data, []byte(`{"type":"event"`)) {
		return time.Time{}, false
	}
	const key = `"time":"`
	i := bytes.Index(data, []byte(key))
	if i < 0 {
		return time.Time{}, false
	}
	rest := data[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, string(rest[:j]))
	return t, err == nil
}

// runLoadgen opens the sessions of spec, subscribes each to its line, prints "ready" and then
// serves commands from in until it closes: "record" starts recording latencies, "report"
// stops and prints "latency <count> <p50 ns> <p99 ns> <p99 ns of this process's scheduling
// latency>".
func runLoadgen(specText string, in io.Reader, out io.Writer) int {
	spec, err := parseLoadgenSpec(specText)
	if err != nil {
		fmt.Fprintln(out, "error:", err)
		return 1
	}
	if err := raiseFDLimit(uint64(spec.clients) + 256); err != nil {
		fmt.Fprintln(out, "error:", err)
		return 1
	}
	d := websocket.Dialer{ReadBufferSize: 1024, WriteBufferSize: 1024, HandshakeTimeout: time.Minute}
	conns := make([]*websocket.Conn, spec.clients)
	rec := &latencyRecorder{}
	var wg, readers sync.WaitGroup
	var failed sync.Once
	errc := make(chan error, 1)
	sem := make(chan struct{}, 64)
	for i := range spec.clients {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			c, _, err := d.Dial(spec.url, nil)
			if err == nil {
				err = c.WriteJSON(map[string]any{"type": "hello", "v": 1, "token": spec.token})
			}
			if err == nil {
				err = c.WriteJSON(map[string]any{"type": "subscribe", "lines": []string{fmt.Sprintf("hq/%d", 200+i%spec.lines)}})
			}
			for err == nil { // read until synced
				var m struct{ Type string }
				if err = c.ReadJSON(&m); err == nil && m.Type == "synced" {
					break
				}
			}
			if err != nil {
				if c != nil {
					c.Close()
				}
				failed.Do(func() { errc <- err })
				return
			}
			conns[i] = c
			readers.Add(1)
			go func() { // drain, as a client would
				defer readers.Done()
				var buf bytes.Buffer
				for {
					_, r, err := c.NextReader()
					if err != nil {
						return
					}
					buf.Reset()
					if _, err := buf.ReadFrom(r); err != nil {
						return
					}
					now := time.Now()
					if spec.mode == "latency" {
						if t, ok := eventTime(buf.Bytes()); ok {
							rec.add(now.Sub(t))
						}
					}
				}
			}()
		}()
	}
	wg.Wait()
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
		readers.Wait()
	}()
	select {
	case err := <-errc:
		fmt.Fprintln(out, "error:", err)
		return 1
	default:
	}
	fmt.Fprintln(out, "ready")
	sc := bufio.NewScanner(in)
	sched, _ := runtimeSample()
	for sc.Scan() {
		switch sc.Text() {
		case "record":
			rec.start()
			sched, _ = runtimeSample()
			fmt.Fprintln(out, "recording")
		case "report":
			got := rec.stop()
			schedAfter, _ := runtimeSample()
			var p50, p99 time.Duration
			if len(got) > 0 {
				p50, p99 = got[len(got)/2], got[len(got)*99/100]
			}
			fmt.Fprintf(out, "latency %d %d %d %d\n", len(got), p50.Nanoseconds(), p99.Nanoseconds(),
				histQuantile(sched, schedAfter, 0.99).Nanoseconds())
		default:
			fmt.Fprintf(out, "error: unknown command %q\n", sc.Text())
		}
	}
	return 0
}

// loadgen is a running load generator child process.
type loadgen struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Reader
}

// startLoadgen runs the test binary as a load generator and waits until its sessions are up.
func startLoadgen(b *testing.B, spec loadgenSpec) *loadgen {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), loadgenEnv+"="+spec.String())
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	lg := &loadgen{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	if line := lg.read(); line != "ready" {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		b.Fatalf("load generator: %s", line)
	}
	return lg
}

func (lg *loadgen) read() string {
	line, _ := lg.out.ReadString('\n')
	return strings.TrimSpace(line)
}

// command sends one command and returns the reply line.
func (lg *loadgen) command(b *testing.B, cmd string) string {
	b.Helper()
	if _, err := io.WriteString(lg.stdin, cmd+"\n"); err != nil {
		b.Fatalf("load generator %s: %v", cmd, err)
	}
	reply := lg.read()
	if reply == "" || strings.HasPrefix(reply, "error:") {
		b.Fatalf("load generator %s: %q", cmd, reply)
	}
	return reply
}

// stop closes the sessions and waits for the process.
func (lg *loadgen) stop() {
	lg.stdin.Close()
	_ = lg.cmd.Wait()
}

// TestLoadgenEventTime checks the load generator's time stamp extraction against the
// server's own encoding of an event, and that other messages are not taken for events.
func TestLoadgenEventTime(t *testing.T) {
	at := time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)
	msg := encodeEntry(store.Entry{PBX: "hq", Epoch: "e1", Offset: 42,
		Event: tapi.Event{V: tapi.WireVersion, Type: tapi.LineCallState, Time: at, Line: "hq/201"}})
	got, ok := eventTime(msg)
	if !ok || !got.Equal(at) {
		t.Fatalf("eventTime(%s) = %v, %v; want %v", msg, got, ok, at)
	}
	for _, other := range []string{
		`{"type":"synced","pbx":"hq","epoch":"e1","offset":42,"replayed":0}`,
		`{"type":"event","event":{"v":1,"type":"LINE_REPLY"}}`,
		`{"type":"event","event":{"time":"yesterday"}}`,
	} {
		if got, ok := eventTime([]byte(other)); ok {
			t.Errorf("eventTime(%s) = %v, want none", other, got)
		}
	}
}

func TestLoadgenSpec(t *testing.T) {
	want := loadgenSpec{mode: "latency", url: "ws://127.0.0.1:1/ws", clients: 1000, lines: 100, token: "tok"}
	got, err := parseLoadgenSpec(want.String())
	if err != nil || got != want {
		t.Fatalf("parseLoadgenSpec(%q) = %+v, %v; want %+v", want.String(), got, err, want)
	}
	for _, bad := range []string{"", "hold ws://x 10 10", "swim ws://x 10 10 tok", "hold ws://x ten 10 tok", "hold ws://x 10 0 tok"} {
		if _, err := parseLoadgenSpec(bad); err == nil {
			t.Errorf("parseLoadgenSpec(%q) accepted", bad)
		}
	}
}
