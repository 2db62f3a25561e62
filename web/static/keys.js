// keys.js: keyboard shortcuts (listed in the legend): A answer, H hang up, R hold/retrieve,
// T transfer, P pick up a ringing colleague, D dial, / search, Esc cancel.
import { $ } from "./dom.js";
import { answer, cancelConsult, closeTransfer, focusCall, hangUp, hold, isHeld, isRinging, openTransfer, pendingConsult, retrieve } from "./calls.js";
import { applySearch, pickUp, ringingColleague } from "./lines.js";

function inField(ev) {
  const t = ev.target;
  return t instanceof HTMLElement && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName));
}

// escape closes what is open, innermost first: transfer form, consultation, search.
function escape() {
  if (!$("xfer").hidden) { closeTransfer(); return; }
  if (pendingConsult()) { cancelConsult(); return; }
  if ($("search").value) { $("search").value = ""; applySearch(); }
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
}

const KEYS = {
  a: () => { const c = focusCall(true); if (c && isRinging(c)) answer(c.handle); },
  h: () => { const c = focusCall(false); if (c) hangUp(c.handle); },
  r: () => { const c = focusCall(false); if (c && isHeld(c)) retrieve(c.handle); else if (c && !isRinging(c)) hold(c.handle); },
  t: () => { const c = focusCall(false); if (c && !isHeld(c)) openTransfer(c.handle); },
  p: () => { const l = ringingColleague(); if (l) pickUp(l); },
  d: () => $("dial-number").focus(),
  "/": () => $("search").focus(),
};

export function initKeys() {
  document.addEventListener("keydown", (ev) => {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || $("app").hidden) return;
    if (ev.key === "Escape") { escape(); return; }
    if (inField(ev)) return;
    const f = KEYS[ev.key.toLowerCase()];
    if (!f) return;
    ev.preventDefault();
    f();
  });
}
