//go:build windows && cgo

// Command tsp is the ctibridge Telephony Service Provider: a Windows DLL (ctibridge.tsp) that
// exports the TSPI and TUISPI entry points of tspi.h and hands every call to package tspcore.
// Build with `make tsp`; install as README.md describes.
package main

/*
#include "tsp.h"
*/
import "C"

import (
	"sync"
	"unicode/utf16"
	"unsafe"

	tspcore "github.com/ctibridge/ctibridge/clients/tsp/core"
	"github.com/ctibridge/ctibridge/tapi"
)

func main() {}

func init() {
	// Pinning cannot fail in a loaded DLL; if it did, the provider still works until unload.
	C.tsp_pin()
}

// The provider TAPI loaded. TAPI calls TSPI_providerEnumDevices, then TSPI_providerInit,
// and TSPI_providerShutdown last; one provider per process.
var (
	provMu sync.Mutex
	prov   *tspcore.Provider
)

func current() *tspcore.Provider {
	provMu.Lock()
	defer provMu.Unlock()
	return prov
}

// errUninit is what a TSPI function returns when no provider is loaded.
var errUninit = lerr(tapi.LINEERR_UNINITIALIZED)

func result(err error) C.LONG { return C.LONG(tspcore.Result(err)) }

// async is what an asynchronous TSPI function returns: the request ID when the request is
// under way, or the LINEERR_* code.
func async(id C.DRV_REQUESTID, err error) C.LONG {
	if err != nil {
		return result(err)
	}
	return C.LONG(int32(id))
}

// goString reads a NUL-terminated UTF-16 string (at most 32767 characters).
func goString(p C.LPCWSTR) string {
	if p == nil {
		return ""
	}
	s := unsafe.Slice((*uint16)(unsafe.Pointer(p)), 32768)
	for i, c := range s {
		if c == 0 {
			return string(utf16.Decode(s[:i]))
		}
	}
	return string(utf16.Decode(s))
}

// structBuf is a caller's TAPI structure as bytes, dwTotalSize long.
func structBuf(p unsafe.Pointer) []byte {
	if p == nil {
		return nil
	}
	total := *(*uint32)(p)
	return unsafe.Slice((*byte)(p), total)
}

func hdLine(h C.HDRVLINE) tspcore.HDRVLINE { return tspcore.HDRVLINE(uintptr(unsafe.Pointer(h))) }
func hdCall(h C.HDRVCALL) tspcore.HDRVCALL { return tspcore.HDRVCALL(uintptr(unsafe.Pointer(h))) }
func htCall(h C.HTAPICALL) tspcore.HTAPICALL {
	return tspcore.HTAPICALL(uintptr(unsafe.Pointer(h)))
}

func uintptrOf(h C.HWND) uintptr { return uintptr(unsafe.Pointer(h)) }

// lerr is a LINEERR_* code as the LONG a TSPI function returns (negative).
func lerr(e tapi.LineErr) C.LONG { return C.LONG(int32(e)) }
