// Service worker of the scanning page: keeps the page and its scripts so that it opens and works
// in a store without network. Scans themselves are queued by scan.js in IndexedDB, never here.
// Served from /sw.js (site-root scope) by catalog.scanning.views.service_worker.
"use strict";

var CACHE = "catalog-scan-v1";
var SHELL = [
  "/scan",
  "/static/js/scan.js",
  "/static/js/app.js",
  "/static/vendor/jsqr/jsQR.js",
  "/static/css/app.css",
  "/static/img/icon.svg",
  "/manifest.webmanifest"
];

function isShellPage(response) {
  // A signed-out visit is redirected to the login page: that must not be kept as "/scan".
  return response && response.ok && !response.redirected;
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (isShellPage(response)) { return cache.put(url, response); }
        return null;
      }).catch(function () { return null; });
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (key) {
      return key.indexOf("catalog-scan-") === 0 && key !== CACHE;
    }).map(function (key) { return caches.delete(key); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  if (url.pathname === "/scan") {
    // Network first (fresh CSRF token and user), the kept copy when the network is gone.
    event.respondWith(fetch(request).then(function (response) {
      if (isShellPage(response)) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put("/scan", copy); });
      }
      return response;
    }).catch(function () {
      return caches.match("/scan").then(function (kept) {
        return kept || new Response("Offline, and the scanning page was never opened online.",
                                    { status: 503, headers: { "Content-Type": "text/plain" } });
      });
    }));
    return;
  }
  if (SHELL.indexOf(url.pathname) >= 0) {
    // Stale while revalidate: instant from the cache, refreshed in the background.
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(url.pathname).then(function (kept) {
        var fresh = fetch(request).then(function (response) {
          if (response.ok) { cache.put(url.pathname, response.clone()); }
          return response;
        }).catch(function () { return kept; });
        return kept || fresh;
      });
    }));
  }
});
