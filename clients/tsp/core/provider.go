package tspcore

import (
	"context"
	"sort"
	"sync"
	"time"

	client "github.com/ctibridge/ctibridge/clients/go"
	"github.com/ctibridge/ctibridge/tapi"
)

// Opaque handles of the TSPI: the provider's (HDRV*) and TAPI's (HTAPI*), pointer-sized.
type (
	HDRVLINE  uintptr
	HDRVCALL  uintptr
	HTAPILINE uintptr
	HTAPICALL uintptr
)

// LineEvents is what TSPI_lineOpen's LINEEVENT callback does for one line.
type LineEvents struct {
	// Event sends a message to TAPI (LINEEVENT).
	Event func(htLine HTAPILINE, htCall HTAPICALL, msg uint32, p1, p2, p3 uintptr)
	// NewCall sends LINE_NEWCALL for hdCall (dwParam1) and returns the HTAPICALL TAPI wrote
	// through dwParam2, 0 when TAPI could not take the call.
	NewCall func(htLine HTAPILINE, hdCall HDRVCALL) HTAPICALL
}

// CompletionFunc is TSPI_providerInit's ASYNC_COMPLETION: a request's final result.
type CompletionFunc func(requestID uint32, result int32)

// INITIALIZE_NEGOTIATION is the device ID TAPI passes to negotiate the provider-wide version.
const INITIALIZE_NEGOTIATION uint32 = 0xFFFFFFFF

// Provider is one loaded TSP: a bridge session, its lines as TAPI devices, and the calls on
// open lines. All TAPI callbacks run with the provider's lock held, so TAPI receives them in
// the order the bridge produced them; TAPI queues LINEEVENT calls and does not call back
// into the provider from them.
type Provider struct {
	cfg Config
	// Ticks returns the millisecond tick count LINE_GENERATE carries (GetTickCount on
	// Windows); the default counts from the provider's creation.
	Ticks func() uint32

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // dispatcher, requests, announcements

	mu         sync.Mutex
	cl         *client.Client
	lines      []*line // by bridge device ID; TAPI device ID = base + index
	byName     map[string]*line
	base       uint32
	providerID uint32
	completion CompletionFunc
	calls      map[HDRVCALL]*call
	byHandle   map[tapi.CallHandle]*call
	refused    map[tapi.CallHandle]bool // calls TAPI declined at LINE_NEWCALL
	nextCall   HDRVCALL
	connected  bool // the session is up and in sync
	closed     bool
}

// line is one TAPI line device.
type line struct {
	index   int
	info    client.WelcomeLine
	open    bool
	htLine  HTAPILINE
	ev      LineEvents
	version uint32
	state   tapi.Line // the bridge's line record (service, forwarding, DND)

	// reported is the service state TAPI was last told; oosGen invalidates a pending
	// OUTOFSERVICE timer when service returns before it fires.
	reported bool
	oosTimer *time.Timer
	oosGen   int

	// pending counts requests in flight that create a call (makeCall, consultation dial);
	// events of calls not yet known are held back until they are answered, so that the call
	// a request created is matched to TAPI's htCall instead of being announced as new.
	pending int
	held    []tapi.Event
	// holding maps bridge calls whose events are held back (with the others in held) while a
	// conference of them is being set up to that conference call.
	holding map[tapi.CallHandle]*call
}

// call is one hdCall.
type call struct {
	hd     HDRVCALL
	ht     HTAPICALL
	line   *line
	handle tapi.CallHandle // "" for a consultation call not dialled yet, or a conference party
	status tapi.CallStatus // last reported to TAPI
	info   tapi.CallInfo
	since  time.Time
	idle   bool
	// consultFor is the call a TSPI_lineSetupTransfer consultation call belongs to.
	consultFor *call
	dialling   bool

	// Conferences (conference.go). isConf marks a conference call from lineCompleteTransfer;
	// parties are its party calls and bridge the last state the bridge reported for its
	// call. A party call has conf set, no bridge call of its own, and was: the bridge call it
	// had before it joined (its dwCallID).
	isConf  bool
	parties []*call
	bridge  tapi.CallState
	conf    *call
	was     tapi.CallHandle
}

// New returns a provider for cfg; it connects at EnumDevices.
func New(cfg Config) (*Provider, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	return &Provider{cfg: c, ctx: ctx, cancel: cancel,
		Ticks:  func() uint32 { return uint32(time.Since(start).Milliseconds()) },
		byName: map[string]*line{}, calls: map[HDRVCALL]*call{},
		byHandle: map[tapi.CallHandle]*call{}, refused: map[tapi.CallHandle]bool{}}, nil
}

