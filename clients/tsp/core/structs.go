package tspcore

import "strings"

// The TAPI structures the provider fills, member by member as tapi.h declares them
// (layout_test.go compares these lists with the header). Members a later version added carry
// that version; the provider negotiates 2.0 to 3.0.

var (
	lineDevCapsLayout = newLayout("LINEDEVCAPS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwProviderInfoSize DWORD
		dwProviderInfoOffset DWORD dwSwitchInfoSize DWORD dwSwitchInfoOffset DWORD dwPermanentLineID
		DWORD dwLineNameSize DWORD dwLineNameOffset DWORD dwStringFormat DWORD dwAddressModes DWORD
		dwNumAddresses DWORD dwBearerModes DWORD dwMaxRate DWORD dwMediaModes DWORD dwGenerateToneModes
		DWORD dwGenerateToneMaxNumFreq DWORD dwGenerateDigitModes DWORD dwMonitorToneMaxNumFreq DWORD
		dwMonitorToneMaxNumEntries DWORD dwMonitorDigitModes DWORD dwGatherDigitsMinTimeout DWORD
		dwGatherDigitsMaxTimeout DWORD dwMedCtlDigitMaxListSize DWORD dwMedCtlMediaMaxListSize DWORD
		dwMedCtlToneMaxListSize DWORD dwMedCtlCallStateMaxListSize DWORD dwDevCapFlags DWORD
		dwMaxNumActiveCalls DWORD dwAnswerMode DWORD dwRingModes DWORD dwLineStates DWORD
		dwUUIAcceptSize DWORD dwUUIAnswerSize DWORD dwUUIMakeCallSize DWORD dwUUIDropSize DWORD
		dwUUISendUserUserInfoSize DWORD dwUUICallInfoSize LINEDIALPARAMS MinDialParams LINEDIALPARAMS
		MaxDialParams LINEDIALPARAMS DefaultDialParams DWORD dwNumTerminals DWORD dwTerminalCapsSize
		DWORD dwTerminalCapsOffset DWORD dwTerminalTextEntrySize DWORD dwTerminalTextSize DWORD
		dwTerminalTextOffset DWORD dwDevSpecificSize DWORD dwDevSpecificOffset DWORD dwLineFeatures
		DWORD dwSettableDevStatus DWORD dwDeviceClassesSize DWORD dwDeviceClassesOffset GUID
		PermanentLineGuid DWORD dwAddressTypes GUID ProtocolGuid DWORD dwAvailableTracking
	`, lineDevCapsLayoutSince))
	lineAddressCapsLayout = newLayout("LINEADDRESSCAPS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwLineDeviceID DWORD dwAddressSize
		DWORD dwAddressOffset DWORD dwDevSpecificSize DWORD dwDevSpecificOffset DWORD dwAddressSharing
		DWORD dwAddressStates DWORD dwCallInfoStates DWORD dwCallerIDFlags DWORD dwCalledIDFlags DWORD
		dwConnectedIDFlags DWORD dwRedirectionIDFlags DWORD dwRedirectingIDFlags DWORD dwCallStates
		DWORD dwDialToneModes DWORD dwBusyModes DWORD dwSpecialInfo DWORD dwDisconnectModes DWORD
		dwMaxNumActiveCalls DWORD dwMaxNumOnHoldCalls DWORD dwMaxNumOnHoldPendingCalls DWORD
		dwMaxNumConference DWORD dwMaxNumTransConf DWORD dwAddrCapFlags DWORD dwCallFeatures DWORD
		dwRemoveFromConfCaps DWORD dwRemoveFromConfState DWORD dwTransferModes DWORD dwParkModes DWORD
		dwForwardModes DWORD dwMaxForwardEntries DWORD dwMaxSpecificEntries DWORD dwMinFwdNumRings
		DWORD dwMaxFwdNumRings DWORD dwMaxCallCompletions DWORD dwCallCompletionConds DWORD
		dwCallCompletionModes DWORD dwNumCompletionMessages DWORD dwCompletionMsgTextEntrySize DWORD
		dwCompletionMsgTextSize DWORD dwCompletionMsgTextOffset DWORD dwAddressFeatures DWORD
		dwPredictiveAutoTransferStates DWORD dwNumCallTreatments DWORD dwCallTreatmentListSize DWORD
		dwCallTreatmentListOffset DWORD dwDeviceClassesSize DWORD dwDeviceClassesOffset DWORD
		dwMaxCallDataSize DWORD dwCallFeatures2 DWORD dwMaxNoAnswerTimeout DWORD dwConnectedModes DWORD
		dwOfferingModes DWORD dwAvailableMediaModes
	`, lineAddressCapsLayoutSince))
	lineDevStatusLayout = newLayout("LINEDEVSTATUS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwNumOpens DWORD dwOpenMediaModes
		DWORD dwNumActiveCalls DWORD dwNumOnHoldCalls DWORD dwNumOnHoldPendCalls DWORD dwLineFeatures
		DWORD dwNumCallCompletions DWORD dwRingMode DWORD dwSignalLevel DWORD dwBatteryLevel DWORD
		dwRoamMode DWORD dwDevStatusFlags DWORD dwTerminalModesSize DWORD dwTerminalModesOffset DWORD
		dwDevSpecificSize DWORD dwDevSpecificOffset DWORD dwAvailableMediaModes DWORD dwAppInfoSize
		DWORD dwAppInfoOffset
	`, lineDevStatusLayoutSince))
	lineAddressStatusLayout = newLayout("LINEADDRESSSTATUS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwNumInUse DWORD dwNumActiveCalls
		DWORD dwNumOnHoldCalls DWORD dwNumOnHoldPendCalls DWORD dwAddressFeatures DWORD
		dwNumRingsNoAnswer DWORD dwForwardNumEntries DWORD dwForwardSize DWORD dwForwardOffset DWORD
		dwTerminalModesSize DWORD dwTerminalModesOffset DWORD dwDevSpecificSize DWORD
		dwDevSpecificOffset
	`, lineAddressStatusLayoutSince))
	lineCallInfoLayout = newLayout("LINECALLINFO", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize HLINE hLine DWORD dwLineDeviceID DWORD
		dwAddressID DWORD dwBearerMode DWORD dwRate DWORD dwMediaMode DWORD dwAppSpecific DWORD
		dwCallID DWORD dwRelatedCallID DWORD dwCallParamFlags DWORD dwCallStates DWORD
		dwMonitorDigitModes DWORD dwMonitorMediaModes LINEDIALPARAMS DialParams DWORD dwOrigin DWORD
		dwReason DWORD dwCompletionID DWORD dwNumOwners DWORD dwNumMonitors DWORD dwCountryCode DWORD
		dwTrunk DWORD dwCallerIDFlags DWORD dwCallerIDSize DWORD dwCallerIDOffset DWORD
		dwCallerIDNameSize DWORD dwCallerIDNameOffset DWORD dwCalledIDFlags DWORD dwCalledIDSize DWORD
		dwCalledIDOffset DWORD dwCalledIDNameSize DWORD dwCalledIDNameOffset DWORD dwConnectedIDFlags
		DWORD dwConnectedIDSize DWORD dwConnectedIDOffset DWORD dwConnectedIDNameSize DWORD
		dwConnectedIDNameOffset DWORD dwRedirectionIDFlags DWORD dwRedirectionIDSize DWORD
		dwRedirectionIDOffset DWORD dwRedirectionIDNameSize DWORD dwRedirectionIDNameOffset DWORD
		dwRedirectingIDFlags DWORD dwRedirectingIDSize DWORD dwRedirectingIDOffset DWORD
		dwRedirectingIDNameSize DWORD dwRedirectingIDNameOffset DWORD dwAppNameSize DWORD
		dwAppNameOffset DWORD dwDisplayableAddressSize DWORD dwDisplayableAddressOffset DWORD
		dwCalledPartySize DWORD dwCalledPartyOffset DWORD dwCommentSize DWORD dwCommentOffset DWORD
		dwDisplaySize DWORD dwDisplayOffset DWORD dwUserUserInfoSize DWORD dwUserUserInfoOffset DWORD
		dwHighLevelCompSize DWORD dwHighLevelCompOffset DWORD dwLowLevelCompSize DWORD
		dwLowLevelCompOffset DWORD dwChargingInfoSize DWORD dwChargingInfoOffset DWORD
		dwTerminalModesSize DWORD dwTerminalModesOffset DWORD dwDevSpecificSize DWORD
		dwDevSpecificOffset DWORD dwCallTreatment DWORD dwCallDataSize DWORD dwCallDataOffset DWORD
		dwSendingFlowspecSize DWORD dwSendingFlowspecOffset DWORD dwReceivingFlowspecSize DWORD
		dwReceivingFlowspecOffset DWORD dwCallerIDAddressType DWORD dwCalledIDAddressType DWORD
		dwConnectedIDAddressType DWORD dwRedirectionIDAddressType DWORD dwRedirectingIDAddressType
	`, lineCallInfoLayoutSince))
	lineCallStatusLayout = newLayout("LINECALLSTATUS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwCallState DWORD dwCallStateMode
		DWORD dwCallPrivilege DWORD dwCallFeatures DWORD dwDevSpecificSize DWORD dwDevSpecificOffset
		DWORD dwCallFeatures2 SYSTEMTIME tStateEntryTime
	`, lineCallStatusLayoutSince))
)

