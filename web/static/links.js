// links.js: the header's status (connection to the bridge, then the PBX links' trouble) and
// the PBX links table, from GET /api/v1/links.
import { $, api, el, state } from "./dom.js";
import { linkTrouble } from "./words.js";

let conn = { state: "", text: "" };
let trouble = [];

// setConn records the state of the bridge connection ("connecting", "connected",
// "reconnecting", "stopped", "" when logged out).
export function setConn(st, text) {
  conn = { state: st, text };
  if (!st) trouble = [];
  renderHeader();
}

// renderHeader: while the bridge is connected, PBX trouble replaces "connected", because
// calls cannot be placed or seen while a PBX is unreachable.
function renderHeader() {
  const c = $("conn");
  const bad = conn.state === "connected" && trouble.length > 0;
  c.dataset.state = bad ? "trouble" : conn.state;
  c.textContent = bad ? trouble[0] + (trouble.length > 1 ? ` (+${trouble.length - 1} more)` : "") : conn.text;
  c.title = bad ? trouble.join("\n") : "";
  c.hidden = !conn.state;
}

const ms = (ns) => (ns ? ` ${(ns / 1e6).toFixed(1)} ms` : "");

export async function refreshLinks() {
  let links;
  try {
    ({ links } = await api("GET", "/api/v1/links"));
  } catch (err) {
    return; // shown on the next successful refresh
  }
  if (!state.me) return;
  trouble = links.map(linkTrouble).filter(Boolean);
  renderHeader();
  $("links").tBodies[0].replaceChildren(...links.map((l) => {
    const actions = el("td", {});
    if (state.me.role === "admin") {
      actions.append(
        el("button", { type: "button", onclick: () => adminAction(l.pbx, "switchover") }, "Switchover"),
        el("button", { type: "button", onclick: () => adminAction(l.pbx, "failback") }, "Failback"));
    }
    const so = l.lastSwitchover;
    const t = linkTrouble(l);
    return el("tr", { "data-pbx": l.pbx, class: t ? "trouble" : "" },
      el("td", {}, l.pbx), el("td", { class: "active" }, l.active || "none"),
      el("td", {}, l.nodes.map((n) => `${n.role}: ${n.status}${n.status === "up" ? ms(n.lastRttNs) : ""}`).join(", ")),
      el("td", { class: "problem" }, t ? t.replace(l.pbx + ": ", "") + (l.unmonitoredHint ? ": " + l.unmonitoredHint : "") : "OK"),
      el("td", {}, so ? `${so.from} → ${so.to}: ${so.reason} (${new Date(so.at).toLocaleString()})` : "—"),
      actions);
  }));
}

async function adminAction(pbx, action) {
  const reason = prompt(action + " of " + pbx + ": reason?", "console");
  if (reason === null) return;
  try { await api("POST", "/api/v1/links/" + encodeURIComponent(pbx) + "/" + action, { reason }); }
  catch (err) { alert(action + " failed: " + err.message); }
  refreshLinks();
}
