// ctibridge.js: browser SDK for the ctibridge WebSocket protocol v1 (docs/websocket.md).
// An ES module without outside dependencies (its read model is readmodel.js beside it). It
// connects to any of several bridge URLs, reconnects with exponential backoff and jitter,
// resumes every PBX feed from its cursor so that no event is lost or repeated, replaces its
// view of the lines on a resync, keeps a mirror of lines and calls (with agent states and
// queue figures), and runs TAPI-style commands that resolve with their LINE_REPLY.

import {ReadModel} from "./readmodel.js";

export {ReadModel};

export const PROTOCOL_VERSION = 1;

// Close codes after which reconnecting cannot help: token refused, version not spoken.
const FATAL_CLOSE = new Set([4001, 4002]);

// CTIBridgeError is a refused request (LINE_REPLY with a LINEERR_* result, or a protocol
// error), a refused connect() or a lost connection.
export class CTIBridgeError extends Error {
  constructor(message, {result, code, field, requestId, status, type} = {}) {
    super(message);
    this.name = "CTIBridgeError";
    this.result = result;       // LINEERR_* name of a LINE_REPLY
    this.code = code;           // error code ("unauthorized", "origin_refused", "unreachable", "unknown_line", "connection_lost", ...)
    this.field = field;
    this.requestId = requestId;
    this.status = status;       // HTTP status of a refused REST check
    this.type = type;           // problem type URI of a refused REST check (docs/errors.md)
  }
}

// CTIBridgeClient is the connection. Events (addEventListener): "connected", "disconnected",
// "resync", "synced", "event" (every LINE_*/BRIDGE_* event), "incoming" (a new call offered
// to a line; detail.call), "agent" (an agent state changed: detail.line, detail.agent, the
// line's entry for the group, and detail.changed), "queue" (a group's queue figures changed:
// detail.line, detail.queue), "change" (the mirror changed), "fatal" (the client gave up;
// detail.error). Each CustomEvent carries its data in detail.
export class CTIBridgeClient extends EventTarget {
  // opts: urls (array of ws(s):// or http(s):// URLs; a URL without path gets /ws) or url,
  // token, lines (array) or all (bool), client (name shown in diagnostics), resume
  // ({pbx: {epoch, offset}} saved from cursors), minBackoff, maxBackoff (ms),
  // keepAlive (ms between pings; three silent intervals drop the connection),
  // commandTimeout (ms), connectTimeout (ms each bridge has to answer the REST check of
  // connect()), omitLines (ask for a welcome without its line list: welcome.lines is empty and
  // welcome.ownLines gives the token's line patterns; for tokens that see many lines, whose
  // list costs megabytes and bridge CPU on every connect; a bridge that does not know the
  // member refuses the hello, and the client connects again without it).
  constructor(opts) {
    super();
    const urls = opts.urls || (opts.url ? [opts.url] : []);
    if (!urls.length) throw new CTIBridgeError("give urls: at least one bridge URL");
    if (!opts.token) throw new CTIBridgeError("give token");
    if (opts.lines && opts.all) throw new CTIBridgeError("give lines or all, not both");
    this.urls = urls.map(wsURL);
    this.token = opts.token;
    this.subLines = opts.lines || null;
    this.all = !!opts.all;
    this.clientName = opts.client || "ctibridge.js";
    this.omitLines = !!opts.omitLines;
    this._omitRefused = false; // the bridge refused the hello's omitLines: not asked again
    this.minBackoff = opts.minBackoff || 250;
    this.maxBackoff = opts.maxBackoff || 10000;
    this.keepAlive = opts.keepAlive || 15000;
    this.commandTimeout = opts.commandTimeout || 30000;
    this.connectTimeout = opts.connectTimeout || 10000;
    this.cursors = Object.assign({}, opts.resume || {}); // pbx -> {epoch, offset}
    this.model = new ReadModel(); // lines and calls, kept by the rules of tapi.ReadModel
    this.lines = this.model.lines; // line name -> tapi Line
    this.calls = this.model.calls; // handle -> tapi Call
    this.welcome = null;
    this.connected = false;
    this._urlIndex = 0;
    this._roundStart = 0;
    this._ceiling = this.minBackoff;
    this._nextId = 1;
    this._pending = new Map(); // request id -> {resolve, reject, timer}
    this._closed = true;
    this._ws = null;
    this._timers = new Set();
  }

