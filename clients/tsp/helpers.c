//go:build windows && cgo

// C helpers for what Go cannot do directly: call TAPI's callbacks, turn integers into
// opaque handles, pin the DLL.
#include "tsp.h"

void tsp_event(LINEEVENT f, HTAPILINE l, HTAPICALL c, DWORD msg, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3) {
	f(l, c, msg, p1, p2, p3);
}

// tsp_newcall sends LINE_NEWCALL; TAPI writes its htCall through dwParam2 before returning.
HTAPICALL tsp_newcall(LINEEVENT f, HTAPILINE l, HDRVCALL hd) {
	HTAPICALL ht = NULL;
	f(l, NULL, LINE_NEWCALL, (DWORD_PTR)hd, (DWORD_PTR)&ht, 0);
	return ht;
}

void tsp_complete(ASYNC_COMPLETION f, DRV_REQUESTID id, LONG result) { f(id, result); }

HDRVLINE tsp_hdline(UINT_PTR v) { return (HDRVLINE)v; }
HDRVCALL tsp_hdcall(UINT_PTR v) { return (HDRVCALL)v; }
HTAPILINE tsp_htline(UINT_PTR v) { return (HTAPILINE)v; }
HTAPICALL tsp_htcall(UINT_PTR v) { return (HTAPICALL)v; }

// tsp_pin keeps the DLL loaded for the life of the process: the Telephony service may
// unload a provider while a callback thread of the Go runtime still runs in it.
int tsp_pin(void) {
	HMODULE h;
	return GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
		(LPCWSTR)(void *)&tsp_pin, &h) ? 0 : (int)GetLastError();
}

// tsp_module returns the DLL's own module handle.
HMODULE tsp_module(void) {
	HMODULE h = NULL;
	GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT,
		(LPCWSTR)(void *)&tsp_module, &h);
	return h;
}
