// tsphost plays the Windows Telephony service (tapisrv) towards a TAPI service provider DLL:
// it loads the DLL, calls its TSPI_ functions in the order tapisrv does, and prints every
// callback (LINEEVENT, ASYNC_COMPLETION, the line-create callback) and every OutputDebugString
// of the provider as one line of text on stdout. Commands come on stdin, one per line, so a
// test (or a person at a console on real Windows) drives it step by step; see
// clients/tsp/README.md ("Running the DLL as Windows does") for the commands and the output.
//
// Build: x86_64-w64-mingw32-gcc -O2 -municode -o tsphost.exe tsphost.c
#include <windows.h>
#include <tlhelp32.h>
#include <tapi.h>
#include <tspi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>

#define MAXCALLS 256
#define MAXLINES 64
#define BUFSIZE 16384

// Output lines come from the main thread and from the provider's threads: one lock for all.
static CRITICAL_SECTION outLock;
static volatile LONG shutDown; // set after TSPI_providerShutdown: later callbacks are bugs

static void out(const char *fmt, ...) {
	va_list ap;
	EnterCriticalSection(&outLock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	LeaveCriticalSection(&outLock);
}

// The TSPI entry points the harness calls, typed from tspi.h's prototypes.
#define TSPI(name) static __typeof__(&TSPI_##name) p_##name;
TSPI(lineNegotiateTSPIVersion) TSPI(providerEnumDevices) TSPI(providerInit) TSPI(providerShutdown)
TSPI(lineOpen) TSPI(lineClose) TSPI(lineGetDevCaps) TSPI(lineGetAddressCaps) TSPI(lineGetLineDevStatus)
TSPI(lineMakeCall) TSPI(lineAnswer) TSPI(lineDrop) TSPI(lineHold) TSPI(lineUnhold) TSPI(lineBlindTransfer)
TSPI(lineSetupTransfer) TSPI(lineDial) TSPI(lineCompleteTransfer) TSPI(lineGetCallInfo)
TSPI(lineGetCallStatus) TSPI(lineCloseCall) TSPI(lineDevSpecific)
static HMODULE dll;

// Calls the harness (as TAPI) knows: its htCall and the provider's hdCall.
static struct { UINT_PTR ht; HDRVCALL hd; } calls[MAXCALLS];
static int ncalls;
static UINT_PTR nextHt = 0x101;
static struct { DWORD dev; HDRVLINE hd; } lines[MAXLINES];
static int nlines;
static DWORD nextReq = 1;

static void remember(UINT_PTR ht, HDRVCALL hd) {
	EnterCriticalSection(&outLock);
	if (ncalls < MAXCALLS) {
		calls[ncalls].ht = ht;
		calls[ncalls].hd = hd;
		ncalls++;
	}
	LeaveCriticalSection(&outLock);
}

static HDRVCALL hdOf(UINT_PTR ht) {
	HDRVCALL hd = NULL;
	EnterCriticalSection(&outLock);
	for (int i = 0; i < ncalls; i++)
		if (calls[i].ht == ht) hd = calls[i].hd;
	LeaveCriticalSection(&outLock);
	return hd;
}

static HDRVLINE lineOf(DWORD dev) {
	for (int i = 0; i < nlines; i++)
		if (lines[i].dev == dev) return lines[i].hd;
	return NULL;
}

static const char *msgName(DWORD m) {
	switch (m) {
	case LINE_ADDRESSSTATE: return "LINE_ADDRESSSTATE";
	case LINE_CALLINFO: return "LINE_CALLINFO";
	case LINE_CALLSTATE: return "LINE_CALLSTATE";
	case LINE_CLOSE: return "LINE_CLOSE";
	case LINE_GENERATE: return "LINE_GENERATE";
	case LINE_LINEDEVSTATE: return "LINE_LINEDEVSTATE";
	case LINE_REPLY: return "LINE_REPLY";
	case LINE_CREATE: return "LINE_CREATE";
	case LINE_REMOVE: return "LINE_REMOVE";
	case LINE_NEWCALL: return "LINE_NEWCALL";
	case LINE_AGENTSTATUS: return "LINE_AGENTSTATUS";
	}
	return "LINE_?";
}

static const char *stateName(DWORD s) {
	static const char *names[] = {"IDLE", "OFFERING", "ACCEPTED", "DIALTONE", "DIALING", "RINGBACK",
		"BUSY", "SPECIALINFO", "CONNECTED", "PROCEEDING", "ONHOLD", "CONFERENCED", "ONHOLDPENDCONF",
		"ONHOLDPENDTRANSFER", "DISCONNECTED", "UNKNOWN"};
	for (int i = 0; i < 16; i++)
		if (s == (1u << i)) return names[i];
	return "?";
}

static const char *devStateName(DWORD s) {
	switch (s) {
	case LINEDEVSTATE_INSERVICE: return "INSERVICE";
	case LINEDEVSTATE_OUTOFSERVICE: return "OUTOFSERVICE";
	case LINEDEVSTATE_RINGING: return "RINGING";
	case LINEDEVSTATE_NUMCALLS: return "NUMCALLS";
	case LINEDEVSTATE_REINIT: return "REINIT";
	case LINEDEVSTATE_CAPSCHANGE: return "CAPSCHANGE";
	case LINEDEVSTATE_REMOVED: return "REMOVED";
	case LINEDEVSTATE_OTHER: return "OTHER";
	}
	return "?";
}

static const char *late(void) { return shutDown ? "LATE " : ""; }

// lineEvent is the LINEEVENT callback TSPI_lineOpen receives.
static void CALLBACK lineEvent(HTAPILINE htLine, HTAPICALL htCall, DWORD msg, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3) {
	switch (msg) {
	case LINE_NEWCALL: {
		// tapisrv answers with its own handle for the call, written through dwParam2.
		EnterCriticalSection(&outLock);
		UINT_PTR ht = nextHt++;
		LeaveCriticalSection(&outLock);
		remember(ht, (HDRVCALL)p1);
		*(HTAPICALL *)p2 = (HTAPICALL)ht;
		out("%sEV LINE_NEWCALL line=%#llx ht=%#llx hd=%#llx", late(), (ULONGLONG)(UINT_PTR)htLine,
			(ULONGLONG)ht, (ULONGLONG)p1);
		return;
	}
	case LINE_CALLSTATE:
		out("%sEV LINE_CALLSTATE ht=%#llx %s p2=%#llx p3=%#llx", late(), (ULONGLONG)(UINT_PTR)htCall,
			stateName((DWORD)p1), (ULONGLONG)p2, (ULONGLONG)p3);
		return;
	case LINE_LINEDEVSTATE:
		out("%sEV LINE_LINEDEVSTATE line=%#llx %s p2=%#llx p3=%#llx", late(), (ULONGLONG)(UINT_PTR)htLine,
			devStateName((DWORD)p1), (ULONGLONG)p2, (ULONGLONG)p3);
		return;
	}
	out("%sEV %s line=%#llx ht=%#llx p1=%#llx p2=%#llx p3=%#llx", late(), msgName(msg), (ULONGLONG)(UINT_PTR)htLine,
		(ULONGLONG)(UINT_PTR)htCall, (ULONGLONG)p1, (ULONGLONG)p2, (ULONGLONG)p3);
}

// lineCreate is the callback TSPI_providerEnumDevices receives for LINE_CREATE.
static void CALLBACK lineCreate(HTAPILINE htLine, HTAPICALL htCall, DWORD msg, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3) {
	out("%sEV %s (create callback) p1=%#llx p2=%#llx p3=%#llx", late(), msgName(msg), (ULONGLONG)p1, (ULONGLONG)p2, (ULONGLONG)p3);
}

static void CALLBACK phoneCreate(HTAPIPHONE htPhone, DWORD msg, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3) {
	out("%sEV PHONE msg=%lu p1=%#llx", late(), (unsigned long)msg, (ULONGLONG)p1);
}

static void CALLBACK completion(DRV_REQUESTID id, LONG result) {
	if (result == 0)
		out("%sCOMPLETE %lu OK", late(), (unsigned long)id);
	else
		out("%sCOMPLETE %lu ERR %#lx", late(), (unsigned long)id, (unsigned long)result);
}

// debugString shows the provider's OutputDebugString text, which an administrator reads
// with DebugView on Windows: the harness acts as that debugger.
static LONG CALLBACK debugString(EXCEPTION_POINTERS *e) {
	EXCEPTION_RECORD *r = e->ExceptionRecord;
	if (r->ExceptionCode == 0x4001000A /* DBG_PRINTEXCEPTION_WIDE_C */ && r->NumberParameters >= 2) {
		char buf[4096];
		int n = WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)r->ExceptionInformation[1], -1, buf, sizeof buf, NULL, NULL);
		buf[n > 0 ? n - 1 : 0] = 0;
		buf[strcspn(buf, "\r\n")] = 0;
		out("DEBUGSTR %s", buf);
		return EXCEPTION_CONTINUE_EXECUTION;
	}
	if (r->ExceptionCode == DBG_PRINTEXCEPTION_C && r->NumberParameters >= 2) {
		char buf[4096];
		snprintf(buf, sizeof buf, "%s", (const char *)r->ExceptionInformation[1]);
		buf[strcspn(buf, "\r\n")] = 0;
		out("DEBUGSTR %s", buf);
		return EXCEPTION_CONTINUE_EXECUTION;
	}
	return EXCEPTION_CONTINUE_SEARCH;
}