// Members added after TAPI 2.0, by structure (2.0 members the provider always fills).
var (
	lineDevCapsLayoutSince = map[string]uint32{"PermanentLineGuid": TAPI_VERSION2_2,
		"dwAddressTypes": TAPI_VERSION3_0, "ProtocolGuid": TAPI_VERSION3_0, "dwAvailableTracking": TAPI_VERSION3_0}
	lineAddressCapsLayoutSince   = map[string]uint32{"dwAvailableMediaModes": TAPI_VERSION3_0}
	lineDevStatusLayoutSince     = map[string]uint32{}
	lineAddressStatusLayoutSince = map[string]uint32{}
	lineCallInfoLayoutSince      = map[string]uint32{"dwCallerIDAddressType": TAPI_VERSION3_0,
		"dwCalledIDAddressType": TAPI_VERSION3_0, "dwConnectedIDAddressType": TAPI_VERSION3_0,
		"dwRedirectionIDAddressType": TAPI_VERSION3_0, "dwRedirectingIDAddressType": TAPI_VERSION3_0}
	lineCallStatusLayoutSince = map[string]uint32{}
)

// parseFields reads "TYPE name TYPE name ..." into fields.
func parseFields(decl string, since map[string]uint32) []field {
	tok := strings.Fields(decl)
	out := make([]field, 0, len(tok)/2)
	for i := 0; i+1 < len(tok); i += 2 {
		out = append(out, field{typ: tok[i], name: tok[i+1], since: since[tok[i+1]]})
	}
	return out
}
