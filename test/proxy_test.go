package e2e

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ctibridge/ctibridge/csta"
)

// cstaRequest is one CSTA request a bridge sent towards a PBX node.
type cstaRequest struct {
	At       time.Time
	Node     string // "primary" or "standby"
	Conn     int    // proxy connection number
	Instance string // bridge instance ID, "" when the sender could not be identified
	Service  string // root element, e.g. "SnapshotDevice"
}

// requestLog collects the CSTA requests of every bridge, as the PBX sees them.
type requestLog struct {
	mu   sync.Mutex
	reqs []cstaRequest
}

func (l *requestLog) add(r cstaRequest) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r)
	l.mu.Unlock()
}

func (l *requestLog) all() []cstaRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]cstaRequest(nil), l.reqs...)
}

// cstaProxy stands between the bridges and one simulator node and records every request a
// bridge sends, with the sending instance. pbxsim keeps no per-session record of requests, and
// "no two instances talk to the PBX at once" can only be checked where the PBX sees them.
// It forwards bytes unchanged otherwise: a killed node closes its side, a frozen node leaves
// the link half-open, a node that refuses leaves the bridge with a closed connection.
type cstaProxy struct {
	t        testing.TB
	node     string
	upstream string
	ln       net.Listener
	log      *requestLog
	who      func(remote, local *net.TCPAddr) string // the connection's addresses -> instance ID

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	links  map[int]*proxyLink // open bridge connections by number
	seq    int
	wg     sync.WaitGroup
	closed bool
}

func startProxy(t testing.TB, node, upstream string, log *requestLog, who func(remote, local *net.TCPAddr) string) *cstaProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cstaProxy{t: t, node: node, upstream: upstream, ln: ln, log: log, who: who, conns: map[net.Conn]struct{}{}, links: map[int]*proxyLink{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	return p
}

func (p *cstaProxy) addr() string { return p.ln.Addr().String() }

func (p *cstaProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			c.Close()
			return
		}
		p.seq++
		id := p.seq
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.serve(c, id)
	}
}

// serve relays one bridge connection until either side closes it.
func (p *cstaProxy) serve(down net.Conn, id int) {
	defer p.wg.Done()
	defer func() {
		p.mu.Lock()
		delete(p.conns, down)
		p.mu.Unlock()
		down.Close()
	}()
	remote, local := down.RemoteAddr().(*net.TCPAddr), down.LocalAddr().(*net.TCPAddr)
	instance := p.who(remote, local)
	link := &proxyLink{id: id, instance: instance, down: down}
	p.mu.Lock()
	p.links[id] = link
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.links, id)
		p.mu.Unlock()
	}()
	up, err := net.DialTimeout("tcp", p.upstream, 2*time.Second)
	if err != nil {
		return // the node is down: the bridge sees its connection closed
	}
	p.mu.Lock()
	p.conns[up] = struct{}{}
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.conns, up)
		p.mu.Unlock()
		up.Close()
	}()
	done := make(chan struct{})
	go func() { // node -> bridge, frame by frame (see inject); ends when either side closes
		defer close(done)
		link.relay(up)
		down.Close()
	}()
	fr := csta.HeaderFraming{}
	rd := fr.NewReader(down, 0)
	var buf []byte
	for {
		f, err := rd.ReadFrame()
		if err != nil {
			break
		}
		if name := rootElement(f.Body); isRequest(name) {
			if instance == "" { // the lookup at accept can miss a socket the kernel has not listed yet
				if instance = p.who(remote, local); instance != "" {
					p.mu.Lock()
					link.instance = instance
					p.mu.Unlock()
				}
			}
			p.log.add(cstaRequest{At: time.Now(), Node: p.node, Conn: id, Instance: instance, Service: name})
		}
		if buf, err = fr.AppendFrame(buf[:0], f); err != nil {
			break
		}
		if _, err := up.Write(buf); err != nil {
			break
		}
	}
	up.Close()
	<-done
}

// openLinks counts the open bridge connections of instance.
func (p *cstaProxy) openLinks(instance string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.links {
		if l.instance == instance {
			n++
		}
	}
	return n
}

// proxyLink is one open bridge connection of a proxy. Frames from the node are written to
// the bridge whole, under wmu, so that inject can put its own bytes between two frames.
type proxyLink struct {
	id       int    // connection number
	instance string // guarded by the proxy's mu
	down     net.Conn
	wmu      sync.Mutex
}

// relay copies the node's frames to the bridge until either side closes.
func (l *proxyLink) relay(up net.Conn) {
	fr := csta.HeaderFraming{}
	rd := fr.NewReader(up, 0)
	var buf []byte
	for {
		f, err := rd.ReadFrame()
		if err != nil {
			return
		}
		if buf, err = fr.AppendFrame(buf[:0], f); err != nil {
			return
		}
		l.wmu.Lock()
		_, err = l.down.Write(buf)
		l.wmu.Unlock()
		if err != nil {
			return
		}
	}
}

// newest returns the number of instance's newest open connection here, 0 when it has none.
func (p *cstaProxy) newest(instance string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := 0
	for _, l := range p.links {
		if l.instance == instance && l.id > id {
			id = l.id
		}
	}
	return id
}

// inject runs write on bridge connection number id, towards the bridge, between two of the
// node's frames; nothing else reaches the bridge on that connection until write returns
// (write may stall on purpose). It fails when the connection is closed.
func (p *cstaProxy) inject(id int, write func(w io.Writer) error) error {
	p.mu.Lock()
	link := p.links[id]
	p.mu.Unlock()
	if link == nil {
		return fmt.Errorf("%s proxy: connection %d is closed", p.node, id)
	}
	link.wmu.Lock()
	defer link.wmu.Unlock()
	return write(link.down)
}

// open reports whether bridge connection number id is still open.
func (p *cstaProxy) open(id int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.links[id] != nil
}

func (p *cstaProxy) close() {
	p.mu.Lock()
	p.closed = true
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// rootElement returns the local name of the XML document's root element.
func rootElement(body []byte) string {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local
		}
	}
}

// isRequest tells requests from the answers a bridge gives to the switch's own requests
// (SystemStatusResponse) and from error answers.
func isRequest(root string) bool {
	return root != "" && !strings.HasSuffix(root, "Response") && root != "CSTAErrorCode"
}

// socketOwner finds the process that holds the other end of a loopback TCP connection the
// proxy accepted (remote: the bridge's address, local: the proxy's), by the socket's inode in
// /proc/net/tcp and the processes' descriptor tables. pids maps process IDs to instance names.
func socketOwner(remote, local *net.TCPAddr, pids map[int]string) string {
	inode := socketInode(remote.Port, local.Port)
	if inode == "" {
		return ""
	}
	target := "socket:[" + inode + "]"
	for pid, name := range pids {
		fds, _ := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
		for _, fd := range fds {
			if l, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", fd.Name())); err == nil && l == target {
				return name
			}
		}
	}
	return ""
}

// socketInode returns the inode of the IPv4 socket from 127.0.0.1:port to 127.0.0.1:peer, or
// "". Both ends are matched: Linux gives one ephemeral port to connections of different
// processes when their destinations differ, so the port alone can name another instance's
// socket (it did: a request was laid at the wrong instance's door).
func socketInode(port, peer int) string {
	f, err := os.Open("/proc/net/tcp")
	if err != nil {
		return ""
	}
	defer f.Close()
	want, wantPeer := fmt.Sprintf("0100007F:%04X", port), fmt.Sprintf("0100007F:%04X", peer)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) > 9 && fs[1] == want && fs[2] == wantPeer && fs[9] != "0" {
			return fs[9]
		}
	}
	return ""
}
