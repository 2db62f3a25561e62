// app.js: the dashboard. Plain DOM code on top of the browser SDK (clients/js/ctibridge.js,
// served by the bridge at /clients/js/ctibridge.js, the same module CRM pages import); REST for
// links, clients and the recent calls.
import { CTIBridgeClient, lineStatus } from "/clients/js/ctibridge.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "ctibridge.token";
let bridge = null;
let me = null;
let myLine = null;
let timers = [];

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(data.detail || r.statusText);
  return data;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

async function login(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    me = await api("GET", "/api/v1/me");
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    $("login-error").textContent = "Login failed: " + err.message;
    return;
  }
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = me.user + " (" + me.role + ")";
  $("clients-view").hidden = me.role !== "admin";
  // The SDK turns this page's http(s) origin into its ws(s)://host/ws, subscribes to every line
  // the token may see, mirrors lines and calls, and reconnects and resumes on its own.
  const b = new CTIBridgeClient({ url: location.origin + "/ws", token, all: true, client: "dashboard" });
  bridge = b;
  const mine = (f) => (ev) => { if (bridge === b) f(ev); }; // ignore a client logged out of
  let lastClose = 0;
  b.addEventListener("connected", mine((ev) => {
    const own = ev.detail.welcome.lines.find((l) => l.control);
    myLine = own ? own.name : null;
    $("my-name").textContent = myLine ? myLine : "(none)";
    $("myline").hidden = !myLine;
    connState("connected", "connected to " + ev.detail.welcome.instance);
    render();
  }));
  b.addEventListener("change", mine(render));
  b.addEventListener("change", mine(historySoon));
  b.addEventListener("disconnected", mine((ev) => {
    lastClose = ev.detail.code;
    connState("reconnecting", "reconnecting…");
  }));
  b.addEventListener("fatal", mine((ev) => {
    const err = ev.detail.error;
    if (err.code === "unauthorized" || lastClose === 4001) logout("token refused");
    else connState("stopped", "stopped: " + err.message);
  }));
  connState("connecting", "connecting…");
  b.connect().catch(() => { /* reported by the fatal event */ });
  refreshLinks();
  timers.push(setInterval(refreshLinks, 2000));
  refreshHistory();
  timers.push(setInterval(refreshHistory, 5000));
  if (me.role === "admin") {
    refreshClients();
    timers.push(setInterval(refreshClients, 3000));
  }
}

function logout(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (bridge) bridge.close();
  bridge = null;
  myLine = null;
  connState("", "");
  timers.forEach(clearInterval);
  timers = [];
  $("app").hidden = true;
  $("logout").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = why || "";
}

function connState(state, text) {
  $("conn").textContent = text;
  $("conn").dataset.state = state;
  $("conn").hidden = !state;
}

function render() {
  if (!bridge) return;
  const grid = $("grid");
  const lines = [...bridge.lines.values()].sort((a, b) => a.name.localeCompare(b.name));
  grid.replaceChildren(...lines.map((l) => {
    const st = lineStatus(l, bridge.callsOf(l.name));
    return el("div", { class: "ext " + st, "data-line": l.name, "data-status": st },
      el("div", { class: "num" }, l.address), el("div", {}, l.displayName || ""), el("div", {}, st.replace(/_/g, " ")));
  }));
  if (!myLine || !bridge.lines.has(myLine)) return;
  const calls = bridge.callsOf(myLine);
  const line = bridge.lines.get(myLine);
  const st = lineStatus(line, calls);
  $("my-state").textContent = st;
  $("my-state").dataset.status = st;
  const ringing = calls.find((c) => c.state === "LINECALLSTATE_OFFERING" || c.state === "LINECALLSTATE_ACCEPTED");
  const active = calls.find((c) => c !== ringing);
  $("popup").hidden = !ringing;
  if (ringing) {
    const caller = ringing.info.caller || {};
    $("popup-caller").textContent = caller.number || "unknown";
    $("popup-name").textContent = caller.name || "";
    $("answer").dataset.handle = ringing.handle;
  }
  const hang = active || ringing;
  $("hangup").hidden = !hang;
  if (hang) $("hangup").dataset.handle = hang.handle;
  $("current").textContent = active
    ? active.state.replace("LINECALLSTATE_", "").toLowerCase() + " with " + ((active.info.connected || active.info.called || active.info.caller || {}).number || "?")
    : "";
}

