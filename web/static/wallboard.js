// wallboard.js: the supervisor's wall board. One board per call-centre (ACD or hunt) group
// whose line the token may see (supervisors and admins: every group; a user: the groups among
// its lines, as GET /api/v1/groups allows): calls waiting, the longest wait (ticking), the
// agents by state, and each agent the token may see with its state and how long it has held
// it. Everything comes from the SDK's mirror: the group lines' queue figures
// (LINE_QUEUESTATUS) and the agent lines' entries (LINE_AGENTSTATUS), as in
// GET /api/v1/groups/{pbx}/{ext} and GET /api/v1/agents.
import { $, el, state } from "./dom.js";
import { agentClass, agentWords } from "./words.js";
import { groupName } from "./agents.js";

const byName = (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true });

// groupLines are the visible lines that carry queue figures.
export function groupLines() {
  if (!state.bridge) return [];
  return [...state.bridge.lines.values()].filter((l) => l.queue).sort(byName);
}

function figure(name, n, label, cls) {
  return el("div", { class: "fig" + (cls ? " a-" + cls : ""), "data-fig": name }, el("b", {}, n), " ", label);
}

// agentRows are the visible agents of group g (its PBX's lines with an entry for it).
function agentRows(g) {
  const rows = [];
  for (const l of [...state.bridge.lines.values()].sort(byName)) {
    if (l.pbx !== g.pbx || l.queue) continue;
    const a = (l.agents || []).find((x) => x.group === g.address);
    if (!a) continue;
    const cls = agentClass(a.state);
    rows.push(el("tr", { class: "a-" + cls, "data-line": l.name, "data-state": cls },
      el("td", {}, el("b", {}, l.address), " ", l.displayName || ""),
      el("td", { class: "word" }, agentWords(a.state), a.reasonCode ? el("span", { class: "reason" }, " (" + a.reasonCode + ")") : null),
      el("td", {}, a.state === "LINEAGENTSTATE_LOGGEDOFF" ? "" : el("span", { class: "timer", "data-since": a.since || "" }))));
  }
  return rows;
}

function board(g) {
  const q = g.queue;
  const waiting = (q.waiting || []).length;
  const rows = agentRows(g);
  return el("div", { class: "board", "data-group": g.name },
    el("h3", {}, el("span", { class: "pbx-label" }, g.pbx), " Group ", groupName(g.pbx, g.address),
      " ", el("span", { class: "count" }, `${q.loggedOn} logged on`)),
    el("div", { class: "figures" },
      figure("waiting", waiting, waiting === 1 ? "call waiting" : "calls waiting", waiting ? "waiting" : ""),
      el("div", { class: "fig", "data-fig": "longest" },
        q.longestWaitStart ? el("b", { class: "timer", "data-since": q.longestWaitStart }) : el("b", {}, "–"), " longest wait"),
      figure("ready", q.ready, "ready", "ready"),
      figure("busy", q.busy, "on a group call", "busy"),
      figure("wrapUp", q.wrapUp, "wrap-up", "wrapup"),
      figure("notReady", q.notReady, "not ready", "notready")),
    rows.length ? el("div", { class: "scroll" }, el("table", { class: "agents" },
      el("thead", {}, el("tr", {}, el("th", {}, "Agent"), el("th", {}, "State"), el("th", {}, "For"))),
      el("tbody", {}, rows))) : el("p", { class: "hint" }, "No agent of this group on the lines you may see."));
}

// renderWallboard redraws the boards; hidden when the token sees no group.
export function renderWallboard() {
  const groups = groupLines();
  $("wallboard").hidden = groups.length === 0;
  $("boards").replaceChildren(...groups.map(board));
}

// resetWallboard empties the boards (logged out).
export function resetWallboard() {
  $("wallboard").hidden = true;
  $("boards").replaceChildren();
}