static void utf8(const BYTE *base, DWORD total, DWORD size, DWORD off, char *dst, int dstLen) {
	dst[0] = 0;
	if (size < 2 || off + size > total) return;
	int n = WideCharToMultiByte(CP_UTF8, 0, (LPCWSTR)(base + off), size / 2, dst, dstLen - 1, NULL, NULL);
	dst[n] = 0;
	dst[strlen(dst)] = 0; // the wide string's NUL, if counted, ends it
}

static void *tapiStruct(void) {
	DWORD *b = calloc(1, BUFSIZE);
	b[0] = BUFSIZE;
	return b;
}

static int threadCount(void) {
	HANDLE s = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
	THREADENTRY32 te = {.dwSize = sizeof te};
	int n = 0;
	if (s == INVALID_HANDLE_VALUE) return -1;
	for (BOOL ok = Thread32First(s, &te); ok; ok = Thread32Next(s, &te))
		if (te.th32OwnerProcessID == GetCurrentProcessId()) n++;
	CloseHandle(s);
	return n;
}

static FARPROC sym(const char *name) {
	FARPROC f = GetProcAddress(dll, name);
	if (!f) out("MISSING %s", name);
	return f;
}

#define LOAD(name) p_##name = (__typeof__(p_##name))sym("TSPI_" #name);

