// settings.js: the own line's settings: do not disturb and call forwarding (all calls to a
// number), as the switch reports them.
import { $, flash, state } from "./dom.js";
import { errorWords } from "./words.js";

const ALL = "LINEFORWARDMODE_UNCOND";

export function renderSettings() {
  const l = state.myLine && state.bridge && state.bridge.lines.get(state.myLine);
  if (!l) return;
  $("dnd").checked = !!l.dnd;
  const fwd = (l.forwarding || []).find((f) => f.mode === ALL) || (l.forwarding || [])[0];
  $("fwd-state").textContent = fwd ? "Forwarded to " + (fwd.destination || "?") : "Not forwarded";
  $("fwd-off").hidden = !fwd;
  $("fwd-off").dataset.mode = fwd ? fwd.mode : "";
}

async function run(what, p) {
  try { await p; flash(""); } catch (err) { flash(what + ": " + errorWords(err), "error"); }
}

export function initSettings() {
  $("dnd").addEventListener("change", () => run("Do not disturb", state.bridge.setDND(state.myLine, $("dnd").checked)));
  $("fwd").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const n = $("fwd-number").value.trim();
    if (n) run("Forward", state.bridge.forward(state.myLine, ALL, n, true).then(() => { $("fwd-number").value = ""; }));
  });
  $("fwd-off").addEventListener("click", () =>
    run("Stop forwarding", state.bridge.forward(state.myLine, $("fwd-off").dataset.mode || ALL, "", false)));
}
