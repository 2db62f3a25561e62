// calls.js: the calls of the own line: the incoming call popup, one card per call with its
// timer and buttons (answer, hang up, hold/retrieve, transfer now or after asking), and the
// call actions the tiles and keys use too (dropping a call on a tile transfers it).
import { lineStatus } from "/clients/js/ctibridge.js";
import { $, el, flash, state } from "./dom.js";
import { STATUS, callStateWord, errorWords, partyWords } from "./words.js";

const RINGING = new Set(["LINECALLSTATE_OFFERING", "LINECALLSTATE_ACCEPTED"]);
const HELD = new Set(["LINECALLSTATE_ONHOLD", "LINECALLSTATE_ONHOLDPENDCONF", "LINECALLSTATE_ONHOLDPENDTRANSFER"]);
const TALKING = new Set(["LINECALLSTATE_CONNECTED", "LINECALLSTATE_CONFERENCED"]);

// DRAG_TYPE carries a call's handle from its card to an extension tile.
export const DRAG_TYPE = "application/x-ctibridge-call";

export const isRinging = (c) => RINGING.has(c.state);
export const isHeld = (c) => HELD.has(c.state);

// consult is the transfer being asked for: {held, consult} handles, from setupTransfer.
let consult = null;
let lastKey = "";

// nameOf fills in a party's name from the line directory when the PBX sent none.
export function nameOf(party, pbx) {
  const p = Object.assign({}, party || {});
  if (!p.name && p.number && state.bridge) {
    const l = state.bridge.lines.get(pbx + "/" + p.number);
    if (l && l.displayName) p.name = l.displayName;
  }
  return p;
}

// otherParty is who the line talks to in a call: the caller of an incoming call, else the
// connected or called party.
export function otherParty(call) {
  const line = state.bridge && state.bridge.lines.get(call.line);
  const own = line ? line.address : "";
  const i = call.info || {};
  const p = i.caller && i.caller.number && i.caller.number !== own ? i.caller : (i.connected && i.connected.number ? i.connected : i.called);
  return nameOf(p, call.line.split("/")[0]);
}

// since is when the call's timer starts: answered calls count talk time, others the time in
// their state.
export const since = (c) => (TALKING.has(c.state) || isHeld(c) ? c.connectedAt || c.stateSince : c.stateSince || c.created);

export function myCalls() {
  return state.myLine && state.bridge ? state.bridge.callsOf(state.myLine) : [];
}

// run sends a request and says in words what went wrong.
async function run(what, p) {
  try {
    const r = await p;
    flash("");
    return r;
  } catch (err) {
    flash(what + ": " + errorWords(err), "error");
    return null;
  }
}

const b = () => state.bridge;
export const answer = (h) => run("Answer", b().answer(state.myLine, h));
export const hangUp = (h) => run("Hang up", b().drop(state.myLine, h));
export const hold = (h) => run("Hold", b().hold(state.myLine, h));
export const retrieve = (h) => run("Retrieve", b().unhold(state.myLine, h));

// transferTo sends a call on: a ringing call is redirected, a call in progress is
// transferred blind, or, with ask, held while the target is called first (consultation).
export async function transferTo(h, number, ask) {
  const c = b().calls.get(h);
  if (!c || !number) return;
  closeTransfer();
  if (isRinging(c)) {
    await run("Send on", b().redirect(state.myLine, h, number));
  } else if (ask) {
    const r = await run("Transfer", b().setupTransfer(state.myLine, h, number));
    if (r) consult = { held: h, consult: r.handle };
  } else {
    await run("Transfer", b().blindTransfer(state.myLine, h, number));
  }
}

// pendingConsult is the transfer being asked for, if both its calls still exist.
export function pendingConsult() {
  const calls = b() ? b().calls : new Map();
  if (consult && calls.has(consult.held) && calls.has(consult.consult)) return consult;
  // A consultation started elsewhere (the desk phone): the held call and the other one.
  const mine = myCalls();
  const held = mine.find((c) => c.state === "LINECALLSTATE_ONHOLDPENDTRANSFER");
  const other = held && mine.find((c) => c !== held && !isHeld(c));
  return held && other ? { held: held.handle, consult: other.handle } : null;
}

export async function completeTransfer() {
  const p = pendingConsult();
  if (p && (await run("Transfer", b().completeTransfer(state.myLine, p.held, p.consult)))) consult = null;
}