static WCHAR *wide(const char *s) {
	static WCHAR w[1024];
	MultiByteToWideChar(CP_UTF8, 0, s, -1, w, 1024);
	return w;
}

static void ret(const char *cmd, LONG rc, const char *extra) {
	out("RET %s rc=%#lx%s%s", cmd, (unsigned long)rc, extra[0] ? " " : "", extra);
}

// asyncRet reports an asynchronous request: rc is the request ID or a LINEERR_*.
static void asyncRet(const char *cmd, DWORD req, LONG rc, const char *extra) {
	char b[512];
	snprintf(b, sizeof b, "req=%lu%s%s", (unsigned long)req, extra[0] ? " " : "", extra);
	ret(cmd, rc, b);
}

// agentProxy plays the agent proxy of a TAPI 2.x call centre: it passes an application's
// lineGetAgentCaps, lineGetAgentStatus or lineSetAgentState on to the provider as the
// LINEPROXYREQUEST it got with LINE_PROXYREQUEST, through TSPI_lineDevSpecific.
//   agentcaps deviceID | agentstatus deviceID | setagentstate deviceID state nextState
static void agentProxy(const char *cmd, DWORD dev, DWORD state, DWORD next) {
	LINEPROXYREQUEST *r = tapiStruct(); // dwSize is the buffer's size
	DWORD req = nextReq++;
	char extra[1024] = "";
	r->dwClientAppAPIVersion = 0x00020002;
	r->GetAgentCaps.dwAddressID = 0; // every arm starts with dwAddressID
	size_t payload = offsetof(LINEPROXYREQUEST, GetAgentCaps.AgentCaps);
	if (!strcmp(cmd, "agentcaps")) {
		r->dwRequestType = LINEPROXYREQUEST_GETAGENTCAPS;
		r->GetAgentCaps.AgentCaps.dwTotalSize = BUFSIZE - payload;
	} else if (!strcmp(cmd, "agentstatus")) {
		r->dwRequestType = LINEPROXYREQUEST_GETAGENTSTATUS;
		r->GetAgentStatus.AgentStatus.dwTotalSize = BUFSIZE - offsetof(LINEPROXYREQUEST, GetAgentStatus.AgentStatus);
	} else {
		r->dwRequestType = LINEPROXYREQUEST_SETAGENTSTATE;
		r->SetAgentState.dwAgentState = state;
		r->SetAgentState.dwNextAgentState = next;
	}
	LONG rc = p_lineDevSpecific(req, lineOf(dev), 0, NULL, r, BUFSIZE);
	// The GET requests are answered before the function returns.
	if (r->dwRequestType == LINEPROXYREQUEST_GETAGENTCAPS) {
		LINEAGENTCAPS *c = &r->GetAgentCaps.AgentCaps;
		char info[256];
		utf8((BYTE *)c, c->dwTotalSize, c->dwAgentHandlerInfoSize, c->dwAgentHandlerInfoOffset, info, sizeof info);
		snprintf(extra, sizeof extra, "payload=%u features=%#lx states=%#lx nextStates=%#lx messages=%#lx handler=\"%s\"",
			(unsigned)payload, (unsigned long)c->dwFeatures, (unsigned long)c->dwStates, (unsigned long)c->dwNextStates,
			(unsigned long)c->dwAgentStatusMessages, info);
	} else if (r->dwRequestType == LINEPROXYREQUEST_GETAGENTSTATUS) {
		LINEAGENTSTATUS *s = &r->GetAgentStatus.AgentStatus;
		char group[256] = "";
		if (s->dwNumEntries > 0 && s->dwGroupListOffset + sizeof(LINEAGENTGROUPENTRY) <= s->dwTotalSize) {
			LINEAGENTGROUPENTRY *g = (LINEAGENTGROUPENTRY *)((BYTE *)s + s->dwGroupListOffset);
			utf8((BYTE *)s, s->dwTotalSize, g->dwNameSize, g->dwNameOffset, group, sizeof group);
			snprintf(extra, sizeof extra, "groupID=%lu ", (unsigned long)g->GroupID.dwGroupID1);
		}
		snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "state=%#lx next=%#lx groups=%lu group=\"%s\"",
			(unsigned long)s->dwState, (unsigned long)s->dwNextState, (unsigned long)s->dwNumEntries, group);
	}
	asyncRet(cmd, req, rc, extra);
	free(r);
}