  // connect opens the first connection and resolves with the welcome once the bridge
  // confirmed the subscription. Before the WebSocket it asks the bridge's REST API who the
  // token is (GET /api/v1/me), because a browser hides why a WebSocket upgrade failed but
  // not why a fetch did. It rejects with a CTIBridgeError whose code says why:
  // "unauthorized" (token refused), "origin_refused" (the bridge does not allow this page's
  // origin: web.allowed_origins), "unreachable" (every URL was tried once: no answer, or the
  // WebSocket closed before the subscription was confirmed), a protocol error code of the
  // subscription ("unknown_line", "forbidden", ...), or "closed" (fatal close code). The
  // client retries only after a first successful connection: later losses are repaired in the
  // background until close().
  connect() {
    // Already running: the first connection's promise, or the welcome once connected.
    if (!this._closed) return this._first ? this._first.promise : Promise.resolve(this.welcome);
    this._closed = false;
    this._fatalError = null;
    const first = {failures: [], tried: 0};
    first.promise = new Promise((resolve, reject) => {
      first.resolve = resolve;
      first.reject = reject;
    });
    this._first = first;
    this._roundStart = this._urlIndex;
    this._attempt();
    return first.promise;
  }

  close() {
    this._closed = true;
    for (const t of this._timers) clearTimeout(t);
    this._timers.clear();
    clearInterval(this._pinger);
    if (this._ws) this._ws.close(1000);
    this._failPending("client closed");
    if (this._first) { this._first.reject(new CTIBridgeError("client closed", {code: "closed"})); this._first = null; }
  }

  // callsOf returns the mirrored calls of a line ("" for every line), oldest first.
  callsOf(line) { return this.model.callsOf(line); }

  // ignoredEvents is how many events the mirror could not apply (ReadModel.ignored).
  get ignoredEvents() { return this.model.ignored; }

