// ctibridge.js: browser client for the ctibridge WebSocket protocol v1 (docs/websocket.md).
// An ES module with no dependencies. It keeps the state of the subscribed lines, reconnects
// with backoff and resumes from its cursors, so a page sees no gap and no duplicate.

export const PROTOCOL_VERSION = 1;

// Close codes after which reconnecting cannot help.
const FATAL_CLOSE = new Set([4001, 4002]);

export class CTIBridge extends EventTarget {
  // opts: {url, token, lines (array) or all (bool), client (name shown in diagnostics)}
  constructor(opts) {
    super();
    this.url = opts.url;
    this.token = opts.token;
    this.lines = opts.lines || null;
    this.all = !opts.lines;
    this.client = opts.client || "ctibridge.js";
    this.cursors = {};          // pbx -> {epoch, offset}
    this.lineState = new Map(); // line name -> tapi Line
    this.calls = new Map();     // handle -> tapi Call
    this.welcome = null;
    this.nextId = 1;
    this.pending = new Map();   // request id -> {resolve, reject}
    this.backoff = 250;
    this.closed = false;
    this.ws = null;
  }

  connect() {
    this.closed = false;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.backoff = 250;
      this._send({type: "hello", v: PROTOCOL_VERSION, token: this.token, client: this.client});
    };
    ws.onmessage = (m) => this._onMessage(JSON.parse(m.data));
    ws.onclose = (ev) => {
      for (const [, p] of this.pending) p.reject(new Error("connection closed"));
      this.pending.clear();
      this._emit("close", {code: ev.code, reason: ev.reason});
      if (this.closed || FATAL_CLOSE.has(ev.code)) return;
      const delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, 10000);
      setTimeout(() => { if (!this.closed) this.connect(); }, delay);
    };
  }

  close() {
    this.closed = true;
    if (this.ws) this.ws.close(1000);
  }

  // command sends a TAPI request (op as in docs/websocket.md) and resolves with its LINE_REPLY
  // payload; it rejects when the reply carries a LINEERR_* result.
  command(op, params) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, {resolve, reject});
      this._send(Object.assign({type: "command", id, op}, params));
    });
  }

  callsOf(line) {
    return [...this.calls.values()].filter((c) => c.line === line);
  }

  _send(msg) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, {detail}));
  }

  _onMessage(m) {
    switch (m.type) {
      case "welcome": {
        this.welcome = m;
        const sub = {type: "subscribe"};
        if (this.all) sub.all = true; else sub.lines = this.lines;
        if (Object.keys(this.cursors).length) sub.cursors = this.cursors;
        this._send(sub);
        this._emit("welcome", m);
        break;
      }
      case "resync":
        for (const [h, c] of this.calls) if (c.line.startsWith(m.pbx + "/")) this.calls.delete(h);
        for (const l of m.lines) this.lineState.set(l.name, l);
        for (const c of m.calls) this.calls.set(c.handle, c);
        this.cursors[m.pbx] = {epoch: m.epoch, offset: m.offset};
        this._emit("state", {reason: m.reason});
        break;
      case "synced":
        this._advance(m.pbx, m.epoch, m.offset);
        this._emit("synced", m);
        break;
      case "event":
        if (m.pbx) this._advance(m.pbx, m.epoch, m.offset);
        this._apply(m.event);
        break;
      case "error":
        this._emit("servererror", m);
        break;
    }
  }

  _advance(pbx, epoch, offset) {
    const c = this.cursors[pbx];
    if (!c || c.epoch !== epoch || offset > c.offset) this.cursors[pbx] = {epoch, offset};
  }

  _apply(ev) {
    switch (ev.type) {
      case "LINE_REPLY": {
        const p = this.pending.get(ev.reply.requestId);
        if (p) {
          this.pending.delete(ev.reply.requestId);
          if (ev.reply.result) p.reject(Object.assign(new Error(ev.reply.error || ev.reply.result), {reply: ev.reply}));
          else p.resolve(ev.reply);
        }
        break;
      }
      case "LINE_NEWCALL":
        this.calls.set(ev.handle, ev.call);
        break;
      case "LINE_CALLSTATE": {
        const c = this.calls.get(ev.handle);
        if (ev.callState.state === "LINECALLSTATE_IDLE") this.calls.delete(ev.handle);
        else if (c) Object.assign(c, ev.callState);
        break;
      }
      case "LINE_CALLINFO": {
        const c = this.calls.get(ev.handle);
        if (c) {
          c.info = ev.callInfo.info;
          if (ev.callInfo.callId) c.callId = ev.callInfo.callId;
        }
        break;
      }
      case "LINE_LINEDEVSTATE":
      case "LINE_ADDRESSSTATE":
        this.lineState.set(ev.line, ev.lineState.line);
        break;
    }
    this._emit("event", ev);
    this._emit("state", {event: ev});
  }
}

// lineStatus summarises a line as the dashboard grid shows it (as the REST "status").
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
