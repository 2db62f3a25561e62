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

var errPointer = lerr(tapi.LINEERR_INVALPOINTER)

//export TSPI_lineOpen
func TSPI_lineOpen(dwDeviceID C.DWORD, htLine C.HTAPILINE, lphdLine C.LPHDRVLINE, dwTSPIVersion C.DWORD, lpfnEventProc C.LINEEVENT) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lphdLine == nil || lpfnEventProc == nil {
		return errPointer
	}
	hd, err := p.Open(context.Background(), uint32(dwDeviceID), tspcore.HTAPILINE(uintptr(unsafe.Pointer(htLine))),
		uint32(dwTSPIVersion), lineEvents(lpfnEventProc))
	if err != nil {
		return result(err)
	}
	*lphdLine = C.tsp_hdline(C.UINT_PTR(hd))
	return 0
}

//export TSPI_lineClose
func TSPI_lineClose(hd C.HDRVLINE) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return result(p.Close(hdLine(hd)))
}

//export TSPI_lineGetDevCaps
func TSPI_lineGetDevCaps(dwDeviceID, dwTSPIVersion, dwExtVersion C.DWORD, lpLineDevCaps C.LPLINEDEVCAPS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpLineDevCaps == nil {
		return errPointer
	}
	return result(p.DevCaps(uint32(dwDeviceID), uint32(dwTSPIVersion), structBuf(unsafe.Pointer(lpLineDevCaps))))
}

//export TSPI_lineGetAddressCaps
func TSPI_lineGetAddressCaps(dwDeviceID, dwAddressID, dwTSPIVersion, dwExtVersion C.DWORD, lpAddressCaps C.LPLINEADDRESSCAPS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpAddressCaps == nil {
		return errPointer
	}
	return result(p.AddressCaps(uint32(dwDeviceID), uint32(dwAddressID), uint32(dwTSPIVersion), structBuf(unsafe.Pointer(lpAddressCaps))))
}

//export TSPI_lineGetLineDevStatus
func TSPI_lineGetLineDevStatus(hd C.HDRVLINE, lpLineDevStatus C.LPLINEDEVSTATUS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpLineDevStatus == nil {
		return errPointer
	}
	return result(p.LineDevStatus(hdLine(hd), structBuf(unsafe.Pointer(lpLineDevStatus))))
}

//export TSPI_lineGetAddressStatus
func TSPI_lineGetAddressStatus(hd C.HDRVLINE, dwAddressID C.DWORD, lpAddressStatus C.LPLINEADDRESSSTATUS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpAddressStatus == nil {
		return errPointer
	}
	return result(p.AddressStatus(hdLine(hd), uint32(dwAddressID), structBuf(unsafe.Pointer(lpAddressStatus))))
}

//export TSPI_lineSetDefaultMediaDetection
func TSPI_lineSetDefaultMediaDetection(hd C.HDRVLINE, dwMediaModes C.DWORD) C.LONG {
	// Every call is interactive voice; TAPI offers it to owners of that media mode.
	if uint32(dwMediaModes)&^tspcore.LINEMEDIAMODE_INTERACTIVEVOICE != 0 {
		return lerr(tapi.LINEERR_INVALMEDIAMODE)
	}
	return 0
}

//export TSPI_lineSetStatusMessages
func TSPI_lineSetStatusMessages(hd C.HDRVLINE, dwLineStates, dwAddressStates C.DWORD) C.LONG {
	return 0 // TAPI filters the messages per application itself
}

//export TSPI_lineGetCallAddressID
func TSPI_lineGetCallAddressID(hd C.HDRVCALL, lpdwAddressID C.LPDWORD) C.LONG {
	if lpdwAddressID == nil {
		return errPointer
	}
	*lpdwAddressID = 0 // a bridge line has one address
	return 0
}

//export TSPI_lineMakeCall
func TSPI_lineMakeCall(dwRequestID C.DRV_REQUESTID, hd C.HDRVLINE, ht C.HTAPICALL, lphdCall C.LPHDRVCALL, lpszDestAddress C.LPCWSTR, dwCountryCode C.DWORD, lpCallParams C.LPLINECALLPARAMS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lphdCall == nil {
		return errPointer
	}
	if lpszDestAddress == nil {
		// lineMakeCall without a number would leave the call in dial tone for lineDial.
		return lerr(tapi.LINEERR_INVALADDRESS)
	}
	c, err := p.MakeCall(uint32(dwRequestID), hdLine(hd), htCall(ht), goString(lpszDestAddress))
	if err == nil {
		*lphdCall = C.tsp_hdcall(C.UINT_PTR(c))
	}
	return async(dwRequestID, err)
}

//export TSPI_lineForward
func TSPI_lineForward(dwRequestID C.DRV_REQUESTID, hd C.HDRVLINE, bAllAddresses, dwAddressID C.DWORD, lpForwardList C.LPLINEFORWARDLIST, dwNumRingsNoAnswer C.DWORD, htConsultCall C.HTAPICALL, lphdConsultCall C.LPHDRVCALL, lpCallParams C.LPLINECALLPARAMS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if bAllAddresses == 0 && dwAddressID != 0 {
		return lerr(tapi.LINEERR_INVALADDRESSID)
	}
	list, err := forwardList(lpForwardList)
	if err != nil {
		return result(err)
	}
	if lphdConsultCall != nil {
		*lphdConsultCall = nil // forwarding never needs a consultation call here
	}
	return async(dwRequestID, p.Forward(uint32(dwRequestID), hdLine(hd), list, uint32(dwNumRingsNoAnswer)))
}

// forwardList reads a LINEFORWARDLIST; nil means "cancel forwarding".
func forwardList(l C.LPLINEFORWARDLIST) ([]tspcore.ForwardEntry, error) {
	if l == nil {
		return nil, nil
	}
	total := uint32(l.dwTotalSize)
	n := uint32(l.dwNumEntries)
	const head, entry = 8, 32 // dwTotalSize, dwNumEntries; sizeof(LINEFORWARD)
	if n == 0 || uint64(head)+uint64(n)*entry > uint64(total) {
		return nil, &tspcore.Error{Code: tapi.LINEERR_INVALPARAM, Msg: "LINEFORWARDLIST: dwNumEntries does not fit dwTotalSize"}
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(l)), total)
	out := make([]tspcore.ForwardEntry, 0, n)
	for i := range n {
		e := (*C.LINEFORWARD)(unsafe.Pointer(&buf[head+i*entry]))
		size, off := uint32(e.dwDestAddressSize), uint32(e.dwDestAddressOffset)
		if size < 2 || uint64(off)+uint64(size) > uint64(total) || off%2 != 0 {
			return nil, &tspcore.Error{Code: tapi.LINEERR_INVALPARAM, Msg: "LINEFORWARD: destination outside the list"}
		}
		dest := goString(C.LPCWSTR(unsafe.Pointer(&buf[off])))
		out = append(out, tspcore.ForwardEntry{Mode: tapi.ForwardMode(e.dwForwardMode), Dest: dest})
	}
	return out, nil
}
