package tspcore

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/ctibridge/ctibridge/tapi"
)

// What the bridge's lines and calls can do, as the LINEDEVCAPS/LINEADDRESSCAPS masks say it.
const (
	callStates = tapi.LINECALLSTATE_IDLE | tapi.LINECALLSTATE_OFFERING | tapi.LINECALLSTATE_DIALTONE |
		tapi.LINECALLSTATE_DIALING | tapi.LINECALLSTATE_RINGBACK | tapi.LINECALLSTATE_BUSY |
		tapi.LINECALLSTATE_CONNECTED | tapi.LINECALLSTATE_PROCEEDING | tapi.LINECALLSTATE_ONHOLD |
		tapi.LINECALLSTATE_CONFERENCED | tapi.LINECALLSTATE_ONHOLDPENDCONF |
		tapi.LINECALLSTATE_ONHOLDPENDTRANSFER | tapi.LINECALLSTATE_DISCONNECTED | tapi.LINECALLSTATE_UNKNOWN
	partyIDFlags = tapi.LINECALLPARTYID_BLOCKED | tapi.LINECALLPARTYID_OUTOFAREA | tapi.LINECALLPARTYID_NAME |
		tapi.LINECALLPARTYID_ADDRESS | tapi.LINECALLPARTYID_PARTIAL | tapi.LINECALLPARTYID_UNKNOWN |
		tapi.LINECALLPARTYID_UNAVAIL
	callInfoStates = tapi.LINECALLINFOSTATE_OTHER | tapi.LINECALLINFOSTATE_CALLID |
		tapi.LINECALLINFOSTATE_RELATEDCALLID | tapi.LINECALLINFOSTATE_ORIGIN | tapi.LINECALLINFOSTATE_REASON |
		tapi.LINECALLINFOSTATE_TRUNK | tapi.LINECALLINFOSTATE_CALLERID | tapi.LINECALLINFOSTATE_CALLEDID |
		tapi.LINECALLINFOSTATE_CONNECTEDID | tapi.LINECALLINFOSTATE_REDIRECTIONID | tapi.LINECALLINFOSTATE_REDIRECTINGID
	disconnectModes = tapi.LINEDISCONNECTMODE_NORMAL | tapi.LINEDISCONNECTMODE_UNKNOWN | tapi.LINEDISCONNECTMODE_REJECT |
		tapi.LINEDISCONNECTMODE_PICKUP | tapi.LINEDISCONNECTMODE_FORWARDED | tapi.LINEDISCONNECTMODE_BUSY |
		tapi.LINEDISCONNECTMODE_NOANSWER | tapi.LINEDISCONNECTMODE_BADADDRESS | tapi.LINEDISCONNECTMODE_UNREACHABLE |
		tapi.LINEDISCONNECTMODE_CONGESTION | tapi.LINEDISCONNECTMODE_UNAVAIL | tapi.LINEDISCONNECTMODE_DONOTDISTURB
	forwardModes = tapi.LINEFORWARDMODE_UNCOND | tapi.LINEFORWARDMODE_BUSY | tapi.LINEFORWARDMODE_NOANSW |
		tapi.LINEFORWARDMODE_BUSYNA
	allCallFeatures = LINECALLFEATURE_ANSWER | LINECALLFEATURE_BLINDTRANSFER | LINECALLFEATURE_COMPLETETRANSF |
		LINECALLFEATURE_DIAL | LINECALLFEATURE_DROP | LINECALLFEATURE_GENERATEDIGITS | LINECALLFEATURE_HOLD |
		LINECALLFEATURE_REDIRECT | LINECALLFEATURE_SETUPTRANSFER | LINECALLFEATURE_UNHOLD
	// LINEADDRESSTYPE_PHONENUMBER, the address type of TAPI 3.0 structures.
	lineAddressTypePhoneNumber = 0x00000001
)

