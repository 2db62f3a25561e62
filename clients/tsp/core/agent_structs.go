package tspcore

// The TAPI 2.x call-centre structures the provider fills, as tapi.h declares them
// (agent_structs_test.go compares them with the header).

var (
	lineAgentCapsLayout = newLayout("LINEAGENTCAPS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwAgentHandlerInfoSize DWORD
		dwAgentHandlerInfoOffset DWORD dwCapsVersion DWORD dwFeatures DWORD dwStates DWORD dwNextStates
		DWORD dwMaxNumGroupEntries DWORD dwAgentStatusMessages DWORD dwNumAgentExtensionIDs DWORD
		dwAgentExtensionIDListSize DWORD dwAgentExtensionIDListOffset GUID ProxyGUID
	`, map[string]uint32{"ProxyGUID": TAPI_VERSION2_2}))
	lineAgentStatusLayout = newLayout("LINEAGENTSTATUS", parseFields(`
		DWORD dwTotalSize DWORD dwNeededSize DWORD dwUsedSize DWORD dwNumEntries DWORD dwGroupListSize
		DWORD dwGroupListOffset DWORD dwState DWORD dwNextState DWORD dwActivityID DWORD dwActivitySize
		DWORD dwActivityOffset DWORD dwAgentFeatures DWORD dwValidStates DWORD dwValidNextStates
	`, nil))
	// lineAgentGroupEntryLayout is LINEAGENTGROUPENTRY with its GroupID struct flattened
	// (GroupID.dwGroupID1..4); dwNameOffset counts from the start of the LINEAGENTSTATUS.
	lineAgentGroupEntryLayout = newLayout("LINEAGENTGROUPENTRY", parseFields(`
		DWORD dwGroupID1 DWORD dwGroupID2 DWORD dwGroupID3 DWORD dwGroupID4 DWORD dwNameSize DWORD
		dwNameOffset
	`, nil))
	// lineProxyRequestLayout is LINEPROXYREQUEST up to its union, and the union's members for
	// the request types the provider handles: each starts with dwAddressID, then
	// SetAgentState's dwAgentState and dwNextAgentState, or the LINEAGENTCAPS or
	// LINEAGENTSTATUS the handler fills in place (at proxyPayload).
	lineProxyRequestLayout = newLayout("LINEPROXYREQUEST", parseFields(`
		DWORD dwSize DWORD dwClientMachineNameSize DWORD dwClientMachineNameOffset DWORD
		dwClientUserNameSize DWORD dwClientUserNameOffset DWORD dwClientAppAPIVersion DWORD
		dwRequestType DWORD dwAddressID DWORD dwAgentState DWORD dwNextAgentState
	`, nil))
)

// proxyPayload is the offset of GetAgentCaps.AgentCaps and GetAgentStatus.AgentStatus in a
// LINEPROXYREQUEST: after the seven header DWORDs and the union member's dwAddressID.
var proxyPayload = lineProxyRequestLayout.offset["dwAgentState"]
