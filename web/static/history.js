// history.js: the recent calls, from GET /api/v1/history (the call history). A bridge
// without that endpoint (404) shows no panel and no error.
import { $, api, el, state } from "./dom.js";
import { duration } from "./words.js";

const ROWS = 20;
const OUTCOME = { answered: "answered", missed: "missed", abandoned: "caller hung up", busy: "busy", failed: "failed", forwarded: "forwarded", pickedUp: "picked up elsewhere" };
const DIRECTION = { inbound: "in", outbound: "out", internal: "internal", unknown: "" };
let soon = null;
let absent = false;

const party = (p) => (p ? [p.number, p.name].filter(Boolean).join(" ") : "");

export function resetHistory() {
  absent = false;
  clearTimeout(soon);
  soon = null;
}

// historySoon reloads shortly after the lines changed (a call may have ended), at most twice
// a second.
export function historySoon() {
  if (soon === null && !absent) soon = setTimeout(() => { soon = null; refreshHistory(); }, 500);
}

export async function refreshHistory() {
  if (absent || !state.me) return;
  const q = "?limit=" + ROWS + (state.myLine && state.me.role === "user" ? "&line=" + encodeURIComponent(state.myLine) : "");
  let records;
  try {
    ({ records } = await api("GET", "/api/v1/history" + q));
  } catch (err) {
    if (err.status === 404) { absent = true; $("recent").hidden = true; }
    return; // other failures: retried by the timer
  }
  $("recent").hidden = false;
  $("history").tBodies[0].replaceChildren(...(records || []).map((r) => el("tr", { "data-id": r.id, "data-line": r.line, "data-outcome": r.outcome, class: r.outcome },
    el("td", {}, r.ended ? new Date(r.ended).toLocaleTimeString() : ""), el("td", {}, r.line),
    el("td", {}, DIRECTION[r.direction] || r.direction || ""), el("td", { class: "outcome" }, OUTCOME[r.outcome] || r.outcome || ""),
    el("td", {}, party(r.caller)), el("td", {}, party(r.answeredBy) || (typeof r.called === "string" ? r.called : party(r.called))),
    el("td", {}, r.talkMs ? duration(r.talkMs) : ""))));
}