async function refreshLinks() {
  try {
    const { links } = await api("GET", "/api/v1/links");
    $("links").tBodies[0].replaceChildren(...links.map((l) => {
      const actions = el("td", {});
      if (me.role === "admin") {
        actions.append(
          el("button", { onclick: () => adminAction(l.pbx, "switchover") }, "Switchover"),
          el("button", { onclick: () => adminAction(l.pbx, "failback") }, "Failback"));
      }
      const so = l.lastSwitchover;
      return el("tr", { "data-pbx": l.pbx },
        el("td", {}, l.pbx), el("td", { class: "active" }, l.active || "none"), el("td", {}, l.owner),
        el("td", {}, l.nodes.map((n) => n.role + ": " + n.status + (n.lastRttNs ? " (" + (n.lastRttNs / 1e6).toFixed(1) + " ms)" : "")).join(", ")),
        el("td", {}, so ? so.from + " → " + so.to + ": " + so.reason + " (" + so.at + ")" : "—"),
        actions);
    }));
  } catch (err) { /* shown on the next successful refresh */ }
}

// The recent calls: the newest records of the call history the token may see. A change of
// the lines (a call may have ended) reloads them soon after, at most twice a second.
const HISTORY_ROWS = 20;
let historyTimer = null;
function historySoon() {
  if (historyTimer === null) historyTimer = setTimeout(() => { historyTimer = null; refreshHistory(); }, 500);
}

const party = (p) => (p ? [p.number, p.name].filter(Boolean).join(" ") : "");
const secs = (ms) => (ms ? (ms / 1000).toFixed(1) + " s" : "");

async function refreshHistory() {
  try {
    const { records } = await api("GET", "/api/v1/history?limit=" + HISTORY_ROWS);
    $("history").tBodies[0].replaceChildren(...records.map((r) => el("tr", { "data-id": r.id, "data-line": r.line, "data-outcome": r.outcome },
      el("td", {}, new Date(r.ended).toLocaleTimeString()), el("td", {}, r.line), el("td", {}, r.direction),
      el("td", { class: "outcome" }, r.outcome), el("td", {}, party(r.caller)), el("td", {}, party(r.called)),
      el("td", {}, party(r.answeredBy)), el("td", {}, secs(r.ringMs)), el("td", {}, secs(r.talkMs)))));
  } catch (err) { /* retried by the timer */ }
}

async function adminAction(pbx, action) {
  const reason = prompt(action + " of " + pbx + ": reason?", "dashboard");
  if (reason === null) return;
  try { await api("POST", "/api/v1/links/" + encodeURIComponent(pbx) + "/" + action, { reason }); }
  catch (err) { alert(action + " failed: " + err.message); }
  refreshLinks();
}

async function refreshClients() {
  try {
    const { clients } = await api("GET", "/api/v1/clients");
    $("clients").tBodies[0].replaceChildren(...clients.map((c) => el("tr", {},
      el("td", {}, c.user), el("td", {}, c.remote), el("td", {}, c.client || c.protocol), el("td", {}, c.lines.join(" ")),
      el("td", {}, new Date(c.connectedSince).toLocaleTimeString()), el("td", {}, c.messagesIn), el("td", {}, c.messagesOut),
      el("td", {}, c.queueDepth))));
  } catch (err) { /* retried by the timer */ }
}

$("login").addEventListener("submit", (ev) => { ev.preventDefault(); login($("token").value.trim()); });
$("logout").addEventListener("click", () => logout());
$("answer").addEventListener("click", () =>
  bridge.answer(myLine, $("answer").dataset.handle).catch((e) => ($("dial-result").textContent = e.message)));
$("hangup").addEventListener("click", () =>
  bridge.drop(myLine, $("hangup").dataset.handle).catch((e) => ($("dial-result").textContent = e.message)));
$("dialer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const number = $("dial-number").value.trim();
  if (!number) return;
  $("dial-result").textContent = "dialling…";
  try {
    const rep = await bridge.makeCall(myLine, number, { ringFirst: false });
    $("dial-result").textContent = "call " + rep.handle;
    $("dial-result").dataset.handle = rep.handle;
  } catch (err) {
    $("dial-result").textContent = "failed: " + err.message;
  }
});
if (sessionStorage.getItem(TOKEN_KEY)) login(sessionStorage.getItem(TOKEN_KEY));
