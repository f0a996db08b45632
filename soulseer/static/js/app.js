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
