{% load i18n static %}/* Service worker of the field pages (served at {% url 'verfak-sw' %}, scope: the /verfak/ pages).
   It keeps the last copy of each worklist and task page and the static files, so that a PPS who
   reloads without a connection still sees the page; the entries themselves wait in the page's
   localStorage (static/js/verfak.js). Nothing is posted from here.

   A page copy holds names and addresses: it goes with the session that read it
   (fieldwork/offline.py). It is kept encrypted (AES-GCM) under the key of the session's cookie
   {{ cookie }}, in a cache named after its user and expiry, and read back only while that cookie
   is there and unexpired and the copy younger than the session's {{ max_age_hours }} hours:
   otherwise it is deleted, and the page says there is no copy. Static files hold nothing
   personal and are kept as they are. */
"use strict";
const STATIC_CACHE = "verfak-static-v2";
const PAGES = "verfak-pages-";
const COOKIE = "{{ cookie }}";
const MAX_AGE_MS = {{ max_age_ms }};
const LOGIN = "{% url 'login' %}";
const STATIC = "{% get_static_prefix %}";
const REPLAYED = ["Content-Type", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy",
  "X-Content-Type-Options", "Cross-Origin-Opener-Policy"];
const OFFLINE = "{% filter escapejs %}<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'><title>{% translate 'Tidak ada koneksi' %}</title><p>{% blocktranslate with hours=max_age_hours %}Tidak ada koneksi, dan tidak ada salinan halaman ini untuk sesi Anda di perangkat ini. Salinan hanya dapat dibuka selama Anda masih masuk (paling lama {{ hours }} jam) dan dihapus saat Anda keluar. Buka daftar kerja saat ada koneksi agar tersedia tanpa koneksi.{% endblocktranslate %}</p>{% endfilter %}";

// Without the Cookie Store API, the marker the page passed (in memory: gone when the worker
// stops, so that a copy is then simply not read).
let told = null;
const keeping = new Map(); // page -> its copy being written

