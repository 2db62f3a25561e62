// dom.js: small DOM and REST helpers shared by the console's modules, and the console's
// shared state (the SDK client, the user, the own line).

export const $ = (id) => document.getElementById(id);

export const TOKEN_KEY = "ctibridge.token";

// state is what every module reads: the SDK client (null when logged out), /api/v1/me, the
// line this user controls (null if none) and every line it controls (welcome).
export const state = { bridge: null, me: null, myLine: null, controlled: [] };

// el builds an element: attributes (class, data-*, on* listeners, boolean true/false) and
// children (nodes or text).
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// HTTPError is a REST answer other than 2xx; status is the HTTP status.
export class HTTPError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

// api calls the REST API with the session's token.
export async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + sessionStorage.getItem(TOKEN_KEY) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new HTTPError(data.detail || data.title || r.statusText, r.status);
  return data;
}

// flash shows a short message to the user in the status line of the own line.
export function flash(text, kind) {
  const f = $("flash");
  f.textContent = text;
  f.dataset.kind = kind || "info";
  f.hidden = !text;
}