// DevCaps fills a LINEDEVCAPS (TSPI_lineGetDevCaps); buf is the caller's structure of
// dwTotalSize bytes.
func (p *Provider) DevCaps(deviceID, version uint32, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByDevice(deviceID)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineDevCapsLayout, buf, version)
	if err != nil {
		return err
	}
	w.str("dwProviderInfo", "ctibridge TSP")
	w.str("dwSwitchInfo", "ctibridge PBX "+l.info.PBX)
	w.set("dwPermanentLineID", l.info.DeviceID)
	name := "ctibridge " + l.info.Name
	if l.info.DisplayName != "" {
		name += " (" + l.info.DisplayName + ")"
	}
	w.str("dwLineName", name)
	w.set("dwStringFormat", STRINGFORMAT_UNICODE)
	w.set("dwAddressModes", LINEADDRESSMODE_ADDRESSID)
	w.set("dwNumAddresses", 1)
	w.set("dwBearerModes", LINEBEARERMODE_VOICE)
	w.set("dwMediaModes", LINEMEDIAMODE_INTERACTIVEVOICE)
	w.set("dwMaxNumActiveCalls", 1)
	w.set("dwRingModes", 1)
	w.set("dwLineStates", uint32(tapi.LINEDEVSTATE_OTHER|tapi.LINEDEVSTATE_INSERVICE|tapi.LINEDEVSTATE_OUTOFSERVICE))
	if l.info.Control {
		w.set("dwGenerateDigitModes", LINEDIGITMODE_DTMF)
		w.set("dwLineFeatures", LINEFEATURE_MAKECALL|LINEFEATURE_FORWARD)
	}
	w.blob("dwDeviceClasses", utf16z("tapi/line\x00"))
	w.set("dwAddressTypes", lineAddressTypePhoneNumber)
	w.finish()
	return nil
}

// AddressCaps fills a LINEADDRESSCAPS (TSPI_lineGetAddressCaps); a line has address 0 only.
func (p *Provider) AddressCaps(deviceID, addressID, version uint32, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByDevice(deviceID)
	if err != nil {
		return err
	}
	if addressID != 0 {
		return lineErr(tapi.LINEERR_INVALADDRESSID, "address ID %d: a bridge line has address 0 only", addressID)
	}
	w, err := newVarWriter(lineAddressCapsLayout, buf, version)
	if err != nil {
		return err
	}
	w.set("dwLineDeviceID", deviceID)
	w.str("dwAddress", l.info.Address)
	w.set("dwAddressSharing", LINEADDRESSSHARING_PRIVATE)
	w.set("dwAddressStates", uint32(tapi.LINEADDRESSSTATE_OTHER|tapi.LINEADDRESSSTATE_FORWARD))
	w.set("dwCallInfoStates", uint32(callInfoStates))
	for _, f := range []string{"dwCallerIDFlags", "dwCalledIDFlags", "dwConnectedIDFlags", "dwRedirectionIDFlags", "dwRedirectingIDFlags"} {
		w.set(f, uint32(partyIDFlags))
	}
	w.set("dwCallStates", uint32(callStates))
	w.set("dwDialToneModes", uint32(tapi.LINEDIALTONEMODE_NORMAL))
	w.set("dwBusyModes", uint32(tapi.LINEBUSYMODE_STATION|tapi.LINEBUSYMODE_UNKNOWN))
	w.set("dwDisconnectModes", uint32(disconnectModes))
	w.set("dwMaxNumActiveCalls", 1)
	w.set("dwMaxNumOnHoldCalls", 1)
	w.set("dwMaxNumOnHoldPendingCalls", 1)
	w.set("dwConnectedModes", uint32(tapi.LINECONNECTEDMODE_ACTIVE|tapi.LINECONNECTEDMODE_INACTIVE))
	w.set("dwOfferingModes", uint32(tapi.LINEOFFERINGMODE_ACTIVE))
	w.set("dwAvailableMediaModes", LINEMEDIAMODE_INTERACTIVEVOICE)
	if l.info.Control {
		w.set("dwAddrCapFlags", LINEADDRCAPFLAGS_DIALED|LINEADDRCAPFLAGS_TRANSFERHELD)
		w.set("dwCallFeatures", allCallFeatures)
		// Three-party conferences through lineCompleteTransfer only: no lineSetupConference,
		// no adding or removing parties. LINEADDRCAPFLAGS_CONFDROP is not set: dropping the
		// conference call clears only this line's connection, the PBX keeps the others.
		w.set("dwTransferModes", LINETRANSFERMODE_TRANSFER|LINETRANSFERMODE_CONFERENCE)
		w.set("dwCallFeatures2", LINECALLFEATURE2_TRANSFERNORM|LINECALLFEATURE2_TRANSFERCONF)
		w.set("dwMaxNumConference", 3)
		w.set("dwMaxNumTransConf", 3)
		w.set("dwRemoveFromConfCaps", LINEREMOVEFROMCONF_NONE)
		w.set("dwForwardModes", uint32(forwardModes))
		w.set("dwMaxForwardEntries", 4)
		w.set("dwAddressFeatures", LINEADDRFEATURE_MAKECALL|LINEADDRFEATURE_FORWARD)
	}
	w.blob("dwDeviceClasses", utf16z("tapi/line\x00"))
	w.finish()
	return nil
}

