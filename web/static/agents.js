// agents.js: the agent bar of the own line: its state in each call-centre (ACD) group with the
// time since it began, and log on, ready, not ready (with a reason code) and log off, sent as
// setAgentState. The switch answers with LINE_AGENTSTATUS, which redraws the bar. Wrap-up shows
// how long it has lasted: neither CSTA's events nor the bridge know the switch's wrap-up time,
// so the remaining time cannot be shown.
import { $, el, flash, state } from "./dom.js";
import { agentClass, agentWords, errorWords } from "./words.js";

const LOGGEDOFF = "LINEAGENTSTATE_LOGGEDOFF", READY = "LINEAGENTSTATE_READY", NOTREADY = "LINEAGENTSTATE_NOTREADY";

// groupName is "600 Sales" when the group's line (and its name) is visible, else "600".
export function groupName(pbx, group) {
  const g = state.bridge && state.bridge.lines.get(pbx + "/" + group);
  return group + (g && g.displayName ? " " + g.displayName : "");
}

// set asks the switch for agentState in group; false when refused (said in the flash line).
async function set(group, agentState, what) {
  const reason = agentState === "notReady" || agentState === "loggedOff" ? $("agent-reason").value.trim() : "";
  try {
    await state.bridge.setAgentState(state.myLine, agentState, group, reason);
    flash("");
    return true;
  } catch (err) {
    flash(what + ": " + errorWords(err), "error");
    return false;
  }
}

const button = (act, label, group, title) =>
  el("button", { type: "button", "data-act": act, title, onclick: () => set(group, act, label) }, label);

// actions are what an agent in state st may ask for (a request while busy waits for the
// call's end at the switch: "then ..." shows it).
function actions(a) {
  if (a.state === LOGGEDOFF) return [button("loggedOn", "Log on", a.group)];
  const out = [];
  if (a.state !== READY) out.push(button("ready", "Ready", a.group, "take calls from the group"));
  if (a.state !== NOTREADY) out.push(button("notReady", "Not ready", a.group, "no calls from the group (reason code from the box)"));
  out.push(button("loggedOff", "Log off", a.group));
  return out;
}

function row(pbx, a) {
  const cls = agentClass(a.state);
  return el("div", { class: "agent a-" + cls, "data-group": a.group, "data-state": cls },
    el("span", { class: "grp" }, "Group " + groupName(pbx, a.group)),
    el("span", { class: "word" }, agentWords(a.state)),
    a.state !== LOGGEDOFF ? el("span", { class: "timer", "data-since": a.since || "" }) : null,
    a.reasonCode ? el("span", { class: "reason" }, "reason " + a.reasonCode) : null,
    a.nextState ? el("span", { class: "next" }, "then " + agentWords(a.nextState)) : null,
    el("span", { class: "actions" }, actions(a)));
}

let lastKey = "";

// renderAgentBar draws the own line's agent entries; the log-on form stays for other groups.
export function renderAgentBar() {
  const l = state.myLine && state.bridge && state.bridge.lines.get(state.myLine);
  if (!l) return;
  const agents = l.agents || [];
  const key = JSON.stringify(agents.map((a) => [a.group, a.state, a.since, a.reasonCode, a.nextState, groupName(l.pbx, a.group)]));
  if (key === lastKey) return;
  lastKey = key;
  $("agent-groups").replaceChildren(...agents.map((a) => row(l.pbx, a)));
  const on = agents.some((a) => a.state !== LOGGEDOFF);
  $("agent-reason-label").hidden = !on;
  $("agent-logon-summary").textContent = agents.length ? "Log on to another group" : "Call centre: log on to a group";
}

// resetAgentBar empties the bar (logged out).
export function resetAgentBar() {
  lastKey = "";
  $("agent-groups").replaceChildren();
  $("agent-reason").value = "";
}

export function initAgentBar() {
  $("agent-logon-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const g = $("agent-group").value.trim();
    if (!g) return;
    set(g, "loggedOn", "Log on").then((ok) => {
      if (!ok) return;
      $("agent-group").value = "";
      $("agent-logon").open = false;
    });
  });
}
