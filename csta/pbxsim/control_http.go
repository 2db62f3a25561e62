package pbxsim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// The HTTP/JSON control API mirrors the Go control API, node faults and the truth, for demos
// and for tests in other processes:
//
//	GET  /truth                       every device and call
//	GET  /devices/{number}            one device
//	GET  /stats                       model counters
//	POST /devices/{number}/{action}   offhook, dial {"to"}, answer, hangup, hold, retrieve,
//	                                  consult {"to"}, transfer, conference, busy {"on"},
//	                                  dnd {"on"}, forward {"type","on","to","ringCount"},
//	                                  agent {"state","group","agentID","reason"}
//	GET  /groups/{number}             a hunt group's queue figures and agents by state
//	POST /incoming                    {"from","to"}: an external caller rings in
//	POST /nodes/{name}/{fault}        kill, restart, freeze {"on"}, delay {"ms"},
//	                                  drop {"count"}, garbage, oversized, altids {"on"}
//	POST /restart                     restart the whole PBX
//
// Refused actions answer 409 with {"error": "..."}; unknown devices or nodes 404; bad
// bodies 400.

type controlBody struct {
	To        string              `json:"to"`
	From      string              `json:"from"`
	On        bool                `json:"on"`
	Type      csta.ForwardingType `json:"type"`
	RingCount int                 `json:"ringCount"`
	MS        int                 `json:"ms"`
	Count     int                 `json:"count"`
	// agent: the requested state (loggedOn, loggedOff, ready, notReady, workingAfterCall)
	State   csta.RequestedAgentState `json:"state"`
	Group   string                   `json:"group"`
	AgentID string                   `json:"agentID"`
	Reason  string                   `json:"reason"`
}

// ControlHandler returns the HTTP control API.
func (p *PBX) ControlHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /truth", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, p.Truth()) })
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, p.Stats()) })
	mux.HandleFunc("GET /devices/{number}", func(w http.ResponseWriter, r *http.Request) {
		d, ok := p.Device(r.PathValue("number"))
		if !ok {
			writeErr(w, http.StatusNotFound, fmt.Errorf("device %s not known", r.PathValue("number")))
			return
		}
		writeJSON(w, http.StatusOK, d)
	})
	mux.HandleFunc("GET /groups/{number}", func(w http.ResponseWriter, r *http.Request) {
		g, ok := p.Group(r.PathValue("number"))
		if !ok {
			writeErr(w, http.StatusNotFound, fmt.Errorf("hunt group %s not known", r.PathValue("number")))
			return
		}
		writeJSON(w, http.StatusOK, g)
	})
	mux.HandleFunc("POST /devices/{number}/{action}", func(w http.ResponseWriter, r *http.Request) {
		var b controlBody
		if !readBody(w, r, &b) {
			return
		}
		result, err := p.deviceAction(r.PathValue("number"), r.PathValue("action"), b)
		reply(w, result, err)
	})
	mux.HandleFunc("POST /incoming", func(w http.ResponseWriter, r *http.Request) {
		var b controlBody
		if !readBody(w, r, &b) {
			return
		}
		id, err := p.IncomingCall(b.From, b.To)
		reply(w, map[string]string{"callID": id}, err)
	})
	mux.HandleFunc("POST /nodes/{name}/{fault}", func(w http.ResponseWriter, r *http.Request) {
		var b controlBody
		if !readBody(w, r, &b) {
			return
		}
		n := p.Node(r.PathValue("name"))
		if n == nil {
			writeErr(w, http.StatusNotFound, fmt.Errorf("node %s not known", r.PathValue("name")))
			return
		}
		reply(w, map[string]string{"node": n.Name(), "addr": n.Addr()}, n.fault(r.Context(), r.PathValue("fault"), b))
	})
	mux.HandleFunc("POST /restart", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]string{"restarted": "pbx"}, p.Restart())
	})
	return mux
}

