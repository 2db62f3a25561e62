// Command cticlient is a command-line client of ctibridge, built on the Go SDK
// (clients/go): list lines and calls, watch live events, control calls, links and
// switchover.
//
//	cticlient -url http://localhost:8080 -token alice-demo-token watch demo/201
//	CTIBRIDGE_URL=ws://bridge-a:8080,ws://bridge-b:8080 CTIBRIDGE_TOKEN=... cticlient lines
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

const usage = `usage: cticlient [flags] COMMAND [args]

commands:
  lines                          lines the token may see, with status
  calls                          calls on those lines
  watch LINE...                  live events of lines until interrupted (--json: one object a line)
  dial LINE NUMBER               click-to-dial (--ring-first=false dials at once)
  answer LINE                    answer the ringing call (or --call HANDLE)
  hangup LINE                    drop the active call (or --call HANDLE)
  hold LINE                      hold the connected call (or --call HANDLE)
  retrieve LINE                  retrieve the held call (or --call HANDLE)
  transfer LINE NUMBER           blind-transfer the connected call (or --call HANDLE)
  forward LINE MODE NUMBER       forward (MODE: uncond, busy, noanswer, ... or LINEFORWARDMODE_*)
  forward LINE off [MODE]        forwarding off
  dnd LINE on|off                do-not-disturb
  agents                         agent states per line and ACD group
  agent LINE STATE [GROUP]       set the agent state (loggedOn, loggedOff, ready, notReady,
                                 workingAfterCall; --reason CODE, --agent-id ID with loggedOn)
  group GROUPLINE                a monitored group's queue: calls waiting, agents by state
  links                          PBX link status
  switchover PBX                 move a PBX to its other node (admin; --reason TEXT)

flags (anywhere on the line):
`

// options are the flags every command accepts.
type options struct {
	urls      []string
	token     string
	json      bool
	call      string
	ringFirst bool
	reason    string
	agentID   string
	timeout   time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// errUsage marks a command line that could not be understood (exit code 2).
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer, env func(string) string) int {
	o, pos, err := parseArgs(args, stderr, env)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err == nil {
		err = dispatch(ctx, o, pos, stdout)
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "cticlient:", strings.TrimPrefix(err.Error(), "usage: "))
		fmt.Fprint(stderr, "run cticlient -h for help\n")
		return 2
	default:
		fmt.Fprintln(stderr, "cticlient:", err)
		return 1
	}
}

// parseArgs reads flags wherever they stand, so that "watch demo/201 --json" works.
func parseArgs(args []string, stderr io.Writer, env func(string) string) (*options, []string, error) {
	o := &options{}
	fs := flag.NewFlagSet("cticlient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	url := fs.String("url", env("CTIBRIDGE_URL"), "bridge URL(s), comma-separated (env CTIBRIDGE_URL)")
	fs.StringVar(&o.token, "token", env("CTIBRIDGE_TOKEN"), "bearer token (env CTIBRIDGE_TOKEN)")
	fs.BoolVar(&o.json, "json", false, "print JSON instead of text")
	fs.StringVar(&o.call, "call", "", "call handle (answer, hangup, hold, retrieve, transfer)")
	fs.BoolVar(&o.ringFirst, "ring-first", true, "dial: ring the own phone first, dial when it is picked up")
	fs.StringVar(&o.reason, "reason", "", "switchover: reason for the audit log; agent: not-ready or log-off reason code")
	fs.StringVar(&o.agentID, "agent-id", "", "agent loggedOn: the agent ID to log on as")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "how long a one-shot command may take")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	for _, u := range strings.Split(*url, ",") {
		if u = strings.TrimSpace(u); u != "" {
			o.urls = append(o.urls, u)
		}
	}
	return o, pos, nil
}

func dispatch(ctx context.Context, o *options, pos []string, out io.Writer) error {
	if len(pos) == 0 {
		return fmt.Errorf("%w: no command given", errUsage)
	}
	if len(o.urls) == 0 {
		return fmt.Errorf("%w: no bridge URL: give -url or set CTIBRIDGE_URL", errUsage)
	}
	if o.token == "" {
		return fmt.Errorf("%w: no token: give -token or set CTIBRIDGE_TOKEN", errUsage)
	}
	cmd, args := pos[0], pos[1:]
	if cmd == "watch" {
		if len(args) == 0 {
			return fmt.Errorf("%w: watch needs at least one LINE", errUsage)
		}
		return watch(ctx, o, args, out)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	switch cmd {
	case "lines", "calls", "links", "switchover", "agents", "agent", "group":
		return restCommand(ctx, o, cmd, args, out)
	case "dial", "answer", "hangup", "hold", "retrieve", "transfer", "forward", "dnd":
		return lineCommand(ctx, o, cmd, args, out)
	}
	return fmt.Errorf("%w: unknown command %q", errUsage, cmd)
}

// nargs checks the number of positional arguments of a command.
func nargs(cmd string, args []string, min, max int, form string) error {
	if len(args) < min || len(args) > max {
		return fmt.Errorf("%w: %s %s", errUsage, cmd, form)
	}
	return nil
}
