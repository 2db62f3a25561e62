//go:build windows && cgo

package main

/*
#include "tsp.h"
*/
import "C"

import (
	"context"
	"unsafe"

	tspcore "github.com/ctibridge/ctibridge/clients/tsp/core"
	"github.com/ctibridge/ctibridge/tapi"
)

//export TSPI_lineNegotiateTSPIVersion
func TSPI_lineNegotiateTSPIVersion(dwDeviceID, dwLowVersion, dwHighVersion C.DWORD, lpdwTSPIVersion C.LPDWORD) C.LONG {
	if lpdwTSPIVersion == nil {
		return lerr(tapi.LINEERR_INVALPOINTER)
	}
	p := current()
	var v uint32
	var err error
	if p == nil {
		// Before TSPI_providerInit TAPI negotiates the provider-wide version only.
		v, err = (&tspcore.Provider{}).NegotiateTSPIVersion(tspcore.INITIALIZE_NEGOTIATION, uint32(dwLowVersion), uint32(dwHighVersion))
	} else {
		v, err = p.NegotiateTSPIVersion(uint32(dwDeviceID), uint32(dwLowVersion), uint32(dwHighVersion))
	}
	if err != nil {
		return result(err)
	}
	*lpdwTSPIVersion = C.DWORD(v)
	return 0
}

//export TSPI_providerEnumDevices
func TSPI_providerEnumDevices(dwPermanentProviderID C.DWORD, lpdwNumLines, lpdwNumPhones C.LPDWORD, hProvider C.HPROVIDER, lpfnLineCreateProc C.LINEEVENT, lpfnPhoneCreateProc C.PHONEEVENT) C.LONG {
	if lpdwNumLines == nil || lpdwNumPhones == nil {
		return lerr(tapi.LINEERR_INVALPOINTER)
	}
	provMu.Lock()
	defer provMu.Unlock()
	if prov == nil {
		cfg, err := loadConfig(uint32(dwPermanentProviderID))
		if err != nil {
			logEvent("ctibridge TSP configuration: " + err.Error())
			return lerr(tapi.LINEERR_NODRIVER)
		}
		if prov, err = tspcore.New(cfg); err != nil {
			logEvent("ctibridge TSP configuration: " + err.Error())
			return lerr(tapi.LINEERR_NODRIVER)
		}
		prov.Ticks = func() uint32 { return uint32(C.GetTickCount()) }
	}
	n, err := prov.EnumDevices(context.Background())
	if err != nil {
		logEvent("ctibridge TSP: " + err.Error())
		return result(err)
	}
	*lpdwNumLines, *lpdwNumPhones = C.DWORD(n), 0
	return 0
}

//export TSPI_providerInit
func TSPI_providerInit(dwTSPIVersion, dwPermanentProviderID, dwLineDeviceIDBase, dwPhoneDeviceIDBase C.DWORD, dwNumLines, dwNumPhones C.DWORD_PTR, lpfnCompletionProc C.ASYNC_COMPLETION, lpdwTSPIOptions C.LPDWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpdwTSPIOptions != nil {
		*lpdwTSPIOptions = 0 // calls are reentrant-safe: no LINETSPIOPTION_NONREENTRANT
	}
	done := func(id uint32, r int32) { C.tsp_complete(lpfnCompletionProc, C.DRV_REQUESTID(id), C.LONG(r)) }
	return result(p.Init(context.Background(), uint32(dwPermanentProviderID), uint32(dwLineDeviceIDBase), done))
}

//export TSPI_providerShutdown
func TSPI_providerShutdown(dwTSPIVersion, dwPermanentProviderID C.DWORD) C.LONG {
	provMu.Lock()
	p := prov
	prov = nil
	provMu.Unlock()
	if p == nil {
		return 0
	}
	return result(p.Shutdown())
}

// TAPI 2.x installs, removes and configures through the TUISPI_ functions below; these
// TSPI_ forms remain for lineAddProvider callers of older versions and do nothing further.

//export TSPI_providerInstall
func TSPI_providerInstall(hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG { return 0 }

//export TSPI_providerRemove
func TSPI_providerRemove(hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG { return 0 }

//export TSPI_providerConfig
func TSPI_providerConfig(hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG { return 0 }

//export TSPI_providerUIIdentify
func TSPI_providerUIIdentify(lpszUIDLLName C.LPWSTR) C.LONG {
	if lpszUIDLLName == nil {
		return lerr(tapi.LINEERR_INVALPOINTER)
	}
	// The TUISPI_ functions live in this DLL.
	n := C.GetModuleFileNameW(C.tsp_module(), lpszUIDLLName, C.MAX_PATH)
	if n == 0 || n >= C.MAX_PATH {
		return lerr(tapi.LINEERR_OPERATIONFAILED)
	}
	return 0
}

// lineEvents adapts a LINEEVENT callback for the core.
func lineEvents(f C.LINEEVENT) tspcore.LineEvents {
	return tspcore.LineEvents{
		Event: func(l tspcore.HTAPILINE, c tspcore.HTAPICALL, msg uint32, p1, p2, p3 uintptr) {
			C.tsp_event(f, C.tsp_htline(C.UINT_PTR(l)), C.tsp_htcall(C.UINT_PTR(c)), C.DWORD(msg),
				C.DWORD_PTR(p1), C.DWORD_PTR(p2), C.DWORD_PTR(p3))
		},
		NewCall: func(l tspcore.HTAPILINE, hd tspcore.HDRVCALL) tspcore.HTAPICALL {
			ht := C.tsp_newcall(f, C.tsp_htline(C.UINT_PTR(l)), C.tsp_hdcall(C.UINT_PTR(hd)))
			return tspcore.HTAPICALL(uintptr(unsafe.Pointer(ht)))
		},
	}
}