// errUnknownAction marks a request for an action that does not exist (404).
var errUnknownAction = errors.New("unknown action")

func (p *PBX) deviceAction(number, action string, b controlBody) (any, error) {
	var id string
	var err error
	switch action {
	case "offhook":
		id, err = p.OffHook(number)
	case "dial":
		id, err = p.Dial(number, b.To)
	case "answer":
		err = p.Answer(number)
	case "hangup":
		err = p.HangUp(number)
	case "hold":
		err = p.Hold(number)
	case "retrieve":
		err = p.Retrieve(number)
	case "consult":
		id, err = p.Consult(number, b.To)
	case "transfer":
		err = p.Transfer(number)
	case "conference":
		err = p.Conference(number)
	case "busy":
		err = p.SetBusy(number, b.On)
	case "dnd":
		err = p.SetDoNotDisturb(number, b.On)
	case "forward":
		err = p.SetForwarding(number, b.Type, b.On, b.To, b.RingCount)
	case "agent":
		err = p.SetAgentState(number, b.Group, b.State, b.AgentID, b.Reason)
	default:
		return nil, fmt.Errorf("%w %q; want offhook, dial, answer, hangup, hold, retrieve, consult, transfer, conference, busy, dnd, forward or agent", errUnknownAction, action)
	}
	if id != "" {
		return map[string]string{"callID": id}, err
	}
	return map[string]string{"device": number, "done": action}, err
}

func (n *Node) fault(ctx context.Context, name string, b controlBody) error {
	switch name {
	case "kill":
		n.Kill()
	case "restart":
		return n.Restart(ctx)
	case "freeze":
		n.Freeze(b.On)
	case "delay":
		if b.MS < 0 {
			return &ControlError{Device: n.name, Reason: "delay must not be negative"}
		}
		n.SetResponseDelay(time.Duration(b.MS) * time.Millisecond)
	case "drop":
		n.DropEvents(b.Count)
	case "garbage":
		return n.SendGarbage(ctx)
	case "oversized":
		return n.SendOversizedFrame(ctx)
	case "altids":
		n.SetAlternateCallIDs(b.On)
	default:
		return fmt.Errorf("%w %q; want kill, restart, freeze, delay, drop, garbage, oversized or altids", errUnknownAction, name)
	}
	return nil
}

func readBody(w http.ResponseWriter, r *http.Request, v *controlBody) bool {
	data, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return false
	}
	if len(data) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeErr(w, http.StatusBadRequest, fmt.Errorf("request body: %w", err))
		return false
	}
	return true
}

func reply(w http.ResponseWriter, result any, err error) {
	var ce *ControlError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, result)
	case errors.Is(err, errUnknownAction):
		writeErr(w, http.StatusNotFound, err)
	case errors.As(err, &ce) && ce.Unknown:
		writeErr(w, http.StatusNotFound, err)
	default:
		writeErr(w, http.StatusConflict, err)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// ControlServer serves the HTTP control API on its own listener.
type ControlServer struct {
	srv  *http.Server
	ln   net.Listener
	done chan struct{}
}

// ServeControl starts the HTTP control API on addr ("127.0.0.1:0" for a free port).
func (p *PBX) ServeControl(ctx context.Context, addr string) (*ControlServer, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pbxsim: control API: %w", err)
	}
	cs := &ControlServer{
		srv:  &http.Server{Handler: p.ControlHandler(), ReadHeaderTimeout: 10 * time.Second},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(cs.done)
		_ = cs.srv.Serve(ln)
	}()
	return cs, nil
}

// Addr returns the control API's address.
func (cs *ControlServer) Addr() string { return cs.ln.Addr().String() }

// Shutdown stops the control API, waiting with ctx for requests in flight.
func (cs *ControlServer) Shutdown(ctx context.Context) error {
	err := cs.srv.Shutdown(ctx)
	<-cs.done
	return err
}
