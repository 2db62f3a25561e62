// history.js: the recent calls, from GET /api/v1/history (the call history). A bridge
// without that endpoint (404) shows no panel and no error.
import { $, api, el, state } from "./dom.js";
import { duration, partyWords } from "./words.js";

const ROWS = 20;
const OUTCOME = { answered: "answered", missed: "missed", abandoned: "caller hung up", busy: "busy", failed: "failed", forwarded: "forwarded", pickedUp: "picked up elsewhere" };
const DIRECTION = { inbound: "↘", outbound: "↗", internal: "↔" };
let soon = null;
let absent = false;

// who is the other party of a record: the caller of a call that came in, else whom the line
// called (a string or a party).
function who(r) {
  const own = (r.line || "").split("/")[1];
  const p = r.direction === "outbound" || (r.caller && r.caller.number === own) ? r.called : r.caller;
  return typeof p === "string" ? p : partyWords(p);
}

// when is the time a call ended, with the date when it was not today.
function when(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  const t = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return d.toDateString() === new Date().toDateString() ? t : d.toLocaleDateString([], { day: "numeric", month: "short" }) + " " + t;
}

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
  if (!records || !records.length) {
    $("history").tBodies[0].replaceChildren(el("tr", {}, el("td", { colspan: "5", class: "empty" }, "No calls yet")));
    return;
  }
  $("history").tBodies[0].replaceChildren(...records.map((r) => el("tr", { "data-id": r.id, "data-line": r.line, "data-outcome": r.outcome, class: r.outcome },
    el("td", { title: r.ended || "" }, when(r.ended)),
    el("td", { class: "who" }, DIRECTION[r.direction] ? el("span", { class: "dir", title: r.direction }, DIRECTION[r.direction]) : null, who(r)),
    el("td", { title: r.line }, r.line.split("/")[1] || r.line),
    el("td", { class: "outcome" }, OUTCOME[r.outcome] || r.outcome || ""),
    el("td", {}, r.talkMs ? duration(r.talkMs) : ""))));
}
