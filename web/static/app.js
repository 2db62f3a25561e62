// app.js: the attendant console's entry: log in and out, the SDK client and its events, the
// dialer and the timers. Plain DOM code on top of the browser SDK (clients/js/ctibridge.js,
// served by the bridge at /clients/js/ctibridge.js, the same module CRM pages import); REST
// for links, clients and the recent calls. The parts: lines.js (tiles), calls.js (own calls),
// agents.js (the own line's agent bar), wallboard.js (call-centre groups), links.js (header,
// PBX links), history.js, settings.js, notify.js, keys.js, words.js.
import { CTIBridgeClient } from "/clients/js/ctibridge.js";
import { $, TOKEN_KEY, api, el, flash, state } from "./dom.js";
import { DRAG_TYPE, closeTransfer, renderMyLine, transferTo } from "./calls.js";
import { applySearch, renderLines } from "./lines.js";
import { refreshLinks, setConn } from "./links.js";
import { historySoon, refreshHistory, resetHistory } from "./history.js";
import { initSettings, renderSettings } from "./settings.js";
import { initAgentBar, renderAgentBar, resetAgentBar } from "./agents.js";
import { renderWallboard, resetWallboard } from "./wallboard.js";
import { closeStale, initNotify, notifyIncoming } from "./notify.js";
import { initKeys } from "./keys.js";
import { duration, errorWords } from "./words.js";

let timers = [];

async function login(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
  try {
    state.me = await api("GET", "/api/v1/me");
  } catch (err) {
    sessionStorage.removeItem(TOKEN_KEY);
    $("login-error").textContent = "Login failed: " + err.message;
    return;
  }
  $("login-view").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = state.me.user + " (" + state.me.role + ")";
  $("clients-view").hidden = state.me.role !== "admin";
  // The SDK subscribes to every line the token may see, mirrors lines and calls, and
  // reconnects and resumes on its own.
  const b = new CTIBridgeClient({ url: location.origin + "/ws", token, all: true, client: "dashboard" });
  state.bridge = b;
  const mine = (f) => (ev) => { if (state.bridge === b) f(ev); }; // ignore a client logged out of
  let lastClose = 0;
  b.addEventListener("connected", mine((ev) => {
    state.controlled = ev.detail.welcome.lines.filter((l) => l.control).map((l) => l.name);
    pickMyLine();
    setConn("connected", "connected");
    render();
  }));
  b.addEventListener("change", mine(renderSoon));
  b.addEventListener("change", mine(historySoon));
  b.addEventListener("incoming", mine(notifyIncoming));
  b.addEventListener("disconnected", mine((ev) => {
    lastClose = ev.detail.code;
    setConn("reconnecting", "reconnecting…");
  }));
  b.addEventListener("fatal", mine((ev) => {
    const err = ev.detail.error;
    if (err.code === "unauthorized" || lastClose === 4001) logout("token refused");
    else setConn("stopped", "stopped: " + errorWords(err));
  }));
  setConn("connecting", "connecting…");
  b.connect().catch(() => { /* reported by the fatal event */ });
  refreshLinks();
  refreshHistory();
  timers.push(setInterval(refreshLinks, 2000), setInterval(refreshHistory, 5000), setInterval(tick, 1000));
  if (state.me.role === "admin") {
    refreshClients();
    timers.push(setInterval(refreshClients, 3000));
  }
}

function logout(why) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (state.bridge) state.bridge.close();
  Object.assign(state, { bridge: null, me: null, myLine: null, controlled: [] });
  setConn("", "");
  timers.forEach(clearInterval);
  timers = [];
  resetHistory();
  resetAgentBar();
  closeTransfer();
  resetWallboard();
  $("app").hidden = true;
  $("logout").hidden = true;
  $("login-view").hidden = false;
  $("login-error").textContent = why || "";
}

// renderSoon draws once for a burst of changes (a resync, a transfer's events) rather than
// once per event.
let renderTimer = null;
function renderSoon() {
  if (renderTimer === null) renderTimer = setTimeout(() => { renderTimer = null; render(); }, 30);
}

// pickMyLine makes the first line the token controls the own line; a group's line (a
// supervisor's, for the wall board) is none.
function pickMyLine() {
  const group = (n) => { const l = state.bridge.lines.get(n); return !!(l && l.queue); };
  const own = state.controlled.find((n) => !group(n)) || null;
  if (own !== state.myLine) {
    state.myLine = own;
    resetAgentBar();
  }
  $("myline").hidden = !state.myLine;
}

function render() {
  if (!state.bridge) return;
  pickMyLine();
  renderLines();
  renderMyLine();
  renderSettings();
  renderAgentBar();
  renderWallboard();
  closeStale();
  tick();
}

// tick updates every call timer from its start time.
function tick() {
  const now = Date.now();
  for (const t of document.querySelectorAll(".timer[data-since]")) {
    const s = Date.parse(t.dataset.since);
    t.textContent = Number.isNaN(s) ? "" : duration(now - s);
  }
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

async function dial(number) {
  $("dial-result").textContent = "calling " + number + "…";
  try {
    await state.bridge.makeCall(state.myLine, number, { ringFirst: false });
    $("dial-result").textContent = "";
    $("dial-number").value = "";
  } catch (err) {
    $("dial-result").textContent = "Could not call " + number + ": " + errorWords(err);
  }
}

$("login").addEventListener("submit", (ev) => { ev.preventDefault(); login($("token").value.trim()); });
$("logout").addEventListener("click", () => logout());
$("answer").addEventListener("click", () => state.bridge.answer(state.myLine, $("popup").dataset.handle)
  .catch((err) => flash("Answer: " + errorWords(err), "error")));
$("decline").addEventListener("click", () => state.bridge.drop(state.myLine, $("popup").dataset.handle)
  .catch((err) => flash("Decline: " + errorWords(err), "error")));
$("popup").addEventListener("dragstart", (ev) => {
  ev.dataTransfer.setData(DRAG_TYPE, $("popup").dataset.handle);
  ev.dataTransfer.effectAllowed = "move";
});
$("dialer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const n = $("dial-number").value.trim();
  if (n) dial(n);
});
$("xfer").addEventListener("submit", (ev) => {
  ev.preventDefault();
  transferTo($("xfer").dataset.handle, $("xfer-number").value.trim(), ev.submitter && ev.submitter.id === "xfer-ask");
});
$("xfer-cancel").addEventListener("click", closeTransfer);
$("search").addEventListener("input", applySearch);
initSettings();
initAgentBar();
initNotify();
initKeys();
if (sessionStorage.getItem(TOKEN_KEY)) login(sessionStorage.getItem(TOKEN_KEY));