// EnumDevices connects to the bridge (once) and returns the number of line devices
// (TSPI_providerEnumDevices). The line set is fixed for the provider's lifetime.
func (p *Provider) EnumDevices(ctx context.Context) (uint32, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return 0, lineErr(tapi.LINEERR_UNINITIALIZED, "provider shut down")
	}
	if p.cl != nil {
		return uint32(len(p.lines)), nil
	}
	ctx, cancel := context.WithTimeout(ctx, p.cfg.ConnectTimeout)
	defer cancel()
	cl, err := client.Dial(ctx, client.Config{URLs: p.cfg.URLs, Token: p.cfg.Token, All: true,
		ClientName: p.cfg.ClientName})
	if err != nil {
		return 0, lineErr(tapi.LINEERR_NODRIVER, "connect to the bridge: %v", err)
	}
	var ls []client.WelcomeLine
	for _, l := range cl.Welcome().Lines {
		if p.cfg.Mode == ModeServer || l.Control {
			ls = append(ls, l)
		}
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].DeviceID < ls[j].DeviceID })
	p.cl = cl
	for i, wl := range ls {
		l := &line{index: i, info: wl}
		p.lines = append(p.lines, l)
		p.byName[wl.Name] = l
	}
	p.wg.Add(1)
	go func() { defer p.wg.Done(); p.dispatch(cl) }()
	return uint32(len(p.lines)), nil
}

// Init records what TSPI_providerInit passes.
func (p *Provider) Init(ctx context.Context, permanentProviderID, lineDeviceIDBase uint32, completion CompletionFunc) error {
	if _, err := p.EnumDevices(ctx); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.providerID, p.base, p.completion = permanentProviderID, lineDeviceIDBase, completion
	return nil
}

// Shutdown closes the session and waits for every goroutine (TSPI_providerShutdown).
func (p *Provider) Shutdown() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	cl := p.cl
	for _, l := range p.lines {
		p.stopOOSTimer(l)
	}
	p.mu.Unlock()
	p.cancel()
	if cl != nil {
		_ = cl.Close()
	}
	p.wg.Wait()
	return nil
}

// NegotiateTSPIVersion picks the highest version both sides speak.
func (p *Provider) NegotiateTSPIVersion(deviceID, low, high uint32) (uint32, error) {
	if deviceID != INITIALIZE_NEGOTIATION {
		p.mu.Lock()
		_, err := p.lineByDevice(deviceID)
		p.mu.Unlock()
		if err != nil {
			return 0, err
		}
	}
	if high < MinTSPIVersion || low > MaxTSPIVersion || low > high {
		return 0, lineErr(tapi.LINEERR_INCOMPATIBLEAPIVERSION,
			"versions %#x-%#x asked, %#x-%#x spoken", low, high, MinTSPIVersion, MaxTSPIVersion)
	}
	return min(high, MaxTSPIVersion), nil
}

// DeviceID returns the TAPI device ID of a bridge line, for tests and diagnostics.
func (p *Provider) DeviceID(lineName string) (uint32, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, ok := p.byName[lineName]
	if !ok {
		return 0, false
	}
	return p.base + uint32(l.index), true
}

func (p *Provider) lineByDevice(deviceID uint32) (*line, error) {
	i := int64(deviceID) - int64(p.base)
	if i < 0 || i >= int64(len(p.lines)) {
		return nil, lineErr(tapi.LINEERR_BADDEVICEID, "device ID %d is not one of %d..%d", deviceID, p.base, p.base+uint32(len(p.lines))-1)
	}
	return p.lines[i], nil
}

func (p *Provider) lineByHandle(hd HDRVLINE) (*line, error) {
	i := int(hd) - 1
	if i < 0 || i >= len(p.lines) || !p.lines[i].open {
		return nil, lineErr(tapi.LINEERR_INVALLINEHANDLE, "hdLine %#x is not an open line", uintptr(hd))
	}
	return p.lines[i], nil
}

func (p *Provider) callByHandle(hd HDRVCALL) (*call, error) {
	c, ok := p.calls[hd]
	if !ok {
		return nil, lineErr(tapi.LINEERR_INVALCALLHANDLE, "hdCall %#x is not known", uintptr(hd))
	}
	return c, nil
}

func (p *Provider) now() time.Time { return time.Now() }