// counts returns the calls of l that are active, on hold and on hold pending a transfer or
// conference.
func (p *Provider) counts(l *line) (active, held, pend uint32) {
	for _, c := range p.calls {
		// A conference counts once: its party calls are not calls of the line of their own.
		if c.line != l || c.idle || c.conf != nil {
			continue
		}
		switch c.status.State {
		case tapi.LINECALLSTATE_ONHOLD:
			held++
		case tapi.LINECALLSTATE_ONHOLDPENDTRANSFER, tapi.LINECALLSTATE_ONHOLDPENDCONF:
			pend++
		case 0:
		default:
			active++
		}
	}
	return
}

// LineDevStatus fills a LINEDEVSTATUS (TSPI_lineGetLineDevStatus).
func (p *Provider) LineDevStatus(hd HDRVLINE, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByHandle(hd)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineDevStatusLayout, buf, l.version)
	if err != nil {
		return err
	}
	active, held, pend := p.counts(l)
	w.set("dwNumOpens", 1)
	w.set("dwOpenMediaModes", LINEMEDIAMODE_INTERACTIVEVOICE)
	w.set("dwNumActiveCalls", active)
	w.set("dwNumOnHoldCalls", held)
	w.set("dwNumOnHoldPendCalls", pend)
	if l.reported {
		w.set("dwDevStatusFlags", LINEDEVSTATUSFLAGS_CONNECTED|LINEDEVSTATUSFLAGS_INSERVICE)
		if l.info.Control {
			w.set("dwLineFeatures", LINEFEATURE_MAKECALL|LINEFEATURE_FORWARD)
		}
	}
	w.set("dwAvailableMediaModes", LINEMEDIAMODE_INTERACTIVEVOICE)
	w.finish()
	return nil
}

// AddressStatus fills a LINEADDRESSSTATUS with the forwarding list (TSPI_lineGetAddressStatus).
func (p *Provider) AddressStatus(hd HDRVLINE, addressID uint32, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	l, err := p.lineByHandle(hd)
	if err != nil {
		return err
	}
	if addressID != 0 {
		return lineErr(tapi.LINEERR_INVALADDRESSID, "address ID %d: a bridge line has address 0 only", addressID)
	}
	w, err := newVarWriter(lineAddressStatusLayout, buf, l.version)
	if err != nil {
		return err
	}
	active, held, pend := p.counts(l)
	if active+held+pend > 0 {
		w.set("dwNumInUse", 1)
	}
	w.set("dwNumActiveCalls", active)
	w.set("dwNumOnHoldCalls", held)
	w.set("dwNumOnHoldPendCalls", pend)
	if l.info.Control && l.reported {
		w.set("dwAddressFeatures", LINEADDRFEATURE_MAKECALL|LINEADDRFEATURE_FORWARD)
	}
	if fw := l.state.Forwarding; len(fw) > 0 {
		w.set("dwForwardNumEntries", uint32(len(fw)))
		w.blob("dwForward", p.forwardList(w, fw))
	}
	w.finish()
	return nil
}