static void command(char *line) {
	char cmd[64] = "", a1[512] = "", a2[512] = "", a3[512] = "";
	char extra[2048] = "";
	sscanf(line, "%63s %511s %511s %511s", cmd, a1, a2, a3);
	UINT_PTR n1 = strtoull(a1, NULL, 0), n2 = strtoull(a2, NULL, 0), n3 = strtoull(a3, NULL, 0);
	if (!strcmp(cmd, "load")) {
		dll = LoadLibraryW(wide(a1));
		if (!dll) { ret(cmd, (LONG)GetLastError(), "error=LoadLibrary"); return; }
		LOAD(lineNegotiateTSPIVersion) LOAD(providerEnumDevices) LOAD(providerInit) LOAD(providerShutdown)
		LOAD(lineOpen) LOAD(lineClose) LOAD(lineGetDevCaps) LOAD(lineGetAddressCaps) LOAD(lineGetLineDevStatus)
		LOAD(lineMakeCall) LOAD(lineAnswer) LOAD(lineDrop) LOAD(lineHold) LOAD(lineUnhold) LOAD(lineBlindTransfer)
		LOAD(lineSetupTransfer) LOAD(lineDial) LOAD(lineCompleteTransfer) LOAD(lineGetCallInfo)
		LOAD(lineGetCallStatus) LOAD(lineCloseCall) LOAD(lineDevSpecific)
		snprintf(extra, sizeof extra, "threads=%d", threadCount());
		ret(cmd, 0, extra);
	} else if (!dll && strcmp(cmd, "threads") && strcmp(cmd, "quit")) {
		out("BADCMD %s: load the DLL first", cmd);
	} else if (!strcmp(cmd, "negotiate")) { // negotiate [deviceID]; none: INITIALIZE_NEGOTIATION
		DWORD v = 0, dev = a1[0] ? (DWORD)n1 : 0xFFFFFFFF;
		LONG rc = p_lineNegotiateTSPIVersion(dev, 0x00010004, 0x00030001, &v);
		snprintf(extra, sizeof extra, "version=%#lx", (unsigned long)v);
		ret(cmd, rc, extra);
	} else if (!strcmp(cmd, "enum")) { // enum permanentProviderID
		DWORD nl = 0, np = 0;
		LONG rc = p_providerEnumDevices((DWORD)n1, &nl, &np, (HPROVIDER)1, lineCreate, phoneCreate);
		snprintf(extra, sizeof extra, "lines=%lu phones=%lu", (unsigned long)nl, (unsigned long)np);
		ret(cmd, rc, extra);
	} else if (!strcmp(cmd, "init")) { // init permanentProviderID lineDeviceIDBase numLines
		DWORD opts = 0xFFFFFFFF;
		LONG rc = p_providerInit(0x00030000, (DWORD)n1, (DWORD)n2, 0, n3, 0, completion, &opts);
		snprintf(extra, sizeof extra, "options=%#lx", (unsigned long)opts);
		ret(cmd, rc, extra);
	} else if (!strcmp(cmd, "open")) { // open deviceID htLine
		HDRVLINE hd = NULL;
		LONG rc = p_lineOpen((DWORD)n1, (HTAPILINE)n2, &hd, 0x00030000, lineEvent);
		if (rc == 0 && nlines < MAXLINES) { lines[nlines].dev = (DWORD)n1; lines[nlines].hd = hd; nlines++; }
		snprintf(extra, sizeof extra, "hd=%#llx", (ULONGLONG)(UINT_PTR)hd);
		ret(cmd, rc, extra);
	} else if (!strcmp(cmd, "close")) { // close deviceID
		ret(cmd, p_lineClose(lineOf((DWORD)n1)), "");
	} else if (!strcmp(cmd, "devcaps")) { // devcaps deviceID
		LINEDEVCAPS *c = tapiStruct();
		LONG rc = p_lineGetDevCaps((DWORD)n1, 0x00030000, 0, c);
		char name[512], prov[512];
		utf8((BYTE *)c, c->dwTotalSize, c->dwLineNameSize, c->dwLineNameOffset, name, sizeof name);
		utf8((BYTE *)c, c->dwTotalSize, c->dwProviderInfoSize, c->dwProviderInfoOffset, prov, sizeof prov);
		snprintf(extra, sizeof extra, "permanentLineID=%lu numAddresses=%lu maxActiveCalls=%lu lineFeatures=%#lx "
			"stringFormat=%lu needed=%lu used=%lu name=\"%s\" provider=\"%s\"",
			(unsigned long)c->dwPermanentLineID, (unsigned long)c->dwNumAddresses, (unsigned long)c->dwMaxNumActiveCalls,
			(unsigned long)c->dwLineFeatures, (unsigned long)c->dwStringFormat, (unsigned long)c->dwNeededSize,
			(unsigned long)c->dwUsedSize, name, prov);
		ret(cmd, rc, extra);
		free(c);
	} else if (!strcmp(cmd, "addrcaps")) { // addrcaps deviceID
		LINEADDRESSCAPS *c = tapiStruct();
		LONG rc = p_lineGetAddressCaps((DWORD)n1, 0, 0x00030000, 0, c);
		char addr[512];
		utf8((BYTE *)c, c->dwTotalSize, c->dwAddressSize, c->dwAddressOffset, addr, sizeof addr);
		snprintf(extra, sizeof extra, "address=\"%s\" callFeatures=%#lx transferModes=%#lx maxActiveCalls=%lu "
			"needed=%lu used=%lu", addr, (unsigned long)c->dwCallFeatures, (unsigned long)c->dwTransferModes,
			(unsigned long)c->dwMaxNumActiveCalls, (unsigned long)c->dwNeededSize, (unsigned long)c->dwUsedSize);
		ret(cmd, rc, extra);
		free(c);
	} else if (!strcmp(cmd, "linestatus")) { // linestatus deviceID
		LINEDEVSTATUS *s = tapiStruct();
		LONG rc = p_lineGetLineDevStatus(lineOf((DWORD)n1), s);
		snprintf(extra, sizeof extra, "flags=%#lx activeCalls=%lu", (unsigned long)s->dwDevStatusFlags,
			(unsigned long)s->dwNumActiveCalls);
		ret(cmd, rc, extra);
		free(s);
	} else if (!strcmp(cmd, "makecall")) { // makecall deviceID htCall destination
		HDRVCALL hd = NULL;
		DWORD req = nextReq++;
		LONG rc = p_lineMakeCall(req, lineOf((DWORD)n1), (HTAPICALL)n2, &hd, wide(a3), 0, NULL);
		if (rc > 0) remember(n2, hd);
		snprintf(extra, sizeof extra, "hd=%#llx", (ULONGLONG)(UINT_PTR)hd);
		asyncRet(cmd, req, rc, extra);
	} else if (!strcmp(cmd, "answer") || !strcmp(cmd, "drop") || !strcmp(cmd, "hold") || !strcmp(cmd, "unhold")) {
		DWORD req = nextReq++; // answer|drop|hold|unhold htCall
		HDRVCALL hd = hdOf(n1);
		LONG rc = !strcmp(cmd, "answer") ? p_lineAnswer(req, hd, NULL, 0)
			: !strcmp(cmd, "drop")   ? p_lineDrop(req, hd, NULL, 0)
			: !strcmp(cmd, "hold")   ? p_lineHold(req, hd)
						 : p_lineUnhold(req, hd);
		asyncRet(cmd, req, rc, "");
	} else if (!strcmp(cmd, "blindtransfer") || !strcmp(cmd, "dial")) { // blindtransfer|dial htCall destination
		DWORD req = nextReq++;
		HDRVCALL hd = hdOf(n1);
		LONG rc = !strcmp(cmd, "dial") ? p_lineDial(req, hd, wide(a2), 0) : p_lineBlindTransfer(req, hd, wide(a2), 0);
		asyncRet(cmd, req, rc, "");
	} else if (!strcmp(cmd, "setuptransfer")) { // setuptransfer htCall htConsultCall
		DWORD req = nextReq++;
		HDRVCALL hd = NULL;
		LONG rc = p_lineSetupTransfer(req, hdOf(n1), (HTAPICALL)n2, &hd, NULL);
		if (rc > 0) remember(n2, hd);
		snprintf(extra, sizeof extra, "hd=%#llx", (ULONGLONG)(UINT_PTR)hd);
		asyncRet(cmd, req, rc, extra);
	} else if (!strcmp(cmd, "completetransfer")) { // completetransfer htCall htConsultCall mode [htConfCall]
		DWORD req = nextReq++;
		HDRVCALL hd = NULL;
		UINT_PTR conf = 0;
		char a4[64] = "";
		sscanf(line, "%*s %*s %*s %*s %63s", a4);
		conf = strtoull(a4, NULL, 0);
		LONG rc = p_lineCompleteTransfer(req, hdOf(n1), hdOf(n2), (HTAPICALL)conf, conf ? &hd : NULL, (DWORD)n3);
		if (rc > 0 && conf) remember(conf, hd);
		asyncRet(cmd, req, rc, "");
	} else if (!strcmp(cmd, "callinfo")) { // callinfo htCall
		LINECALLINFO *c = tapiStruct();
		LONG rc = p_lineGetCallInfo(hdOf(n1), c);
		char caller[256], callerName[256], called[256], connected[256];
		BYTE *b = (BYTE *)c;
		utf8(b, c->dwTotalSize, c->dwCallerIDSize, c->dwCallerIDOffset, caller, sizeof caller);
		utf8(b, c->dwTotalSize, c->dwCallerIDNameSize, c->dwCallerIDNameOffset, callerName, sizeof callerName);
		utf8(b, c->dwTotalSize, c->dwCalledIDSize, c->dwCalledIDOffset, called, sizeof called);
		utf8(b, c->dwTotalSize, c->dwConnectedIDSize, c->dwConnectedIDOffset, connected, sizeof connected);
		snprintf(extra, sizeof extra, "callID=%lu relatedCallID=%lu origin=%#lx reason=%#lx caller=\"%s\" "
			"callerName=\"%s\" called=\"%s\" connected=\"%s\"", (unsigned long)c->dwCallID,
			(unsigned long)c->dwRelatedCallID, (unsigned long)c->dwOrigin, (unsigned long)c->dwReason, caller,
			callerName, called, connected);
		ret(cmd, rc, extra);
		free(c);
	} else if (!strcmp(cmd, "callstatus")) { // callstatus htCall
		LINECALLSTATUS *s = tapiStruct();
		LONG rc = p_lineGetCallStatus(hdOf(n1), s);
		snprintf(extra, sizeof extra, "state=%s mode=%#lx features=%#lx", stateName(s->dwCallState),
			(unsigned long)s->dwCallStateMode, (unsigned long)s->dwCallFeatures);
		ret(cmd, rc, extra);
		free(s);
	} else if (!strcmp(cmd, "agentcaps") || !strcmp(cmd, "agentstatus") || !strcmp(cmd, "setagentstate")) {
		agentProxy(cmd, (DWORD)n1, (DWORD)n2, (DWORD)n3);
	} else if (!strcmp(cmd, "closecall")) { // closecall htCall
		p_lineCloseCall(hdOf(n1));
		ret(cmd, 0, "");
	} else if (!strcmp(cmd, "shutdown")) { // shutdown permanentProviderID
		LONG rc = p_providerShutdown(0x00030000, (DWORD)n1);
		InterlockedExchange(&shutDown, 1);
		snprintf(extra, sizeof extra, "threads=%d", threadCount());
		ret(cmd, rc, extra);
	} else if (!strcmp(cmd, "free")) {
		BOOL ok = FreeLibrary(dll);
		dll = NULL;
		snprintf(extra, sizeof extra, "freed=%d threads=%d", ok, threadCount());
		ret(cmd, ok ? 0 : (LONG)GetLastError(), extra);
	} else if (!strcmp(cmd, "configure")) { // configure OPTIONS: as rundll32 ctibridge.tsp,ConfigureW OPTIONS
		typedef void(WINAPI * configureFn)(HWND, HINSTANCE, LPWSTR, int);
		configureFn f = (configureFn)GetProcAddress(dll, "ConfigureW");
		const char *opts = line + strlen(cmd);
		opts += strspn(opts, " ");
		if (f) f(NULL, GetModuleHandleW(NULL), wide(opts), SW_HIDE);
		ret(cmd, f ? 0 : ERROR_PROC_NOT_FOUND, "");
	} else if (!strcmp(cmd, "threads")) {
		snprintf(extra, sizeof extra, "threads=%d", threadCount());
		ret(cmd, 0, extra);
	} else {
		out("BADCMD %s", cmd);
	}
}

int wmain(void) {
	InitializeCriticalSection(&outLock);
	AddVectoredExceptionHandler(1, debugString);
	SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
	char line[2048];
	out("READY threads=%d", threadCount());
	while (fgets(line, sizeof line, stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!line[0] || line[0] == '#') continue;
		if (!strcmp(line, "quit")) break;
		command(line);
	}
	out("BYE");
	return 0;
}
