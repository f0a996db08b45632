// The reader's request alert (docs/readings.md): loaded on every page a reader opens. The alert
// itself is server HTML swapped into #reading-alert-slot (event `reading-alert`, or present at
// page load); this module makes it unmissable: a chime (Web Audio, no file), vibration where
// supported, a browser notification where permitted, and the countdown. Also the dashboard's
// "Turn on request notifications" button ([data-enable-notifications]).

let announced = null;
let countdownTimer = null;

function chime() {
  const AudioContext = window.AudioContext || window.webkitAudioContext;
  if (!AudioContext) return;
  try {
    const audio = new AudioContext();
    const start = audio.currentTime + 0.02;
    // Three rising bell-like notes, twice.
    [0, 1].forEach((round) => {
      [659.25, 830.61, 987.77].forEach((frequency, index) => {
        const at = start + round * 0.9 + index * 0.16;
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.35, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.6);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + 0.65);
      });
    });
    setTimeout(() => audio.close(), 2500);
  } catch (error) {
    console.warn("chime failed", error);
  }
}

function notify(alert) {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const note = new Notification(alert.dataset.notifyTitle, {
      body: alert.dataset.notifyBody,
      tag: `reading-${alert.dataset.readingAlert}`,
      requireInteraction: true,
    });
    note.onclick = () => {
      window.focus();
      note.close();
    };
  } catch (error) {
    // Some platforms only allow notifications from a service worker; the page alert remains.
    navigator.serviceWorker?.ready
      .then((registration) =>
        registration.showNotification(alert.dataset.notifyTitle, {
          body: alert.dataset.notifyBody,
          tag: `reading-${alert.dataset.readingAlert}`,
        }),
      )
      .catch(() => {});
  }
}

function countdown(alert) {
  clearInterval(countdownTimer);
  const display = alert.querySelector("[data-countdown]");
  const endsAt = Date.now() + Number(alert.dataset.secondsLeft || 0) * 1000;
  countdownTimer = setInterval(() => {
    if (!alert.isConnected) return clearInterval(countdownTimer);
    const left = Math.max(0, Math.ceil((endsAt - Date.now()) / 1000));
    if (display) display.textContent = String(left);
    if (left === 0) clearInterval(countdownTimer);
  }, 250);
}

function check() {
  const slot = document.getElementById("reading-alert-slot");
  if (!slot) return;
  const alert = slot.querySelector("[data-reading-alert]");
  if (!alert) {
    announced = null;
    return;
  }
  countdown(alert);
  alert.querySelector("button")?.focus({ preventScroll: true });
  if (announced === alert.dataset.readingAlert) return;
  announced = alert.dataset.readingAlert;
  chime();
  // Browsers refuse vibration before the person has touched the page.
  if (navigator.vibrate && navigator.userActivation?.hasBeenActive !== false) navigator.vibrate([300, 150, 300, 150, 300]);
  notify(alert);
}

document.addEventListener("htmx:sseMessage", (event) => {
  if (event.target.id === "reading-alert-slot") check();
});
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.target.id === "reading-alert-slot") check();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-dismiss-alert]")) {
    document.getElementById("reading-alert-slot").replaceChildren();
    announced = null;
  }
  const enable = event.target.closest("[data-enable-notifications]");
  if (enable && "Notification" in window) {
    Notification.requestPermission().then(showPermission);
  }
});

function showPermission() {
  document.querySelectorAll("[data-notification-permission]").forEach((element) => {
    const state = "Notification" in window ? Notification.permission : "unsupported";
    element.textContent = {
      granted: "Request notifications are on for this browser.",
      denied: "This browser blocks notifications from SoulSeer; allow them in the site settings.",
      default: "Request notifications are off in this browser.",
      unsupported: "This browser cannot show notifications; keep a SoulSeer tab open.",
    }[state];
  });
  document.querySelectorAll("[data-enable-notifications]").forEach((button) => {
    button.hidden = !("Notification" in window) || Notification.permission !== "default";
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => {
    check();
    showPermission();
  });
} else {
  check();
  showPermission();
}
