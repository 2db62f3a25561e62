// wallboard.js: the supervisor's wall board. One board per call-centre (ACD or hunt) group
// whose line the token may see (supervisors and admins: every group; a user: the groups among
// its lines, as GET /api/v1/groups allows): calls waiting, the longest wait (ticking), the
// agents by state, and each agent the token may see with its state and how long it has held
// it. Everything comes from the SDK's mirror: the group lines' queue figures
// (LINE_QUEUESTATUS) and the agent lines' entries (LINE_AGENTSTATUS), as in
// GET /api/v1/groups/{pbx}/{ext} and GET /api/v1/agents. A supervisor whose lines include a
// group's line may set its agents' states: ready, not ready, log off.
import { $, el, flash, state } from "./dom.js";
import { agentClass, agentWords, errorWords } from "./words.js";
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

// supervises reports whether the token may set the states of g's agents: a supervisor whose
// lines include the group's line (the bridge's check, ws_command.go supervisesAgent).
function supervises(g) {
  return state.me && state.me.role === "supervisor" && state.controlled.includes(g.name);
}

async function setAgent(line, act, g, label) {
  try {
    await state.bridge.setAgentState(line, act, g.address, "");
    flash("");
  } catch (err) {
    flash(label + " " + line + ": " + errorWords(err), "error");
  }
}

// supervisorActions are the buttons of a supervised agent's row: ready, not ready, log off.
function supervisorActions(l, a, g) {
  if (a.state === "LINEAGENTSTATE_LOGGEDOFF") return [];
  const b = (act, label) => el("button", { type: "button", "data-act": act, onclick: () => setAgent(l.name, act, g, label) }, label);
  const out = [];
  if (a.state !== "LINEAGENTSTATE_READY") out.push(b("ready", "Ready"));
  if (a.state !== "LINEAGENTSTATE_NOTREADY") out.push(b("notReady", "Not ready"));
  out.push(b("loggedOff", "Log off"));
  return out;
}

// agentRows are the visible agents of group g (its PBX's lines with an entry for it).
function agentRows(g) {
  const sup = supervises(g);
  const rows = [];
  for (const l of [...state.bridge.lines.values()].sort(byName)) {
    if (l.pbx !== g.pbx || l.queue) continue;
    const a = (l.agents || []).find((x) => x.group === g.address);
    if (!a) continue;
    const cls = agentClass(a.state);
    rows.push(el("tr", { class: "a-" + cls, "data-line": l.name, "data-state": cls },
      el("td", {}, el("b", {}, l.address), " ", l.displayName || ""),
      el("td", { class: "word" }, agentWords(a.state), a.reasonCode ? el("span", { class: "reason" }, " (" + a.reasonCode + ")") : null),
      el("td", {}, a.state === "LINEAGENTSTATE_LOGGEDOFF" ? "" : el("span", { class: "timer", "data-since": a.since || "" })),
      sup ? el("td", { class: "actions" }, supervisorActions(l, a, g)) : null));
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
      el("thead", {}, el("tr", {}, el("th", {}, "Agent"), el("th", {}, "State"), el("th", {}, "For"), supervises(g) ? el("th", {}, "Set") : null)),
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