  // command sends a request (op and params as in docs/websocket.md) and resolves with the
  // LINE_REPLY payload; it rejects with a CTIBridgeError carrying the LINEERR_* result.
  command(op, params) {
    if (!this.connected) {
      return Promise.reject(new CTIBridgeError("not connected", {code: "not_connected"}));
    }
    const id = this._nextId++;
    if (this._nextId > 0x7fffffff) this._nextId = 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this._pending.delete(id);
        reject(new CTIBridgeError(`${op}: no reply in ${this.commandTimeout} ms`, {code: "timeout", requestId: id}));
      }, this.commandTimeout);
      this._pending.set(id, {resolve, reject, timer});
      this._send(Object.assign({type: "command", id, op}, params));
    });
  }

  makeCall(line, number, {ringFirst = true} = {}) { return this.command("makeCall", {line, number, prompt: ringFirst}); }
  answer(line, handle) { return this.command("answer", {line, handle}); }
  drop(line, handle) { return this.command("drop", {line, handle}); }
  hold(line, handle) { return this.command("hold", {line, handle}); }
  unhold(line, handle) { return this.command("unhold", {line, handle}); }
  blindTransfer(line, handle, number) { return this.command("blindTransfer", {line, handle, number}); }
  setupTransfer(line, handle, number) { return this.command("setupTransfer", {line, handle, number}); }
  completeTransfer(line, held, consult) { return this.command("completeTransfer", {line, handle: held, handle2: consult}); }
  conference(line, held, consult) { return this.command("conference", {line, handle: held, handle2: consult}); }
  redirect(line, handle, number) { return this.command("redirect", {line, handle, number}); }
  pickup(line, ringingExtension) { return this.command("pickup", {line, number: ringingExtension}); }
  groupPickup(line, group = "") { return this.command("groupPickup", group ? {line, number: group} : {line}); }
  generateDigits(line, handle, digits) { return this.command("generateDigits", {line, handle, number: digits}); }
  // forward: mode is a LINEFORWARDMODE_* name; enable false switches that mode off.
  forward(line, mode, number, enable = true, ringCount = 0) {
    return this.command("forward", {line, forwardMode: mode, number, enable, ringCount});
  }
  setDND(line, on) { return this.command("dnd", {line, enable: !!on}); }
  // setAgentState: state is loggedOn, loggedOff, ready, notReady or workingAfterCall; group
  // "" means every group of the line; reasonCode goes with notReady or loggedOff, agentId
  // with loggedOn. The result comes as LINE_AGENTSTATUS ("agent" event).
  setAgentState(line, agentState, group = "", reasonCode = "", agentId = "") {
    return this.command("setAgentState", {line, agentState, group, reasonCode, agentId});
  }
  // logOn logs the agent at line on to group ("" every group), as agentId when given.
  logOn(line, group = "", agentId = "") { return this.setAgentState(line, "loggedOn", group, "", agentId); }

  // agentsOf returns the line's agent state per ACD group (sorted by group; [] for none).
  agentsOf(line) { const l = this.lines.get(line); return (l && l.agents) || []; }

  // queueOf returns the queue figures of a monitored group's line (pbxs[].groups), null for
  // a line that is no group.
  queueOf(groupLine) { const l = this.lines.get(groupLine); return (l && l.queue) || null; }

  // --- connection ---

  // _attempt is one try of the first connection: the REST check, then the WebSocket.
  async _attempt() {
    const url = this.urls[this._urlIndex % this.urls.length];
    const verdict = await this._check(url);
    if (this._closed || !this._first) return;
    if (verdict.fatal) this._giveUp(verdict.fatal);
    else if (verdict.unreachable) this._firstFailed(verdict.unreachable);
    else this._open();
  }

  // _check asks the bridge behind a WebSocket URL whether it takes this page's origin and
  // token: {ok}, {fatal: CTIBridgeError} or {unreachable: reason}.
  async _check(url) {
    const base = restBase(url);
    const timeout = () => (typeof AbortSignal !== "undefined" && AbortSignal.timeout ? AbortSignal.timeout(this.connectTimeout) : undefined);
    let res;
    try {
      res = await fetch(base + "/api/v1/me", {headers: {Authorization: "Bearer " + this.token},
        cache: "no-store", credentials: "omit", signal: timeout()});
    } catch (e) {
      if (e && (e.name === "TimeoutError" || e.name === "AbortError")) {
        return {unreachable: `${base}: no answer in ${this.connectTimeout} ms`};
      }
      // A network error: the bridge is down, or it refused this origin (CORS), which the
      // browser does not say. A request that needs no CORS tells them apart.
      try {
        await fetch(base + "/healthz", {mode: "no-cors", cache: "no-store", credentials: "omit", signal: timeout()});
      } catch (e2) {
        return {unreachable: `${base}: ${e.message}`};
      }
      const origin = typeof location !== "undefined" ? location.origin : "this page's origin";
      return {fatal: new CTIBridgeError(`origin_refused: the bridge at ${base} does not allow requests from ${origin} (add it to web.allowed_origins)`,
        {code: "origin_refused", status: 403})};
    }
    if (res.ok) return {ok: true};
    let prob = {};
    try { prob = await res.json(); } catch (e) { /* not a problem document */ }
    const detail = prob.detail || res.statusText || "refused";
    const info = {status: res.status, type: prob.type, field: prob.field};
    if (res.status === 401) {
      return {fatal: new CTIBridgeError(`unauthorized: the bridge at ${base} refused the token: ${detail}`, Object.assign({code: "unauthorized"}, info))};
    }
    if (res.status === 429 || res.status >= 500) return {unreachable: `${base}: ${res.status} ${detail}`};
    const code = res.status === 403 ? "origin_refused" : "http_" + res.status;
    return {fatal: new CTIBridgeError(`${code}: ${base}/api/v1/me answered ${res.status}: ${detail}`, Object.assign({code}, info))};
  }

  // _firstFailed records a failed try of the first connection and tries the next URL; once
  // every URL failed, connect() rejects.
  _firstFailed(reason) {
    const first = this._first;
    first.failures.push(reason);
    first.tried++;
    if (first.tried >= this.urls.length) {
      this._giveUp(new CTIBridgeError(`unreachable: no bridge answered: ${first.failures.join("; ")}`, {code: "unreachable"}));
      return;
    }
    this._urlIndex = (this._urlIndex + 1) % this.urls.length;
    this._attempt();
  }

  _open() {
    const url = this.urls[this._urlIndex % this.urls.length];
    let ws;
    try {
      ws = new WebSocket(url);
    } catch (e) {
      this._lost(url, 1006, String(e));
      return;
    }
    this._ws = ws;
    this._subscribed = false;
    this._reopen = false;
    ws.onopen = () => {
      const hello = {type: "hello", v: PROTOCOL_VERSION, token: this.token, client: this.clientName};
      if (this.omitLines && !this._omitRefused) hello.omitLines = true;
      this._send(hello);
    };
    ws.onmessage = (m) => {
      this._lastHeard = Date.now();
      let msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      this._onMessage(msg, url);
    };
    ws.onclose = (ev) => {
      if (this._ws !== ws) return;
      this._ws = null;
      this._lost(url, ev.code, ev.reason);
    };
  }

  _lost(url, code, reason) {
    clearInterval(this._pinger);
    const wasUp = this.connected;
    this.connected = false;
    this._failPending("connection lost");
    this._emit("disconnected", {url, code, reason});
    if (this._closed) return;
    if (this._reopen) {
      // The bridge refused the hello's omitLines and closed: the same URL again without it.
      this._open();
      return;
    }
    if (FATAL_CLOSE.has(code) || this._fatalError) {
      this._giveUp(this._fatalError || new CTIBridgeError(`${url} closed the connection: ${code} ${reason}`, {code: "closed"}));
      return;
    }
    if (this._first) {
      // Never connected yet: no retry, the next URL or a rejected connect().
      this._firstFailed(`${url}: the WebSocket closed before the subscription was confirmed (${code}${reason ? " " + reason : ""})`);
      return;
    }
    this._urlIndex = (this._urlIndex + 1) % this.urls.length;
    let delay = 0;
    if (wasUp) {
      // A fresh round over the URLs, starting after the one that failed; a short random
      // pause spreads the reconnects of many pages that lost the same instance.
      this._roundStart = this._urlIndex;
      this._ceiling = this.minBackoff;
      delay = Math.random() * this.minBackoff;
    } else if (this._urlIndex === this._roundStart) {
      // A whole round failed: back off, with full jitter, before the next.
      this._ceiling = Math.min(this._ceiling * 2, this.maxBackoff);
      delay = Math.random() * this._ceiling;
    }
    const t = setTimeout(() => { this._timers.delete(t); if (!this._closed) this._open(); }, delay);
    this._timers.add(t);
  }

  _giveUp(err) {
    this._closed = true;
    if (this._ws) { const ws = this._ws; this._ws = null; ws.close(1000); }
    if (this._first) { this._first.reject(err); this._first = null; }
    this._emit("fatal", {error: err});
  }

  _failPending(why) {
    for (const [id, p] of this._pending) {
      clearTimeout(p.timer);
      p.reject(new CTIBridgeError(why, {code: "connection_lost", requestId: id}));
    }
    this._pending.clear();
  }

  _send(msg) {
    if (this._ws && this._ws.readyState === WebSocket.OPEN) this._ws.send(JSON.stringify(msg));
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  _startKeepAlive() {
    clearInterval(this._pinger);
    this._lastHeard = Date.now();
    const ws = this._ws;
    this._pinger = setInterval(() => {
      if (Date.now() - this._lastHeard > 3 * this.keepAlive) {
        ws.close(4000, "no answer to pings");
        return;
      }
      this._send({type: "ping"});
    }, this.keepAlive);
  }

  _up(url) {
    this.connected = true;
    this._ceiling = this.minBackoff;
    this._startKeepAlive();
    this._emit("connected", {url, welcome: this.welcome});
    if (this._first) { this._first.resolve(this.welcome); this._first = null; }
  }

  // --- messages ---

  _onMessage(m, url) {
    switch (m.type) {
      case "welcome": {
        this.welcome = m;
        if (!this.all && !(this.subLines && this.subLines.length)) { this._up(url); return; }
        const sub = {type: "subscribe"};
        const pbxs = new Set();
        if (this.all) { sub.all = true; for (const l of m.lines) pbxs.add(l.pbx); }
        else { sub.lines = this.subLines; for (const l of this.subLines) pbxs.add(l.split("/")[0]); }
        // Without the welcome's lines the PBXs of an all-subscription are unknown until
        // subscribed: every cursor goes, and one the bridge refuses is dropped (_serverError).
        const omitted = this.all && m.linesOmitted;
        const cursors = {};
        for (const p of Object.keys(this.cursors)) if (omitted || pbxs.has(p)) cursors[p] = this.cursors[p];
        if (Object.keys(cursors).length) sub.cursors = cursors;
        this._sub = sub;
        this._send(sub);
        break;
      }
      case "subscribed":
        if (!this._subscribed) { this._subscribed = true; this._up(url); }
        break;
      case "resync":
        this._resync(m);
        break;
      case "synced":
        this._advance(m.pbx, m.epoch, m.offset);
        this._emit("synced", m);
        break;
      case "event":
        this._event(m);
        break;
      case "error":
        this._serverError(m, url);
        break;
    }
  }

  _serverError(m, url) {
    const err = new CTIBridgeError(`${m.code}${m.field ? " (" + m.field + ")" : ""}: ${m.message}`, {code: m.code, field: m.field, requestId: m.id});
    if (m.id) {
      const p = this._pending.get(m.id);
      if (p) { this._pending.delete(m.id); clearTimeout(p.timer); p.reject(err); }
      return;
    }
    if (m.code === "bad_field" && m.field === "omitLines" && this.omitLines && !this._omitRefused) {
      this._omitRefused = true;
      this._reopen = true;
      return;
    }
    const refusedCursor = m.code === "bad_field" && (m.field || "").startsWith("cursors.") && m.field.slice(8);
    if (!this._subscribed && refusedCursor && this._sub && this._sub.cursors && refusedCursor in this._sub.cursors) {
      // A cursor for a PBX none of the subscribed lines belongs to (the token's lines changed
      // since): that PBX starts over with a resync.
      delete this._sub.cursors[refusedCursor];
      delete this.cursors[refusedCursor];
      this._send(this._sub);
      return;
    }
    if (m.code === "unauthorized" || (!this._subscribed && ["unknown_line", "forbidden", "bad_field"].includes(m.code))) {
      // Reconnecting cannot help: stop once the socket is closed.
      this._fatalError = err;
      if (this._ws) this._ws.close(1000);
      return;
    }
    this._emit("servererror", m);
    if (m.code === "unavailable" && this._ws) this._ws.close(4000, "feed unavailable");
  }

  _resync(m) {
    // The snapshot covers every line subscribed at the PBX, except for lines added to the
    // subscription: then just those.
    this.model.reset({pbx: m.pbx, listedOnly: m.reason === "lines_added", lines: m.lines, calls: m.calls});
    this.cursors[m.pbx] = {epoch: m.epoch, offset: m.offset};
    this._emit("resync", m);
    this._emit("change", {reason: "resync", pbx: m.pbx});
  }

  _advance(pbx, epoch, offset) {
    const c = this.cursors[pbx];
    if (!c || c.epoch !== epoch || offset > c.offset) this.cursors[pbx] = {epoch, offset};
  }

  _event(m) {
    const ev = m.event;
    if (!ev) return;
    if (ev.type === "LINE_REPLY") {
      if (!ev.reply) return;
      const p = this._pending.get(ev.reply.requestId);
      if (p) {
        this._pending.delete(ev.reply.requestId);
        clearTimeout(p.timer);
        if (ev.reply.result) {
          p.reject(new CTIBridgeError(`${ev.reply.result}${ev.reply.error ? ": " + ev.reply.error : ""}`,
            {result: ev.reply.result, requestId: ev.reply.requestId}));
        } else {
          p.resolve(ev.reply);
        }
      }
      return;
    }
    if (m.pbx) {
      const c = this.cursors[m.pbx];
      if (c && c.epoch === m.epoch && m.offset <= c.offset) return; // delivered before
      this.cursors[m.pbx] = {epoch: m.epoch, offset: m.offset};
    }
    this.model.apply(ev);
    const detail = Object.assign({}, ev, {position: {epoch: m.epoch, offset: m.offset}});
    this._emit("event", detail);
    if (ev.type === "LINE_NEWCALL" && ev.call && ev.call.state === "LINECALLSTATE_OFFERING") {
      this._emit("incoming", {line: ev.line, call: ev.call});
    } else if (ev.type === "LINE_AGENTSTATUS" && ev.agentStatus) {
      this._emit("agent", {line: ev.line, agent: ev.agentStatus.agent, changed: ev.agentStatus.changed});
    } else if (ev.type === "LINE_QUEUESTATUS" && ev.queueStatus) {
      this._emit("queue", {line: ev.line, queue: ev.queueStatus});
    }
    this._emit("change", {reason: "event", event: detail});
  }
}