// forwardList lays out LINEFORWARD entries with their destination strings behind them.
// Offsets inside LINEFORWARD count from the start of the enclosing structure, so the list is
// built for the place blob will put it (the next DWORD-aligned byte after what is used).
func (p *Provider) forwardList(w *varWriter, fw []tapi.Forward) []byte {
	const entry = 32 // sizeof(LINEFORWARD): eight DWORDs
	base := (w.needed + 3) &^ 3
	out := make([]byte, entry*len(fw))
	for i, f := range fw {
		e := out[i*entry:]
		binary.LittleEndian.PutUint32(e[0:], uint32(f.Mode))
		if f.Destination != "" {
			s := utf16z(f.Destination)
			binary.LittleEndian.PutUint32(e[16:], uint32(len(s)))
			binary.LittleEndian.PutUint32(e[20:], uint32(base+len(out)))
			out = append(out, s...)
			e = out[i*entry:]
		}
		binary.LittleEndian.PutUint32(e[28:], lineAddressTypePhoneNumber)
	}
	return out
}

// CallInfo fills a LINECALLINFO (TSPI_lineGetCallInfo).
func (p *Provider) CallInfo(hd HDRVCALL, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineCallInfoLayout, buf, c.line.version)
	if err != nil {
		return err
	}
	w.set("dwLineDeviceID", p.base+uint32(c.line.index))
	w.set("dwBearerMode", LINEBEARERMODE_VOICE)
	w.set("dwMediaMode", LINEMEDIAMODE_INTERACTIVEVOICE)
	h := c.handle
	if h == "" {
		h = c.was // a conference party keeps the ID it had
	}
	w.set("dwCallID", handleNumber(h))
	w.set("dwRelatedCallID", handleNumber(c.info.RelatedCall))
	if c.consultFor != nil && c.info.RelatedCall == "" {
		w.set("dwRelatedCallID", handleNumber(c.consultFor.handle))
	}
	w.set("dwCallStates", uint32(callStates))
	origin := c.info.Origin
	if origin == 0 {
		origin = tapi.LINECALLORIGIN_UNKNOWN
	}
	reason := c.info.Reason
	if reason == 0 {
		reason = tapi.LINECALLREASON_UNKNOWN
	}
	w.set("dwOrigin", uint32(origin))
	w.set("dwReason", uint32(reason))
	w.set("dwTrunk", trunkNumber(c.info.Trunk))
	for _, pid := range []struct {
		prefix string
		id     tapi.PartyID
	}{{"dwCallerID", c.info.Caller}, {"dwCalledID", c.info.Called}, {"dwConnectedID", c.info.Connected},
		{"dwRedirectionID", c.info.Redirection}, {"dwRedirectingID", c.info.Redirecting}} {
		flags := pid.id.Flags
		if flags == 0 {
			flags = tapi.LINECALLPARTYID_UNKNOWN
		}
		w.set(pid.prefix+"Flags", uint32(flags))
		w.str(pid.prefix, pid.id.Number)
		w.str(pid.prefix+"Name", pid.id.Name)
		w.set(pid.prefix+"AddressType", lineAddressTypePhoneNumber)
	}
	w.str("dwDisplayableAddress", c.line.info.Address)
	w.str("dwCalledParty", c.info.Called.Name)
	w.finish()
	return nil
}

