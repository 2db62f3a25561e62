package tspcore

import (
	"bufio"
	"encoding/binary"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ctibridge/ctibridge/tapi"
)

const (
	tapiH = "/usr/share/mingw-w64/include/tapi.h"
	tspiH = "/usr/share/mingw-w64/include/tspi.h"
)

func readHeader(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("%s not available (%v); run `make deps`", path, err)
	}
	return string(b)
}

// TestLayoutsMatchTapiH compares every structure layout with its declaration in tapi.h.
func TestLayoutsMatchTapiH(t *testing.T) {
	h := readHeader(t, tapiH)
	for _, l := range []*layout{lineDevCapsLayout, lineAddressCapsLayout, lineDevStatusLayout,
		lineAddressStatusLayout, lineCallInfoLayout, lineCallStatusLayout, lineAgentCapsLayout,
		lineAgentStatusLayout} {
		tag := strings.ToLower(l.name)[:4] + strings.ToLower(l.name)[4:] + "_tag"
		rx := regexp.MustCompile(`typedef struct ` + tag + ` \{([^}]*)\}`)
		m := rx.FindStringSubmatch(h)
		if m == nil {
			t.Errorf("%s: struct %s not found in tapi.h", l.name, tag)
			continue
		}
		var decl []string
		for _, member := range strings.Split(m[1], ";") {
			if f := strings.Fields(member); len(f) == 2 {
				decl = append(decl, f[0]+" "+f[1])
			}
		}
		var ours []string
		for _, f := range l.fields {
			ours = append(ours, f.typ+" "+f.name)
		}
		if strings.Join(decl, ",") != strings.Join(ours, ",") {
			t.Errorf("%s differs from tapi.h:\n header %v\n ours   %v", l.name, decl, ours)
		}
	}
}

// TestConstantsMatchHeaders checks the provider's constants against tapi.h and tspi.h.
func TestConstantsMatchHeaders(t *testing.T) {
	defs := map[string]uint64{}
	rx := regexp.MustCompile(`^#define\s+(\w+)\s+(?:__MSABI_LONG\()?\(?(?:\(__LONG32\)\s*)?(0x[0-9A-Fa-f]+|\d+)(?:\s*\+\s*(\d+))?`)
	for _, path := range []string{tapiH, tspiH} {
		sc := bufio.NewScanner(strings.NewReader(readHeader(t, path)))
		for sc.Scan() {
			if m := rx.FindStringSubmatch(strings.TrimSpace(sc.Text())); m != nil {
				v, err := strconv.ParseUint(m[2], 0, 64)
				if err != nil {
					continue
				}
				if m[3] != "" {
					add, _ := strconv.ParseUint(m[3], 10, 64)
					v += add
				}
				defs[m[1]] = v
			}
		}
	}
	defs["LINE_NEWCALL"] = defs["TSPI_MESSAGE_BASE"] // "((__LONG32) TSPI_MESSAGE_BASE + 0)"
	ours := map[string]uint32{
		"LINE_ADDRESSSTATE": LINE_ADDRESSSTATE, "LINE_CALLINFO": LINE_CALLINFO, "LINE_CALLSTATE": LINE_CALLSTATE,
		"LINE_GENERATE": LINE_GENERATE, "LINE_LINEDEVSTATE": LINE_LINEDEVSTATE, "LINE_NEWCALL": LINE_NEWCALL,
		"TAPI_CURRENT_VERSION":           0x00030001,
		"LINEMEDIAMODE_INTERACTIVEVOICE": LINEMEDIAMODE_INTERACTIVEVOICE, "LINEBEARERMODE_VOICE": LINEBEARERMODE_VOICE,
		"LINEADDRESSMODE_ADDRESSID": LINEADDRESSMODE_ADDRESSID, "STRINGFORMAT_UNICODE": STRINGFORMAT_UNICODE,
		"LINEDIGITMODE_DTMF": LINEDIGITMODE_DTMF, "LINEADDRESSSHARING_PRIVATE": LINEADDRESSSHARING_PRIVATE,
		"LINECALLPRIVILEGE_MONITOR": LINECALLPRIVILEGE_MONITOR, "LINECALLPRIVILEGE_OWNER": LINECALLPRIVILEGE_OWNER,
		"LINEDEVSTATUSFLAGS_CONNECTED": LINEDEVSTATUSFLAGS_CONNECTED, "LINEDEVSTATUSFLAGS_INSERVICE": LINEDEVSTATUSFLAGS_INSERVICE,
		"LINEGENERATETERM_DONE": LINEGENERATETERM_DONE, "LINEGENERATETERM_CANCEL": LINEGENERATETERM_CANCEL,
		"LINETRANSFERMODE_TRANSFER": LINETRANSFERMODE_TRANSFER, "LINETRANSFERMODE_CONFERENCE": LINETRANSFERMODE_CONFERENCE,
		"LINEFEATURE_FORWARD": LINEFEATURE_FORWARD, "LINEFEATURE_MAKECALL": LINEFEATURE_MAKECALL,
		"LINEADDRFEATURE_FORWARD": LINEADDRFEATURE_FORWARD, "LINEADDRFEATURE_MAKECALL": LINEADDRFEATURE_MAKECALL,
		"LINEADDRCAPFLAGS_DIALED": LINEADDRCAPFLAGS_DIALED, "LINEADDRCAPFLAGS_TRANSFERHELD": LINEADDRCAPFLAGS_TRANSFERHELD,
		"LINECALLFEATURE_ANSWER": LINECALLFEATURE_ANSWER, "LINECALLFEATURE_BLINDTRANSFER": LINECALLFEATURE_BLINDTRANSFER,
		"LINECALLFEATURE_COMPLETETRANSF": LINECALLFEATURE_COMPLETETRANSF, "LINECALLFEATURE_DIAL": LINECALLFEATURE_DIAL,
		"LINECALLFEATURE_DROP": LINECALLFEATURE_DROP, "LINECALLFEATURE_GENERATEDIGITS": LINECALLFEATURE_GENERATEDIGITS,
		"LINECALLFEATURE_HOLD": LINECALLFEATURE_HOLD, "LINECALLFEATURE_REDIRECT": LINECALLFEATURE_REDIRECT,
		"LINECALLFEATURE_SETUPTRANSFER": LINECALLFEATURE_SETUPTRANSFER, "LINECALLFEATURE_UNHOLD": LINECALLFEATURE_UNHOLD,
		"LINECALLFEATURE2_TRANSFERNORM": LINECALLFEATURE2_TRANSFERNORM, "LINECALLFEATURE2_TRANSFERCONF": LINECALLFEATURE2_TRANSFERCONF,
		"LINEREMOVEFROMCONF_NONE":     LINEREMOVEFROMCONF_NONE,
		"LINEADDRESSTYPE_PHONENUMBER": lineAddressTypePhoneNumber,
		"LINE_AGENTSTATUS":            LINE_AGENTSTATUS, "LINEAGENTSTATUS_GROUP": LINEAGENTSTATUS_GROUP,
		"LINEAGENTSTATUS_STATE": LINEAGENTSTATUS_STATE, "LINEAGENTSTATUS_NEXTSTATE": LINEAGENTSTATUS_NEXTSTATE,
		"LINEAGENTFEATURE_SETAGENTSTATE":  LINEAGENTFEATURE_SETAGENTSTATE,
		"LINEPROXYREQUEST_SETAGENTSTATE":  LINEPROXYREQUEST_SETAGENTSTATE,
		"LINEPROXYREQUEST_GETAGENTCAPS":   LINEPROXYREQUEST_GETAGENTCAPS,
		"LINEPROXYREQUEST_GETAGENTSTATUS": LINEPROXYREQUEST_GETAGENTSTATUS,
	}
	for _, st := range []tapi.AgentState{tapi.LINEAGENTSTATE_LOGGEDOFF, tapi.LINEAGENTSTATE_NOTREADY,
		tapi.LINEAGENTSTATE_READY, tapi.LINEAGENTSTATE_BUSYACD, tapi.LINEAGENTSTATE_BUSYINCOMING,
		tapi.LINEAGENTSTATE_BUSYOUTBOUND, tapi.LINEAGENTSTATE_BUSYOTHER, tapi.LINEAGENTSTATE_WORKINGAFTERCALL,
		tapi.LINEAGENTSTATE_UNKNOWN, tapi.LINEAGENTSTATE_UNAVAIL} {
		ours[st.String()] = uint32(st)
	}
	for name, v := range ours {
		hv, ok := defs[name]
		if !ok {
			t.Errorf("%s not found in the headers", name)
		} else if hv != uint64(v) {
			t.Errorf("%s = %#x, header says %#x", name, v, hv)
		}
	}
}