// wsURL turns a bridge URL (ws, wss, http, https; path optional) into its WebSocket URL.
export function wsURL(raw) {
  const u = new URL(raw, typeof location !== "undefined" ? location.href : undefined);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  else if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw new CTIBridgeError(`bridge URL ${raw}: scheme must be ws, wss, http or https`);
  }
  if (u.pathname === "" || u.pathname === "/") u.pathname = "/ws";
  return u.toString();
}

// restBase is the REST API's base URL of a bridge's WebSocket URL: http(s) for ws(s), the
// path without its last "/ws" (wss://host/cti/ws -> https://host/cti).
export function restBase(ws) {
  const u = new URL(ws);
  u.protocol = u.protocol === "wss:" ? "https:" : "http:";
  u.pathname = u.pathname.replace(/\/ws\/?$/, "");
  u.search = "";
  u.hash = "";
  return u.toString().replace(/\/$/, "");
}

// lineStatus summarises a line as the REST "status" does: out_of_service, busy, ringing,
// held, dnd, forwarded or idle.
export function lineStatus(line, calls) {
  if (!line.inService) return "out_of_service";
  let ringing = false, active = false, held = false;
  for (const c of calls) {
    switch (c.state) {
      case "LINECALLSTATE_OFFERING": case "LINECALLSTATE_ACCEPTED": ringing = true; break;
      case "LINECALLSTATE_ONHOLD": case "LINECALLSTATE_ONHOLDPENDCONF":
      case "LINECALLSTATE_ONHOLDPENDTRANSFER": held = true; break;
      case "LINECALLSTATE_IDLE": case "LINECALLSTATE_DISCONNECTED": break;
      default: active = true;
    }
  }
  if (active) return "busy";
  if (ringing) return "ringing";
  if (held) return "held";
  if (line.dnd) return "dnd";
  if (line.forwarding && line.forwarding.length) return "forwarded";
  return "idle";
}
