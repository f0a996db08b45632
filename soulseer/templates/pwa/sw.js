// SoulSeer service worker. Precaches the app shell and the offline page; pages come from the
// network only (never stored: they may be private), with the offline page when it is down.
// Fragments (HX-Request), non-GET requests and anything not ours pass straight through.
const VERSION = {{ version|tojson }};
const SHELL_CACHE = `soulseer-shell-${VERSION}`;
const SHELL_URLS = {{ shell_urls|tojson }};
const OFFLINE_URL = {{ url_for('pwa.offline')|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE).then((cache) => cache.addAll(SHELL_URLS)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== SHELL_CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.headers.get("HX-Request")) return;

  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    // Static URLs are versioned by content, so a cached copy is always the right one.
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