// CallStatus fills a LINECALLSTATUS (TSPI_lineGetCallStatus).
func (p *Provider) CallStatus(hd HDRVCALL, buf []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.callByHandle(hd)
	if err != nil {
		return err
	}
	w, err := newVarWriter(lineCallStatusLayout, buf, c.line.version)
	if err != nil {
		return err
	}
	w.set("dwCallState", uint32(c.status.State))
	w.set("dwCallStateMode", c.status.Mode())
	w.set("dwCallPrivilege", LINECALLPRIVILEGE_OWNER)
	if c.line.info.Control && c.line.reported {
		f := p.features(c)
		w.set("dwCallFeatures", f)
		if f&LINECALLFEATURE_COMPLETETRANSF != 0 {
			w.set("dwCallFeatures2", LINECALLFEATURE2_TRANSFERNORM|LINECALLFEATURE2_TRANSFERCONF)
		}
	}
	if off, ok := lineCallStatusLayout.offset["tStateEntryTime"]; ok && off+16 <= w.fixed && !c.since.IsZero() {
		putSystemTime(w.buf[off:], c.since.UTC())
	}
	w.finish()
	return nil
}

// features returns the LINECALLFEATURE_* a call offers in its state.
func (p *Provider) features(c *call) uint32 {
	switch {
	case c.conf != nil || c.idle || c.status.State == 0:
		return 0 // a conference party takes no requests
	case c.isConf && c.status.State == tapi.LINECALLSTATE_CONNECTED:
		return LINECALLFEATURE_DROP | LINECALLFEATURE_GENERATEDIGITS
	case c.isConf:
		return LINECALLFEATURE_DROP
	}
	switch c.status.State {
	case tapi.LINECALLSTATE_OFFERING, tapi.LINECALLSTATE_ACCEPTED:
		return LINECALLFEATURE_ANSWER | LINECALLFEATURE_DROP | LINECALLFEATURE_REDIRECT
	case tapi.LINECALLSTATE_DIALTONE:
		if c.consultFor != nil && c.handle == "" {
			return LINECALLFEATURE_DIAL | LINECALLFEATURE_DROP
		}
		return LINECALLFEATURE_DROP
	case tapi.LINECALLSTATE_CONNECTED:
		f := LINECALLFEATURE_DROP | LINECALLFEATURE_HOLD | LINECALLFEATURE_BLINDTRANSFER |
			LINECALLFEATURE_SETUPTRANSFER | LINECALLFEATURE_GENERATEDIGITS
		if c.consultFor != nil {
			f |= LINECALLFEATURE_COMPLETETRANSF
		}
		return f
	case tapi.LINECALLSTATE_ONHOLD:
		return LINECALLFEATURE_UNHOLD | LINECALLFEATURE_DROP
	case tapi.LINECALLSTATE_ONHOLDPENDTRANSFER:
		return LINECALLFEATURE_UNHOLD | LINECALLFEATURE_DROP | LINECALLFEATURE_COMPLETETRANSF
	case tapi.LINECALLSTATE_IDLE, 0:
		return 0
	}
	return LINECALLFEATURE_DROP
}

// putSystemTime writes a SYSTEMTIME (eight WORDs).
func putSystemTime(b []byte, t time.Time) {
	for i, v := range []int{t.Year(), int(t.Month()), int(t.Weekday()), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond() / 1e6} {
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
}

// handleNumber is the counter part of a bridge call handle ("demo:57" -> 57): unique per PBX,
// stable across bridge takeovers, so a good dwCallID.
func handleNumber(h tapi.CallHandle) uint32 {
	s := string(h)
	n, err := strconv.ParseUint(s[strings.LastIndexByte(s, ':')+1:], 10, 32)
	if err != nil {
		return 0
	}
	return uint32(n)
}

// trunkNumber is dwTrunk: the trunk's number, 0xFFFFFFFF when unknown.
func trunkNumber(t string) uint32 {
	n, err := strconv.ParseUint(t, 10, 32)
	if err != nil || n == 0xFFFFFFFF {
		return 0xFFFFFFFF
	}
	return uint32(n)
}