// cancelConsult ends the consultation call and takes the held call back.
export async function cancelConsult() {
  const p = pendingConsult();
  if (!p) return;
  consult = null;
  await run("Cancel", b().drop(state.myLine, p.consult));
  await run("Retrieve", b().unhold(state.myLine, p.held));
}

// openTransfer shows the transfer form for a call; a click on a tile fills in its number.
export function openTransfer(h) {
  $("xfer").hidden = false;
  $("xfer").dataset.handle = h;
  $("xfer-number").focus();
}

export function closeTransfer() {
  $("xfer").hidden = true;
  $("xfer-number").value = "";
}

// focusCall is the call the keys act on: a ringing call first, then one in progress.
export function focusCall(ringingFirst) {
  const mine = myCalls();
  const r = mine.find(isRinging), a = mine.find((c) => !isRinging(c) && !isHeld(c)), h = mine.find(isHeld);
  return ringingFirst ? r || a || h : a || r || h;
}

function button(act, text, onclick, title) {
  return el("button", { type: "button", "data-act": act, title, onclick }, text);
}

function card(c) {
  const who = otherParty(c);
  const p = pendingConsult();
  const h = c.handle;
  const acts = [];
  if (isRinging(c)) acts.push(button("answer", "Answer", () => answer(h), "A"), button("hangup", "Decline", () => hangUp(h)));
  else if (p && p.held === h) acts.push(button("cancel", "Cancel transfer", cancelConsult, "Esc"));
  else if (isHeld(c)) acts.push(button("retrieve", "Retrieve", () => retrieve(h), "R"), button("hangup", "Hang up", () => hangUp(h)));
  else if (p && p.consult === h) acts.push(button("complete", "Complete transfer", completeTransfer), button("hangup", "Hang up", () => hangUp(h), "H"));
  else {
    if (TALKING.has(c.state)) acts.push(button("hold", "Hold", () => hold(h), "R"), button("transfer", "Transfer…", () => openTransfer(h), "T"));
    acts.push(button("hangup", "Hang up", () => hangUp(h), "H"));
  }
  return el("div", {
    class: "call", "data-handle": h, "data-state": c.state.replace("LINECALLSTATE_", "").toLowerCase(),
    draggable: isRinging(c) || TALKING.has(c.state) || isHeld(c) ? "true" : false,
    title: "Drag onto an extension to transfer",
    ondragstart: (ev) => { ev.dataTransfer.setData(DRAG_TYPE, h); ev.dataTransfer.setData("text/plain", who.number || ""); ev.dataTransfer.effectAllowed = "move"; },
  },
  el("div", { class: "who" }, el("strong", { class: "party" }, who.name || who.number || "unknown caller"), who.name && who.number ? el("span", { class: "number" }, who.number) : null),
  el("div", { class: "meta" }, el("span", { class: "state" }, callStateWord(c.state)), " ", el("span", { class: "timer", "data-since": since(c) || "" })),
  el("div", { class: "actions" }, acts));
}

// renderMyLine draws the own line: state, popup, cards, settings.
export function renderMyLine() {
  if (!state.myLine || !b() || !b().lines.has(state.myLine)) return;
  const line = b().lines.get(state.myLine);
  const calls = myCalls();
  const st = lineStatus(line, calls);
  $("my-name").textContent = line.address + (line.displayName ? " " + line.displayName : "");
  $("my-name").dataset.own = line.name;
  $("my-state").textContent = STATUS[st] || st;
  $("my-state").dataset.status = st;
  const ringing = calls.find(isRinging);
  $("popup").hidden = !ringing;
  if (ringing) {
    const who = otherParty(ringing);
    $("popup-name").textContent = who.name || "";
    $("popup-caller").textContent = who.number || partyWords(who);
    $("popup").dataset.handle = ringing.handle;
    $("popup-timer").dataset.since = since(ringing) || "";
  }
  const shown = calls.filter((c) => c !== ringing); // the popup shows the ringing call
  // Redrawn only when something shown changed, so that a card being dragged stays in place.
  const key = JSON.stringify([shown.map((c) => [c.handle, c.state, c.info, c.connectedAt, c.stateSince]), pendingConsult()]);
  if (key !== lastKey) {
    lastKey = key;
    $("calls").replaceChildren(...shown.map(card));
  }
  if (!$("xfer").hidden && !b().calls.has($("xfer").dataset.handle)) closeTransfer();
}
