/* The portal's service worker (served by ccportal.views.service_worker from /sw.js, scope "/").
   Keeps the app shell (the one stylesheet, the one script: htmx and ours bundled) and the field pages (the New Customer field form,
   Commission Customer pages the officer opened, the queue) so they open without a connection. Everything else
   goes to the network as usual; a page that needs the server while offline gets the offline page instead.
   Posts are never touched: the page's own queue (IndexedDB) keeps what could not be sent. */
"use strict";
const VERSION = "{{ version }}";
const SHELL = "cc-shell-" + VERSION;
const PAGES = "cc-pages";
const SHELL_FILES = {{ shell|safe }};
const FIELD_PAGES = {{ pages|safe }};
const KEEP = {{ keep|safe }}.map((pattern) => new RegExp(pattern));
const OFFLINE_PAGE = FIELD_PAGES[0];
const NEW_CUSTOMER = "/customers/new/";
const NEW_CUSTOMER_FIELD = FIELD_PAGES[2];

function keepPage(cache, path, response) {
  if (response.ok && !response.redirected && response.type === "basic") { return cache.put(path, response); }
  return Promise.resolve();
}

self.addEventListener("install", (event) => {
  event.waitUntil(Promise.all([
    caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)),
    caches.open(PAGES).then((cache) => Promise.all(FIELD_PAGES.map((path) =>
      fetch(path, { credentials: "same-origin" }).then((response) => keepPage(cache, path, response)).catch(() => null)))),
  ]).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((name) => name.startsWith("cc-shell-") && name !== SHELL).map((name) => caches.delete(name))
  )).then(() => self.clients.claim()));
});

function fromCache(path) {
  return caches.match(path, { ignoreVary: true, ignoreSearch: true });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith("/static/")) {
    // Hashed names never change content: the kept copy first.
    event.respondWith(fromCache(request).then((hit) => hit || fetch(request).then((response) => {
      if (response.ok) { const copy = response.clone(); caches.open(SHELL).then((cache) => cache.put(request, copy)); }
      return response;
    })));
    return;
  }
  if (request.mode !== "navigate") { return; }
  const kept = KEEP.some((pattern) => pattern.test(url.pathname));
  event.respondWith(fetch(request).then((response) => {
    if (kept) { const copy = response.clone(); caches.open(PAGES).then((cache) => keepPage(cache, url.pathname, copy)); }
    return response;
  }).catch(() => {
    const path = url.pathname === NEW_CUSTOMER ? NEW_CUSTOMER_FIELD : url.pathname;
    return (kept || path !== url.pathname ? fromCache(path) : Promise.resolve(null))
      .then((hit) => hit || fromCache(OFFLINE_PAGE))
      .then((hit) => hit || new Response("No connection, and this page was not kept on the device.", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } }));
  }));
});
