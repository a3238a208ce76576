// afterrun's service worker: the app shell and the last plan open without a network.
//
// - The shell (styles, scripts, icons, the guide list) is cached when the worker installs.
// - Pages are fetched from the network first; a stored plan page (/plans/N) that arrives is
//   kept as "the last plan", and any page asked for offline is answered from the cache, else
//   with the last plan, so a runner out of signal still has their timed steps.
// - Nothing but GET is ever cached, and the API's JSON never is: health data stays in the store.
//   The kept plan is the one health page held here; the log-in page (where logging out lands)
//   deletes every cache, so the next person on a shared browser does not find it.
"use strict";

var VERSION = "afterrun-v2";
var SHELL = [
  "/assets/app.css",
  "/assets/app.js",
  "/assets/htmx.min.js",
  "/assets/icon.svg",
  "/assets/icon-192.png",
  "/assets/icon-512.png",
  "/manifest.webmanifest"
];
var LAST_PLAN = "/offline/last-plan";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(VERSION).then(function (cache) { return cache.addAll(SHELL); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== VERSION; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isPlanPage(url) {
  return /^\/plans\/\d+$/.test(url.pathname);
}

// "Remind me" on a plan page: a notification at each step's start, while this worker lives (a
// browser stops an idle worker after a few minutes: the calendar file covers the rest).
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "remind" || !Array.isArray(data.steps)) return;
  var shown = data.steps.map(function (step) {
    return new Promise(function (resolve) {
      setTimeout(function () {
        var body = (step.duration ? step.duration + ", " : "") + "at " + step.when;
        self.registration.showNotification(step.title, {
          body: body, tag: "afterrun-step-" + step.at, icon: "/assets/icon-192.png"
        }).then(resolve, resolve);
      }, Math.max(0, step.at - Date.now()));
    });
  });
  event.waitUntil(Promise.all(shown));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) return;
  if (url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(caches.match(request).then(function (hit) { return hit || fetch(request); }));
    return;
  }
  if (request.mode !== "navigate") return;
  event.respondWith(
    fetch(request).then(function (response) {
      if (response.ok && isPlanPage(url)) {
        var copy = response.clone();
        caches.open(VERSION).then(function (cache) {
          cache.put(request, copy.clone());
          cache.put(LAST_PLAN, copy);
        });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) { return hit || caches.match(LAST_PLAN); })
        .then(function (hit) {
          return hit || new Response("<!doctype html><title>Offline · afterrun</title><p>You are offline, and no plan is kept on this device yet.</p>", {
            status: 503, headers: { "Content-Type": "text/html; charset=utf-8" }
          });
        });
    })
  );
});