function b64decode(text) {
  const plain = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = plain + "===".slice((plain.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function b64encode(bytes) {
  return btoa(String.fromCharCode.apply(null, Array.from(bytes)));
}

async function marker() {
  let value = told;
  if (self.cookieStore) {
    try {
      const cookie = await self.cookieStore.get(COOKIE);
      value = cookie ? cookie.value : null;
    } catch (e) {
      value = null;
    }
  }
  if (!value) return null;
  const [user, exp, key] = decodeURIComponent(value).split(".");
  if (!user || !key || !(Number(exp) * 1000 > Date.now())) return null;
  return { user, exp: Number(exp), key, cache: PAGES + user + "-" + exp };
}

// Every page copy but those of `keep` (the live session's cache name) deleted.
async function purge(keep) {
  const names = await caches.keys();
  await Promise.all(names.filter(
    (n) => n.startsWith("verfak-") && n !== STATIC_CACHE && n !== keep
  ).map((n) => caches.delete(n)));
}

function aesKey(m) {
  return crypto.subtle.importKey("raw", b64decode(m.key), "AES-GCM", false, ["encrypt", "decrypt"]);
}

function pageKey(url) {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

async function keepPage(url, response) {
  const m = await marker();
  if (!m) {
    await purge(null);
    return false;
  }
  await purge(m.cache);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const additionalData = new TextEncoder().encode(pageKey(url));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData }, await aesKey(m), await response.arrayBuffer()
  );
  const headers = new Headers({ "Content-Type": "application/octet-stream" });
  headers.set("X-Verfak-Iv", b64encode(iv));
  headers.set("X-Verfak-Stored", String(Date.now()));
  REPLAYED.forEach((name) => {
    const value = response.headers.get(name);
    if (value) headers.set("X-Verfak-H-" + name, value);
  });
  const cache = await caches.open(m.cache);
  await cache.put(pageKey(url), new Response(sealed, { headers }));
  return true;
}

async function pageCopy(url) {
  const m = await marker();
  if (!m) {
    await purge(null);
    return null;
  }
  await purge(m.cache);
  const cache = await caches.open(m.cache);
  const hit = await cache.match(pageKey(url), { ignoreVary: true });
  if (!hit) return null;
  if (!(Date.now() - Number(hit.headers.get("X-Verfak-Stored")) < MAX_AGE_MS)) {
    await cache.delete(pageKey(url));
    return null;
  }
  try {
    const plain = await crypto.subtle.decrypt(
      {
        name: "AES-GCM",
        iv: b64decode(hit.headers.get("X-Verfak-Iv") || ""),
        additionalData: new TextEncoder().encode(pageKey(url)),
      },
      await aesKey(m),
      await hit.arrayBuffer()
    );
    const headers = new Headers({ "Cache-Control": "no-store" });
    REPLAYED.forEach((name) => {
      const value = hit.headers.get("X-Verfak-H-" + name);
      if (value) headers.set(name, value);
    });
    return new Response(plain, { headers });
  } catch (e) {
    await cache.delete(pageKey(url));
    return null;
  }
}

function keepable(response) {
  return response && response.ok && !response.redirected && response.type === "basic"
    && (response.headers.get("Content-Type") || "").startsWith("text/html");
}

function keepStatic(request, response) {
  if (response && response.ok && response.type === "basic") {
    const copy = response.clone();
    caches.open(STATIC_CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  // Copies of another session, and every copy kept in clear by an earlier version, go.
  event.waitUntil(marker().then((m) => purge(m ? m.cache : null)).then(() => self.clients.claim()));
});

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const port = event.ports && event.ports[0];
  if (data.type === "marker") {
    told = data.value || null;
  } else if (data.type === "keep") {
    // The page asks for a fresh copy of itself (after an entry changed it) and its files.
    const work = Promise.all((data.urls || []).map(async (url) => {
      const target = new URL(url, self.location.href);
      if (target.origin !== self.location.origin) return false;
      const response = await fetch(target.href, { credentials: "same-origin" });
      if (target.pathname.startsWith(STATIC)) return !!keepStatic(new Request(target.href), response);
      return keepable(response) ? keepPage(target.href, response) : false;
    })).then((done) => done.length > 0 && done[0] === true, () => false);
    event.waitUntil(work.then((ok) => port && port.postMessage({ ok })));
  } else if (data.type === "kept") {
    // Whether the navigation that opened the page left a copy (no second request for it).
    const work = (async () => {
      await (keeping.get(pageKey(data.url)) || Promise.resolve());
      const m = await marker();
      if (!m) return false;
      return !!(await (await caches.open(m.cache)).match(pageKey(data.url)));
    })().catch(() => false);
    event.waitUntil(work.then((ok) => port && port.postMessage({ ok })));
  } else if (data.type === "purge") {
    event.waitUntil(purge(null).then(() => port && port.postMessage({ ok: true })));
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  if (request.mode === "navigate") {
    // The network first (the page changes as entries arrive); the session's copy without one.
    event.respondWith((async () => {
      let response;
      try {
        response = await fetch(request);
      } catch (e) {
        return (await pageCopy(request.url))
          || new Response(OFFLINE, { headers: { "Content-Type": "text/html; charset=utf-8" } });
      }
      if (response.type === "opaqueredirect" || (response.redirected
          && new URL(response.url).pathname.startsWith(LOGIN))) {
        event.waitUntil(purge(null)); // signed out, or the session is over: no copy stays
      } else if (keepable(response)) {
        const kept = keepPage(request.url, response.clone()).catch(() => false);
        keeping.set(pageKey(request.url), kept);
        kept.then(() => keeping.delete(pageKey(request.url)));
        event.waitUntil(kept);
      }
      return response;
    })());
    return;
  }
  if (url.pathname.startsWith(STATIC)) {
    // Static files: the cached copy at once, refreshed behind it.
    event.respondWith(
      caches.match(request, { ignoreVary: true, cacheName: STATIC_CACHE }).then((hit) => {
        const fresh = fetch(request)
          .then((response) => keepStatic(request, response))
          .catch(() => hit || Response.error());
        return hit || fresh;
      })
    );
  }
});
