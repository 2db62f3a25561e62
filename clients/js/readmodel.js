// readmodel.js: the browser SDK's read model (ctibridge.js re-exports ReadModel), kept by
// the rules of tapi.ReadModel (tapi/readmodel.go).

// ReadModel is a set of lines and their calls kept up to date by applying events (their wire
// form). It follows tapi.ReadModel (tapi/readmodel.go) rule for rule, and the cases of
// tapi/testdata/readmodel/cases.json run against both (clients/js TestBrowserReadModel):
//   - LINE_NEWCALL creates the call or replaces a known one (keyed by the event's handle; a
//     call without a line takes the event's); LINE_CALLSTATE sets state and mode, stateSince
//     the event's time, a repeat of the state and mode changes nothing, IDLE removes the call;
//   - connectedAt is set, to the event's time, when the call first reaches CONNECTED or
//     CONFERENCED (a LINE_NEWCALL of such a call without connectedAt too), and kept after;
//   - LINE_CALLINFO replaces the info, a callId in it becomes the call's and leaves
//     otherCallIds; LINE_CONFERENCE sets the conference, null clears it;
//   - LINE_LINEDEVSTATE and LINE_ADDRESSSTATE replace the line named in the payload;
//     LINE_AGENTSTATUS puts its agent entry into the event's line (by group),
//     LINE_QUEUESTATUS replaces the line's queue;
//   - events for calls the model does not hold (LINE_NEWCALL aside) and events without their
//     payload are ignored and counted (ignored); nothing throws;
//   - LINE_REPLY, BRIDGE_* and unknown event types change nothing and are not counted.
// lines and calls are Maps that stay the same objects for the model's life; what is stored
// is a copy of what was given. Calls are listed oldest first: by created (to the
// millisecond, as Date parses it), then handle number, then handle.
export class ReadModel {
  constructor() {
    this.lines = new Map(); // line name -> tapi Line
    this.calls = new Map(); // handle -> tapi Call
    this.ignored = 0;
  }

  // reset replaces the lines and calls a snapshot covers ({pbx, listedOnly, lines, calls},
  // tapi.Snapshot): everything without pbx, else the PBX's lines, or only the listed ones
  // with listedOnly; then the snapshot's lines and calls are put in.
  reset(s) {
    const lines = s.lines || [], calls = s.calls || [];
    const listed = new Set(lines.map((l) => l.name));
    const covered = (line) => (!s.pbx && !s.listedOnly) || listed.has(line) ||
      (!s.listedOnly && pbxOf(line) === s.pbx);
    for (const name of [...this.lines.keys()]) if (covered(name)) this.lines.delete(name);
    for (const [h, c] of [...this.calls]) if (covered(c.line)) this.calls.delete(h);
    for (const l of lines) this.lines.set(l.name, clone(l));
    for (const c of calls) this.calls.set(c.handle, clone(c));
  }

  // apply applies one event; it returns whether it was applied.
  apply(ev) {
    if (!ev) { this.ignored++; return false; }
    switch (ev.type) {
      case "LINE_NEWCALL": {
        if (!ev.call) break;
        const c = clone(ev.call);
        if (ev.handle) c.handle = ev.handle;
        if (!c.line) c.line = ev.line;
        if (!c.handle || !c.line) break;
        if (answered(c.state) && !c.connectedAt) c.connectedAt = ev.time;
        this.calls.set(c.handle, c);
        return true;
      }
      case "LINE_CALLSTATE": {
        const c = this.calls.get(ev.handle);
        if (!ev.callState || !c) break;
        if (ev.callState.state === "LINECALLSTATE_IDLE") { this.calls.delete(ev.handle); return true; }
        if (STATUS_KEYS.every((k) => (c[k] || "") === (ev.callState[k] || ""))) return true;
        for (const k of STATUS_KEYS) delete c[k];
        for (const k of STATUS_KEYS) if (ev.callState[k]) c[k] = ev.callState[k];
        c.stateSince = ev.time;
        if (answered(c.state) && !c.connectedAt) c.connectedAt = ev.time;
        return true;
      }
      case "LINE_CALLINFO": {
        const c = this.calls.get(ev.handle);
        if (!ev.callInfo || !c) break;
        c.info = clone(ev.callInfo.info || {});
        const id = ev.callInfo.callId;
        if (id) {
          c.callId = id;
          if (c.otherCallIds) {
            c.otherCallIds = c.otherCallIds.filter((x) => x !== id);
            if (!c.otherCallIds.length) delete c.otherCallIds;
          }
        }
        return true;
      }
      case "LINE_CONFERENCE": {
        // A bridge extension: the call's conference (handle, other parties), null when it
        // is a two-party call again.
        const c = this.calls.get(ev.handle);
        if (!c) break;
        if (ev.conference) c.conference = clone(ev.conference);
        else delete c.conference;
        return true;
      }
      case "LINE_LINEDEVSTATE":
      case "LINE_ADDRESSSTATE": {
        const l = ev.lineState && ev.lineState.line;
        if (!l || !l.name) break;
        this.lines.set(l.name, clone(l));
        return true;
      }
      case "LINE_AGENTSTATUS": {
        // The line's entry for the event's group is replaced; entries stay sorted by group.
        const l = this.lines.get(ev.line), a = ev.agentStatus && ev.agentStatus.agent;
        if (!l || !a) break;
        l.agents = (l.agents || []).filter((x) => x.group !== a.group).concat([clone(a)])
          .sort((x, y) => (x.group < y.group ? -1 : x.group > y.group ? 1 : 0));
        return true;
      }
      case "LINE_QUEUESTATUS": {
        const l = this.lines.get(ev.line);
        if (!l || !ev.queueStatus) break;
        l.queue = clone(ev.queueStatus);
        return true;
      }
      default:
        return false;
    }
    this.ignored++;
    return false;
  }

  // allLines returns every line, by name.
  allLines() {
    return [...this.lines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  // callsOf returns the calls of a line ("" or nothing for every line), oldest first.
  callsOf(line) {
    return [...this.calls.values()].filter((c) => !line || c.line === line).sort(callOrder);
  }
}

const STATUS_KEYS = ["state", "offeringMode", "connectedMode", "disconnectMode", "busyMode", "dialToneMode"];

function answered(state) {
  return state === "LINECALLSTATE_CONNECTED" || state === "LINECALLSTATE_CONFERENCED";
}

function pbxOf(line) { return line.split("/")[0]; }

function clone(v) { return v === undefined ? v : JSON.parse(JSON.stringify(v)); }

// handleNumber is the counter part of a handle "<pbx>:<n>" (0 if none); numbers beyond 2^53
// lose precision, which no per-PBX counter reaches.
function handleNumber(h) {
  const m = /:(\d+)$/.exec(h || "");
  return m ? Number(m[1]) : 0;
}

function callOrder(a, b) {
  const ta = Date.parse(a.created || "0001-01-01T00:00:00Z"), tb = Date.parse(b.created || "0001-01-01T00:00:00Z");
  if (ta !== tb) return ta - tb;
  const na = handleNumber(a.handle), nb = handleNumber(b.handle);
  if (na !== nb) return na - nb;
  return a.handle < b.handle ? -1 : a.handle > b.handle ? 1 : 0;
}
