// The reading room (docs/readings.md). The live panel (#reading-live) is server HTML: swapped in by
// the event stream (`reading-<id>`) and by each heartbeat's answer. This module only
//  - sends the heartbeat (at once, then every 10 s, with the panel's version: an unchanged panel
//    comes back as 204 and stays, its answer carrying the meter's limit, X-Limit-Ms, which moves
//    on as minutes are reserved) and the leave beacon on pagehide,
//  - ticks the clock, the cost and the countdowns between updates (display only: the server's
//    figures replace them at each update); the clock stops at the minutes reserved, and while it
//    waits there it asks for the panel every 2 s (the next minute is normally reserved ahead).
//    The client's cost and balance come from one figure, the panel's `data-funds` (what the client
//    had for this reading): balance = funds − cost, written together in the same tick, so cost +
//    balance always equals the wallet's money for the reading,
//  - reloads the page when the phase changes (waiting → room → summary), unless the page is already
//    on its way (an HX-Redirect after End, a plain form): one navigation, never two,
//  - keeps the chat scrolled to the newest line; Enter sends on a laptop (Shift+Enter: new line;
//    on a touch screen Enter is a new line and Send sends),
//  - Leave and End: their confirmations close with "Stay" / "Keep reading" and Escape, and focus
//    goes to the safe choice when they open and back to their button when they close,
//  - opens the in-room top-up from the low-balance warning, and asks for the fresh panel as soon
//    as a top-up made there is credited (`wallet-credited`, sent by the wallet's fragment).

const root = document.querySelector("[data-reading-room]");
if (root) start(root);