func TestVarWriter(t *testing.T) {
	// Too small for the fixed part of the version: LINEERR_STRUCTURETOOSMALL.
	small := newBuf(lineDevStatusLayout.fixedSize(TAPI_VERSION2_0) - 4)
	if _, err := newVarWriter(lineDevStatusLayout, small, TAPI_VERSION2_0); CodeOf(err) != tapi.LINEERR_STRUCTURETOOSMALL {
		t.Fatalf("short buffer: %v", err)
	}
	// dwTotalSize larger than the memory given: refused, not overrun.
	lying := newBuf(8)
	binary.LittleEndian.PutUint32(lying, 4096)
	if _, err := newVarWriter(lineDevStatusLayout, lying, TAPI_VERSION2_0); err == nil {
		t.Fatal("dwTotalSize beyond the buffer accepted")
	}
	// Room for the fixed part only: strings are counted in dwNeededSize but left out.
	fixed := lineCallInfoLayout.fixedSize(TAPI_VERSION2_0)
	buf := newBuf(fixed + 6)
	w, err := newVarWriter(lineCallInfoLayout, buf, TAPI_VERSION2_0)
	must(t, "newVarWriter", err)
	w.str("dwCallerID", "+4930123")
	w.finish()
	if need, used := dw(t, lineCallInfoLayout, buf, "dwNeededSize"), dw(t, lineCallInfoLayout, buf, "dwUsedSize"); need != uint32(fixed+18) || used != uint32(fixed) {
		t.Fatalf("needed %d used %d, want %d and %d", need, used, fixed+18, fixed)
	}
	if sz := dw(t, lineCallInfoLayout, buf, "dwCallerIDSize"); sz != 0 {
		t.Fatalf("caller ID placed although it does not fit (size %d)", sz)
	}
	// Version 2.0 must not write the 3.0 members behind its fixed part.
	if lineCallInfoLayout.fixedSize(TAPI_VERSION2_0)+5*4 != lineCallInfoLayout.fixedSize(TAPI_VERSION3_0) {
		t.Fatal("LINECALLINFO 3.0 adds five DWORDs to 2.0")
	}
}
