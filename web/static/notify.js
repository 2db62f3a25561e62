// notify.js: a browser notification with the caller's name when a call rings the own line.
// Permission is asked only from a click (browsers ignore the request otherwise).
import { $, state } from "./dom.js";
import { otherParty } from "./calls.js";

const shown = new Map(); // call handle -> Notification

export function initNotify() {
  const btn = $("notify-on");
  const supported = typeof Notification !== "undefined";
  btn.hidden = !supported || Notification.permission !== "default";
  btn.addEventListener("click", async () => {
    await Notification.requestPermission();
    btn.hidden = Notification.permission !== "default";
  });
}

// notifyIncoming is the SDK's "incoming" listener.
export function notifyIncoming(ev) {
  const { line, call } = ev.detail;
  if (line !== state.myLine || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const who = otherParty(call);
  const n = new Notification("Call from " + (who.name || who.number || "unknown caller"), {
    body: who.name && who.number ? who.number : "", tag: call.handle, requireInteraction: true,
  });
  n.onclick = () => { window.focus(); n.close(); };
  shown.set(call.handle, n);
}

// closeStale closes the notifications of calls that stopped ringing.
export function closeStale() {
  for (const [h, n] of shown) {
    const c = state.bridge && state.bridge.calls.get(h);
    if (!c || (c.state !== "LINECALLSTATE_OFFERING" && c.state !== "LINECALLSTATE_ACCEPTED")) {
      n.close();
      shown.delete(h);
    }
  }
}