function start(root) {
  const live = document.getElementById("reading-live");
  const csrf = root.dataset.csrf;
  const heartbeatUrl = root.dataset.heartbeatUrl;
  const leaveUrl = root.dataset.leaveUrl;
  let base = null;
  let left = false;
  let askedAt = 0;

  function onStatus() {
    const status = live.querySelector(".reading-status");
    if (!status) return;
    if (status.dataset.phase !== root.dataset.phase) {
      leaveOnce(() => window.location.reload());
      return;
    }
    base = {
      at: performance.now(),
      meteredMs: Number(status.dataset.meteredMs),
      limitMs: Number(status.dataset.limitMs),
      minuteMs: Number(status.dataset.minuteMs),
      rate: Number(status.dataset.rate),
      funds: status.dataset.funds === undefined ? null : Number(status.dataset.funds),
      running: status.dataset.running === "1",
      countdowns: [...status.querySelectorAll("[data-countdown]")].map((element) => ({
        element,
        endsAt: performance.now() + parseCountdown(element.textContent) * 1000,
      })),
    };
  }

  function parseCountdown(text) {
    const parts = text.trim().split(":").map(Number);
    return parts.length === 2 ? parts[0] * 60 + parts[1] : parts[0];
  }

  function money(cents) {
    return `$${(cents / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",")}`;
  }

  function tick() {
    if (!base) return;
    const now = performance.now();
    const metered = base.running ? Math.min(base.limitMs, base.meteredMs + (now - base.at)) : base.meteredMs;
    if (base.running) {
      if (metered >= base.limitMs && now - askedAt > 2000) {
        askedAt = now;
        refresh();
      }
    }
    showFigures(metered);
    for (const { element, endsAt } of base.countdowns) {
      const secondsLeft = Math.max(0, Math.ceil((endsAt - now) / 1000));
      element.textContent =
        element.dataset.format === "clock"
          ? `${Math.floor(secondsLeft / 60)}:${String(secondsLeft % 60).padStart(2, "0")}`
          : String(secondsLeft);
    }
  }

  // The clock, the cost and (for the client) the balance, from the metered time and the one
  // figure of the client's money for this reading; the header's balance (where shown) follows.
  function showFigures(metered) {
    const seconds = Math.floor(metered / 1000);
    const cents = Math.ceil((seconds * base.rate) / (base.minuteMs / 1000));
    const clock = live.querySelector("[data-clock]");
    const cost = live.querySelector("[data-cost]");
    const balance = live.querySelector("[data-balance]");
    if (clock) clock.textContent = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
    if (cost) cost.textContent = money(cents);
    if (balance && base.funds !== null) {
      balance.textContent = money(base.funds - cents);
      balance.dataset.balance = String(base.funds - cents);
      const badge = document.getElementById("balance-badge");
      if (badge) {
        badge.textContent = balance.textContent;
        badge.setAttribute("aria-label", `Wallet balance ${badge.textContent}`);
      }
    }
  }

  // `fresh`: ask for the whole panel (the stream came back, a top-up was credited); otherwise the
  // panel's version goes along and an unchanged panel is answered 204 with nothing to swap.
  async function heartbeat(fresh = false) {
    if (!heartbeatUrl || left) return;
    const headers = { "X-CSRFToken": csrf, "HX-Request": "true" };
    const version = live.querySelector(".reading-status")?.dataset.panelVersion;
    if (version && !fresh) headers["X-Panel-Version"] = version;
    try {
      const response = await fetch(heartbeatUrl, { method: "POST", headers, credentials: "same-origin" });
      if (response.status === 200) {
        live.innerHTML = await response.text();
        onStatus();
      } else if (response.status === 204) {
        followLimit(response.headers.get("X-Limit-Ms"));
      }
    } catch (error) {
      // Offline for a moment: the next heartbeat tries again; the server pauses after 25 s.
    }
  }

  // An unchanged panel's answer carries the meter's limit: reserving the next minute moves it on
  // without changing the panel (its version leaves the limit out), and the clock runs up to it.
  function followLimit(header) {
    const limitMs = Number(header);
    const status = live.querySelector(".reading-status");
    if (!header || !Number.isFinite(limitMs) || !status) return;
    status.dataset.limitMs = String(limitMs);
    if (base) base.limitMs = limitMs;
  }

  // One navigation away from this page, never two: ending answers HX-Redirect to this same URL,
  // and the panel's new phase (over the event stream or a heartbeat) asks for a reload; whichever
  // comes first wins, the other is dropped (a second navigation would interrupt the first).
  let leaving = false;
  function leaveOnce(go) {
    if (leaving) return;
    leaving = true;
    go();
  }
  document.addEventListener("htmx:beforeOnLoad", (event) => {
    if (!event.detail.xhr.getResponseHeader("HX-Redirect")) return;
    if (leaving) event.preventDefault();
    else leaving = true;
  });
  // A plain form (withdrawing the request) navigates by itself.
  root.addEventListener("submit", (event) => {
    if (!event.target.hasAttribute("hx-post")) leaving = true;
  });

  document.addEventListener("htmx:sseMessage", (event) => {
    if (event.target === live) onStatus();
    if (event.target.id === "chat-lines") scrollChat();
  });
  // The stream came back after a drop: events may have been missed, so ask for the truth.
  document.addEventListener("htmx:sseOpen", () => heartbeat(true));
  document.addEventListener("wallet-credited", () => heartbeat(true));

  // "Top up here" in the warning opens the top-up sheet, in this page.
  live.addEventListener("click", (event) => {
    const link = event.target.closest("[data-open-topup]");
    const topup = document.getElementById("room-topup");
    if (!link || !topup) return;
    event.preventDefault();
    topup.open = true;
    const first = topup.querySelector("input:not([type=hidden]), button");
    if (first) first.focus({ preventScroll: true });
  });

  // Leave and End: the safe choice is focused on opening; closing returns to the button.
  for (const toggle of root.querySelectorAll(".room-confirm-toggle")) {
    const summary = toggle.querySelector("summary");
    toggle.addEventListener("toggle", () => {
      if (toggle.open) toggle.querySelector("[data-close-details]").focus();
      else summary.focus();
    });
    toggle.querySelector("[data-close-details]").addEventListener("click", () => {
      toggle.open = false;
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const open of root.querySelectorAll(".room-confirm-toggle[open], .room-topup[open]")) open.open = false;
  });

  // Enter sends on a laptop; Shift+Enter, or Enter on a touch screen, starts a new line.
  const finePointer = window.matchMedia("(pointer: fine)");
  let composing = false;
  root.addEventListener("keydown", (event) => {
    const box = event.target.closest("#chat-body");
    if (!box || event.key !== "Enter" || event.shiftKey || event.isComposing || !finePointer.matches) return;
    event.preventDefault();
    if (box.value.trim()) box.form.requestSubmit();
  });
  // The form comes back empty after each line: the cursor stays in it.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.target.id === "chat-form") composing = document.activeElement?.id === "chat-body";
  });
  document.addEventListener("htmx:afterSettle", () => {
    const box = document.getElementById("chat-body");
    if (composing && box && document.activeElement !== box) box.focus();
    composing = false;
  });

  function scrollChat() {
    const lines = document.getElementById("chat-lines");
    if (!lines) return;
    const seen = new Set();
    for (const line of [...lines.children]) {
      if (seen.has(line.id)) line.remove();
      else seen.add(line.id);
    }
    lines.scrollTop = lines.scrollHeight;
  }

  if (heartbeatUrl) {
    window.addEventListener("pagehide", () => {
      left = true;
      const data = new FormData();
      data.append("csrf_token", csrf);
      navigator.sendBeacon(leaveUrl, data);
    });
    window.addEventListener("pageshow", (event) => {
      if (event.persisted) {
        left = false;
        heartbeat(true); // restored from the back-forward cache: its panel may be old
      }
    });
    heartbeat();
    setInterval(() => heartbeat(), Number(root.dataset.heartbeatSeconds || 10) * 1000);
  }
  // The panel as the server has it now (no side effects, unlike the heartbeat).
  async function refresh() {
    try {
      const response = await fetch(root.dataset.statusUrl, { headers: { "HX-Request": "true" } });
      if (response.ok) {
        live.innerHTML = await response.text();
        onStatus();
      }
    } catch (error) {
      // offline for a moment
    }
  }

  if (root.dataset.phase === "waiting") {
    // The answer normally arrives over the event stream; a slow poll covers a stream that dropped.
    setInterval(refresh, 5000);
  }
  onStatus();
  scrollChat();
  setInterval(tick, 250);
}
