// words.js: what the console says to people. Line and call states, errors and link trouble
// in plain words, and the legend; nothing here talks to the bridge.

// STATUS names each lineStatus value (clients/js lineStatus) for the tiles and the legend.
export const STATUS = {
  idle: "free",
  ringing: "ringing",
  busy: "on a call",
  held: "call on hold",
  dnd: "do not disturb",
  forwarded: "forwarded",
  out_of_service: "out of service",
};

// CALL_STATE says where a call stands, as the person at the line sees it.
const CALL_STATE = {
  LINECALLSTATE_OFFERING: "ringing",
  LINECALLSTATE_ACCEPTED: "ringing",
  LINECALLSTATE_DIALTONE: "dial tone",
  LINECALLSTATE_DIALING: "dialling",
  LINECALLSTATE_PROCEEDING: "calling",
  LINECALLSTATE_RINGBACK: "ringing at the other end",
  LINECALLSTATE_BUSY: "the other end is busy",
  LINECALLSTATE_SPECIALINFO: "the call could not be connected",
  LINECALLSTATE_CONNECTED: "talking",
  LINECALLSTATE_CONFERENCED: "in a conference",
  LINECALLSTATE_ONHOLD: "on hold",
  LINECALLSTATE_ONHOLDPENDCONF: "on hold (conference)",
  LINECALLSTATE_ONHOLDPENDTRANSFER: "on hold (transfer)",
  LINECALLSTATE_DISCONNECTED: "ended",
  LINECALLSTATE_UNKNOWN: "unknown",
};

export function callStateWord(state) {
  return CALL_STATE[state] || "unknown";
}

// ERRORS are the LINEERR_* results a receptionist meets, in words; the bridge's own sentence
// (after the code) is used when there is one.
const ERRORS = {
  LINEERR_INVALADDRESS: "that number is not valid",
  LINEERR_INVALCALLHANDLE: "that call has ended",
  LINEERR_INVALCALLSTATE: "the call cannot do that right now",
  LINEERR_INVALLINESTATE: "the line cannot do that right now",
  LINEERR_OPERATIONUNAVAIL: "the phone system does not offer that",
  LINEERR_OPERATIONFAILED: "the phone system refused",
  LINEERR_RESOURCEUNAVAIL: "the phone system is busy, try again",
  LINEERR_CALLUNAVAIL: "the line is in use",
  LINEERR_TARGETNOTFOUND: "that number cannot be reached",
  LINEERR_TARGETSELF: "that is your own line",
  LINEERR_NODEVICE: "the line is out of service",
  LINEERR_NOTOWNER: "you may not control that line",
};

// errorWords turns a refused request (CTIBridgeError) into a sentence.
export function errorWords(err) {
  if (!err) return "";
  if (err.code === "not_connected" || err.code === "connection_lost") return "no connection to the bridge, try again";
  if (err.code === "timeout") return "no answer from the bridge";
  const m = /^(LINEERR_[A-Z]+)(?:: (.*))?$/.exec(err.message || "");
  if (m) return m[2] || ERRORS[m[1]] || "the request was refused";
  if (err.result) return ERRORS[err.result] || "the request was refused";
  return String(err.message || err).replace(/^[a-z_]+(?: \([a-z]+\))?: /, "");
}

// linkTrouble says what is wrong with one PBX link (cti.LinkInfo of GET /api/v1/links), ""
// when nothing is. Severe trouble (calls cannot be placed or seen) comes first.
export function linkTrouble(l) {
  const down = (l.nodes || []).filter((n) => n.status === "down").length;
  if (l.degraded) return `${l.pbx}: link degraded (${l.degraded})`;
  if (!l.active) {
    if (l.nodes && l.nodes.length && down === l.nodes.length) return `${l.pbx}: phone system unreachable (all nodes down)`;
    return `${l.pbx}: not connected to the phone system`;
  }
  if (!l.owner) return `${l.pbx}: no bridge serves this phone system`;
  if (l.unmonitored) {
    let s = `${l.pbx}: ${l.unmonitored} line${l.unmonitored === 1 ? "" : "s"} not monitored`;
    if (l.unmonitoredReason) s += ` (${l.unmonitoredReason})`;
    return s;
  }
  return "";
}

// partyWords is a party as people say it: "Alice (201)", "+49 30 555", or "unknown".
export function partyWords(p) {
  if (!p || (!p.name && !p.number)) return "unknown caller";
  if (p.name && p.number) return `${p.name} (${p.number})`;
  return p.name || p.number;
}

// duration formats milliseconds as m:ss or h:mm:ss.
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

// AGENT says an agent's state (LINEAGENTSTATE_*) in words; agentClass is its CSS class and
// data-state (the legend's swatches).
const AGENT = {
  LINEAGENTSTATE_LOGGEDOFF: ["logged off", "loggedoff"],
  LINEAGENTSTATE_NOTREADY: ["not ready", "notready"],
  LINEAGENTSTATE_READY: ["ready", "ready"],
  LINEAGENTSTATE_BUSYACD: ["on a group call", "busy"],
  LINEAGENTSTATE_BUSYINCOMING: ["on a call", "busy"],
  LINEAGENTSTATE_BUSYOUTBOUND: ["on a call", "busy"],
  LINEAGENTSTATE_BUSYOTHER: ["on a call", "busy"],
  LINEAGENTSTATE_WORKINGAFTERCALL: ["wrap-up", "wrapup"],
};

export function agentWords(st) { return (AGENT[st] || ["unknown"])[0]; }
export function agentClass(st) { return (AGENT[st] || ["", "unknown"])[1]; }
