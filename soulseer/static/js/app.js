// SoulSeer page module: registers the service worker. Everything else is HTMX.
if ("serviceWorker" in navigator) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch((error) => {
      console.warn("Service worker registration failed", error);
    });
  });
}

// In-place forms whose refusal is their answer (a report: a note too short, over the daily
// limit): HTMX swaps only 2xx answers; inside [data-swap-errors] a 4xx answer is swapped too.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500 && event.detail.elt.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The profile's photo picker: the chosen picture shows in the photo's place before the form is
// sent, so the reader sees what clients will see (the server still crops and cleans it).
document.addEventListener("change", (event) => {
  const input = event.target;
  const field = input.type === "file" && input.closest("[data-photo-field]");
  if (!field) return;
  const preview = field.querySelector("[data-photo-preview]");
  const current = field.querySelector(".reader-photo:not([data-photo-preview])");
  const file = input.files && input.files[0];
  if (preview.src) URL.revokeObjectURL(preview.src);
  if (file && file.type.startsWith("image/")) {
    preview.src = URL.createObjectURL(file);
    preview.hidden = false;
    if (current) current.hidden = true;
  } else {
    preview.removeAttribute("src");
    preview.hidden = true;
    if (current) current.hidden = false;
  }
});

// Dialogs marked [data-trap-focus] (the reader's request alert, the reading room's Leave and End
// confirmations) keep Tab and Shift+Tab going round their own controls while they are on screen,
// never behind them. The first one shown wins. (A closed <details> keeps its content's boxes in
// Chromium, whose ::details-content is only content-visibility: hidden, hence the explicit test.)
document.addEventListener("keydown", (event) => {
  if (event.key !== "Tab") return;
  const shown = (element) => !element.closest("details:not([open])") && element.getClientRects().length > 0;
  const dialog = [...document.querySelectorAll("[data-trap-focus]")].find(shown);
  if (!dialog) return;
  const controls = "button, a[href], input:not([type=hidden]), textarea, select";
  const stops = [...dialog.querySelectorAll(controls)].filter((stop) => !stop.disabled && shown(stop));
  if (stops.length === 0) return;
  const first = stops[0];
  const last = stops[stops.length - 1];
  const inside = dialog.contains(document.activeElement);
  if (event.shiftKey && (!inside || document.activeElement === first)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (!inside || document.activeElement === last)) {
    event.preventDefault();
    first.focus();
  }
});
