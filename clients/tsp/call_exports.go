//go:build windows && cgo

package main

/*
#include "tsp.h"
*/
import "C"

import (
	"unsafe"

	tspcore "github.com/ctibridge/ctibridge/clients/tsp/core"
)

//export TSPI_lineGetCallInfo
func TSPI_lineGetCallInfo(hd C.HDRVCALL, lpCallInfo C.LPLINECALLINFO) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpCallInfo == nil {
		return errPointer
	}
	return result(p.CallInfo(hdCall(hd), structBuf(unsafe.Pointer(lpCallInfo))))
}

//export TSPI_lineGetCallStatus
func TSPI_lineGetCallStatus(hd C.HDRVCALL, lpCallStatus C.LPLINECALLSTATUS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lpCallStatus == nil {
		return errPointer
	}
	return result(p.CallStatus(hdCall(hd), structBuf(unsafe.Pointer(lpCallStatus))))
}

//export TSPI_lineDrop
func TSPI_lineDrop(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, lpsUserUserInfo C.LPCSTR, dwSize C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Drop(uint32(dwRequestID), hdCall(hd)))
}

//export TSPI_lineAnswer
func TSPI_lineAnswer(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, lpsUserUserInfo C.LPCSTR, dwSize C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Answer(uint32(dwRequestID), hdCall(hd)))
}

//export TSPI_lineHold
func TSPI_lineHold(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Hold(uint32(dwRequestID), hdCall(hd)))
}

//export TSPI_lineUnhold
func TSPI_lineUnhold(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Unhold(uint32(dwRequestID), hdCall(hd)))
}

//export TSPI_lineBlindTransfer
func TSPI_lineBlindTransfer(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, lpszDestAddress C.LPCWSTR, dwCountryCode C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.BlindTransfer(uint32(dwRequestID), hdCall(hd), goString(lpszDestAddress)))
}

//export TSPI_lineSetupTransfer
func TSPI_lineSetupTransfer(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, htConsultCall C.HTAPICALL, lphdConsultCall C.LPHDRVCALL, lpCallParams C.LPLINECALLPARAMS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lphdConsultCall == nil {
		return errPointer
	}
	c, err := p.SetupTransfer(uint32(dwRequestID), hdCall(hd), htCall(htConsultCall))
	if err == nil {
		*lphdConsultCall = C.tsp_hdcall(C.UINT_PTR(c))
	}
	return async(dwRequestID, err)
}

//export TSPI_lineDial
func TSPI_lineDial(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, lpszDestAddress C.LPCWSTR, dwCountryCode C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Dial(uint32(dwRequestID), hdCall(hd), goString(lpszDestAddress)))
}

// TSPI_lineCompleteTransfer: with LINETRANSFERMODE_CONFERENCE the provider creates the
// conference call htConfCall and writes its hdCall through lphdConfCall before returning;
// with LINETRANSFERMODE_TRANSFER both are ignored (lphdConfCall may be NULL).
//
//export TSPI_lineCompleteTransfer
func TSPI_lineCompleteTransfer(dwRequestID C.DRV_REQUESTID, hd, hdConsultCall C.HDRVCALL, htConfCall C.HTAPICALL, lphdConfCall C.LPHDRVCALL, dwTransferMode C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if uint32(dwTransferMode) == tspcore.LINETRANSFERMODE_CONFERENCE && lphdConfCall == nil {
		return errPointer
	}
	c, err := p.CompleteTransfer(uint32(dwRequestID), hdCall(hd), hdCall(hdConsultCall), htCall(htConfCall), uint32(dwTransferMode))
	if err == nil && c != 0 {
		*lphdConfCall = C.tsp_hdcall(C.UINT_PTR(c))
	}
	return async(dwRequestID, err)
}

// TSPI_lineAddToConference and TSPI_linePrepareAddToConference: conferences have three
// parties only; both return LINEERR_OPERATIONUNAVAIL (or the handle's error).
//
//export TSPI_lineAddToConference
func TSPI_lineAddToConference(dwRequestID C.DRV_REQUESTID, hdConfCall, hdConsultCall C.HDRVCALL) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.AddToConference(uint32(dwRequestID), hdCall(hdConfCall), hdCall(hdConsultCall)))
}

//export TSPI_linePrepareAddToConference
func TSPI_linePrepareAddToConference(dwRequestID C.DRV_REQUESTID, hdConfCall C.HDRVCALL, htConsultCall C.HTAPICALL, lphdConsultCall C.LPHDRVCALL, lpCallParams C.LPLINECALLPARAMS) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	if lphdConsultCall == nil {
		return errPointer
	}
	c, err := p.PrepareAddToConference(uint32(dwRequestID), hdCall(hdConfCall), htCall(htConsultCall))
	if err == nil {
		*lphdConsultCall = C.tsp_hdcall(C.UINT_PTR(c))
	}
	return async(dwRequestID, err)
}

//export TSPI_lineRedirect
func TSPI_lineRedirect(dwRequestID C.DRV_REQUESTID, hd C.HDRVCALL, lpszDestAddress C.LPCWSTR, dwCountryCode C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return async(dwRequestID, p.Redirect(uint32(dwRequestID), hdCall(hd), goString(lpszDestAddress)))
}

//export TSPI_lineGenerateDigits
func TSPI_lineGenerateDigits(hd C.HDRVCALL, dwEndToEndID, dwDigitMode C.DWORD, lpszDigits C.LPCWSTR, dwDuration C.DWORD) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return result(p.GenerateDigits(hdCall(hd), uint32(dwEndToEndID), uint32(dwDigitMode), goString(lpszDigits)))
}

//export TSPI_lineCloseCall
func TSPI_lineCloseCall(hd C.HDRVCALL) C.LONG {
	p := current()
	if p == nil {
		return errUninit
	}
	return result(p.CloseCall(hdCall(hd)))
}
