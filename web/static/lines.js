// lines.js: the extension tiles, grouped by PBX with its label and filtered by the search box.
// A tile shows the line's state in words, who is on it and for how long; a ringing
// colleague's tile offers "Pick up"; dropping one of the own calls on a tile transfers it
// there, and a click on a tile puts its number into the open transfer form or the dialer.
import { lineStatus } from "/clients/js/ctibridge.js";
import { $, el, flash, state } from "./dom.js";
import { STATUS, errorWords } from "./words.js";
import { DRAG_TYPE, isRinging, otherParty, since, transferTo } from "./calls.js";

// pickUp takes the call ringing at a colleague's line onto the own line.
export async function pickUp(lineName) {
  const l = state.bridge && state.bridge.lines.get(lineName);
  if (!l || !state.myLine) return;
  try {
    await state.bridge.pickup(state.myLine, l.address);
    flash("");
  } catch (err) {
    flash("Pick up: " + errorWords(err), "error");
  }
}

// ringingColleague is the first visible colleague's line that rings, for the P key.
export function ringingColleague() {
  const t = document.querySelector('#grid .ext[data-status="ringing"]:not(.mine):not([hidden])');
  return t ? t.dataset.line : null;
}

const samePBX = (a, b) => a.split("/")[0] === b.split("/")[0];

function onDrop(ev, l) {
  const h = ev.dataTransfer.getData(DRAG_TYPE);
  ev.currentTarget.classList.remove("drop");
  if (!h || l.name === state.myLine) return;
  ev.preventDefault();
  transferTo(h, l.address, ev.shiftKey);
}

// dropAllowed: a call of the own line can go to another in-service line of the same PBX.
function dropAllowed(ev, l) {
  return ev.dataTransfer.types.includes(DRAG_TYPE) && state.myLine && l.name !== state.myLine &&
    samePBX(l.name, state.myLine) && l.inService;
}

function onTileClick(l) {
  if (!$("xfer").hidden) { $("xfer-number").value = l.address; $("xfer-number").focus(); return; }
  if (l.name !== state.myLine) $("dial-number").value = l.address;
}

function tile(l) {
  const calls = state.bridge.callsOf(l.name);
  const st = lineStatus(l, calls);
  const mine = l.name === state.myLine;
  const call = calls.find((c) => !isRinging(c)) || calls[0];
  const who = call ? otherParty(call) : null;
  const canPick = st === "ringing" && !mine && state.myLine && samePBX(l.name, state.myLine);
  return el("div", {
    class: "ext " + st + (mine ? " mine" : ""), "data-line": l.name, "data-status": st, "data-pbx": l.pbx,
    "data-search": [l.address, l.displayName || "", l.pbx].join(" ").toLowerCase(),
    tabindex: "0", title: mine ? "your line" : "click: use this number; drop a call here: transfer (Shift: ask first)",
    onclick: (ev) => { if (!ev.target.closest("button")) onTileClick(l); },
    onkeydown: (ev) => { if (ev.key === "Enter" && ev.target === ev.currentTarget) onTileClick(l); },
    ondragover: (ev) => { if (dropAllowed(ev, l)) { ev.preventDefault(); ev.currentTarget.classList.add("drop"); } },
    ondragleave: (ev) => ev.currentTarget.classList.remove("drop"),
    ondrop: (ev) => onDrop(ev, l),
  },
  el("div", { class: "top" }, el("span", { class: "num" }, l.address), el("span", { class: "name" }, l.displayName || "")),
  el("div", { class: "status" }, STATUS[st] || st, call ? el("span", { class: "timer", "data-since": since(call) || "" }) : null),
  who && (who.name || who.number) ? el("div", { class: "who" }, who.name || who.number) : null,
  !call && st === "forwarded" ? el("div", { class: "who" }, "to " + ((l.forwarding || [])[0].destination || "?")) : null,
  canPick ? el("button", { type: "button", class: "pickup", "data-act": "pickup", title: "P", onclick: () => pickUp(l.name) }, "Pick up") : null);
}

// renderLines redraws the grid: one group per PBX, the own line first within it.
export function renderLines() {
  if (!state.bridge) return;
  const byPBX = new Map();
  // Group lines (queue figures, no calls) are on the wall board, not tiles.
  const all = [...state.bridge.lines.values()].filter((l) => !l.queue).sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  for (const l of all) {
    if (!byPBX.has(l.pbx)) byPBX.set(l.pbx, []);
    byPBX.get(l.pbx).push(l);
  }
  const groups = [...byPBX.keys()].sort().map((pbx) => el("div", { class: "group", "data-pbx": pbx },
    el("h3", {}, el("span", { class: "pbx-label" }, pbx), " ", el("span", { class: "count" }, "")),
    el("div", { class: "tiles" }, byPBX.get(pbx).map(tile))));
  $("grid").replaceChildren(...groups);
  applySearch();
}

// applySearch hides the tiles (and groups) that do not match the search box: number, name
// or PBX, every word.
export function applySearch() {
  const words = $("search").value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const g of $("grid").querySelectorAll(".group")) {
    let shown = 0, total = 0;
    for (const t of g.querySelectorAll(".ext")) {
      const ok = words.every((w) => t.dataset.search.includes(w));
      t.hidden = !ok;
      total++;
      if (ok) shown++;
    }
    g.hidden = shown === 0;
    g.querySelector(".count").textContent = words.length ? `${shown} of ${total}` : `${total} line${total === 1 ? "" : "s"}`;
  }
}
