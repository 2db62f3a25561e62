//go:build windows && cgo

package main

/*
#include "tsp.h"
*/
import "C"

import (
	"unsafe"

	"github.com/ctibridge/ctibridge/tapi"
)

// TSPI_lineDevSpecific is how the agent proxy reaches the provider: lpParams is the
// LINEPROXYREQUEST the proxy received with LINE_PROXYREQUEST (lineSetAgentState,
// lineGetAgentStatus, lineGetAgentCaps of an application; tspcore's agents.go). TAPI copies
// lpParams back to the proxy when the request completes, with the LINEAGENTSTATUS or
// LINEAGENTCAPS filled in.
//
//export TSPI_lineDevSpecific
func TSPI_lineDevSpecific(dwRequestID C.DRV_REQUESTID, hd C.HDRVLINE, dwAddressID C.DWORD, hdc C.HDRVCALL, lpParams C.LPVOID, dwSize C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpParams == nil || dwSize == 0 {
		return errPointer
	}
	if hdc != nil {
		return lerr(tapi.LINEERR_OPERATIONUNAVAIL) // no call-specific extensions
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(lpParams)), int(dwSize))
	return async(dwRequestID, p.ProxyRequest(uint32(dwRequestID), hdLine(hd), buf))
}
