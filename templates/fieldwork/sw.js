{% load i18n static %}/* Service worker of the field pages (served at {% url 'verfak-sw' %}, scope: the /verfak/ pages).
   It keeps the last copy of each worklist and task page and the static files, so that a PPS who
   reloads without a connection still sees the page; the entries themselves wait in the page's
   localStorage (static/js/verfak.js). Nothing is posted from here. */
"use strict";
const CACHE = "{{ cache }}";
const STATIC = "{% get_static_prefix %}";
const OFFLINE = "{% filter escapejs %}<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>{% translate 'Tidak ada koneksi' %}</title><p>{% translate 'Tidak ada koneksi, dan halaman ini belum pernah dibuka di perangkat ini. Buka daftar kerja saat ada koneksi agar tersedia tanpa koneksi.' %}</p>{% endfilter %}";

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((k) => k.startsWith("verfak-") && k !== CACHE).map((k) => caches.delete(k))
      ))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  if (response && response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The network first (the page changes as entries arrive); its last copy without one.
    event.respondWith(
      fetch(request)
        .then((response) => keep(request, response))
        .catch(() => caches.match(request, { ignoreVary: true }).then(
          (hit) => hit || new Response(OFFLINE, { headers: { "Content-Type": "text/html; charset=utf-8" } })
        ))
    );
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    // Static files: the cached copy at once, refreshed behind it.
    event.respondWith(
      caches.match(request, { ignoreVary: true }).then((hit) => {
        const fresh = fetch(request)
          .then((response) => keep(request, response))
          .catch(() => hit || Response.error());
        return hit || fresh;
      })
    );
  }
});
