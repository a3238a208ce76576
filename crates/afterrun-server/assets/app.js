// afterrun: progressive comfort on top of server-rendered pages. Everything essential works
// without this file; with it, the body map is clickable, times show in local time, steps get
// timers and "done" marks (kept in this browser), and htmx swaps pages in place.
(function () {
  "use strict";

  function each(root, selector, fn) {
    Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function once(el, key) {
    if (el.dataset[key]) return false;
    el.dataset[key] = "1";
    return true;
  }

  function mmss(s) {
    var m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function initBodyMap(root) {
    each(root, "path[data-input]", function (region) {
      if (!once(region, "init")) return;
      region.addEventListener("click", function () {
        var select = document.getElementById(region.getAttribute("data-input"));
        if (!select) return;
        each(document, ".rating-row.active", function (row) { row.classList.remove("active"); });
        var row = select.closest(".rating-row");
        if (row) row.classList.add("active");
        select.focus();
        if (typeof select.showPicker === "function") {
          try { select.showPicker(); } catch (e) { /* not allowed here: focus is enough */ }
        }
      });
    });
    each(root, ".rating-row select", function (select) {
      if (!once(select, "init")) return;
      select.addEventListener("change", function () {
        var level = parseInt(select.value, 10) || 0;
        each(document, 'path[data-input="' + select.id + '"]', function (region) {
          region.setAttribute("class", "region lv" + level + " active");
          var title = region.querySelector("title");
          if (title) title.textContent = title.textContent.replace(/\d+ of 10/, level + " of 10");
        });
      });
      select.addEventListener("blur", function () {
        each(document, 'path[data-input="' + select.id + '"]', function (region) {
          region.classList.remove("active");
        });
      });
    });
  }

  // The page carries the where / since when / which way questions once, in a <template>; a
  // ticked symptom gets its own copy, named after it (without the script, the server asks).
  function addDetails(box) {
    var more = box.closest(".sym").querySelector(".sym-more");
    var template = document.getElementById("sym-details");
    if (!box.checked || !more || !template || more.querySelector("select")) return;
    var copy = template.content.cloneNode(true);
    var label = box.parentNode.textContent.trim();
    each(copy, "select", function (select) { select.name += box.value; });
    each(copy, ".vh", function (span) { span.textContent = label + span.textContent; });
    more.appendChild(copy);
  }

  function initSymptoms(root) {
    each(root, 'input[name="sym"]', function (box) {
      if (!once(box, "init")) return;
      box.addEventListener("change", function () { addDetails(box); });
      addDetails(box);
    });
  }

  function initTimeZone(root) {
    var tz = root.querySelector ? root.querySelector("#tz") : null;
    if (tz) tz.value = String(new Date().getTimezoneOffset());
  }

  function initTimes(root) {
    each(root, "time[data-utc]", function (t) {
      if (!once(t, "init")) return;
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        // The runner's zone from their profile when the server names it, else the browser's.
        var zone = t.getAttribute("data-tz") || undefined;
        var fmt = function (date, opts) {
          try { return date.toLocaleString([], Object.assign({ timeZone: zone }, opts)); }
          catch (e) { return date.toLocaleString([], opts); }
        };
        var text = fmt(d, { hour: "2-digit", minute: "2-digit" });
        if (t.hasAttribute("data-date")) {
          text = fmt(d, { weekday: "short", day: "numeric", month: "short" }) + ", " + text;
          t.textContent = text;
          return;
        }
        // Steps on a later day say which day.
        if (fmt(d, { dateStyle: "short" }) !== fmt(new Date(), { dateStyle: "short" })) {
          text = fmt(d, { weekday: "short" }) + " " + text;
        }
        t.textContent = text;
      }
    });
  }

  function doneKey(list) {
    return "afterrun-done:" + (list.getAttribute("data-plan") || "");
  }

  function readDone(list) {
    try { return JSON.parse(localStorage.getItem(doneKey(list)) || "[]"); } catch (e) { return []; }
  }

  function writeDone(list, done) {
    try { localStorage.setItem(doneKey(list), JSON.stringify(done)); } catch (e) { /* private mode */ }
  }

  function setDone(button, on) {
    var step = button.closest(".step");
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? "Done ✓" : "Mark done";
    if (step) step.classList.toggle("is-done", on);
  }

  // The steps of `root`, or `root` itself when htmx swapped in one step.
  function stepsOf(root) {
    var steps = root.querySelectorAll ? Array.prototype.slice.call(root.querySelectorAll(".timeline .step")) : [];
    if (root.matches && root.matches(".timeline .step")) steps.push(root);
    return steps;
  }

  function initSteps(root) {
    stepsOf(root).forEach(function (step) {
      if (!once(step, "init")) return;
      var list = step.closest(".timeline");
      each(step, "button.js-done", function (button) { initLocalDone(list, button); });
      each(step, "button.timer", function (button) { initTimer(list, step, button); });
    });
  }

  // A plan not stored (no account to keep it): done marks live in this browser.
  function initLocalDone(list, button) {
    button.hidden = false;
    var index = parseInt(button.getAttribute("data-step"), 10);
    setDone(button, readDone(list).indexOf(index) >= 0);
    button.addEventListener("click", function () {
      var now = readDone(list);
      var at = now.indexOf(index);
      if (at >= 0) now.splice(at, 1); else now.push(index);
      writeDone(list, now);
      setDone(button, at < 0);
    });
  }

  function timerKey(list, step) {
    return "afterrun-timer:" + (list.getAttribute("data-plan") || "") + ":" + step.id;
  }

  function readTimer(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeTimer(key, state) {
    try {
      if (state) localStorage.setItem(key, JSON.stringify(state)); else localStorage.removeItem(key);
    } catch (e) { /* private mode: the timer still runs, it just does not outlive the page */ }
  }

  // A step's timer. Its end time is kept in the page's storage, so it survives marking the step
  // done (the step is swapped in place), a reload or a closed tab: {end} while it runs, {left}
  // while paused.
  function initTimer(list, step, button) {
    button.hidden = false;
    var key = timerKey(list, step);
    var total = parseInt(button.getAttribute("data-seconds"), 10) || 0;
    var clock = step.querySelector("output.clock");
    var ticking = null;
    function show(left) { if (clock) clock.textContent = mmss(Math.max(0, left)); }
    function finish() {
      clearInterval(ticking);
      ticking = null;
      writeTimer(key, null);
      button.textContent = "Start again";
      if (clock) clock.textContent = "Time's up";
    }
    function run(end) {
      button.textContent = "Pause";
      writeTimer(key, { end: end });
      var tick = function () {
        var left = Math.ceil((end - Date.now()) / 1000);
        if (left <= 0) {
          finish();
          if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
          return;
        }
        show(left);
      };
      tick();
      ticking = setInterval(tick, 1000);
    }
    var saved = readTimer(key);
    if (saved && saved.end) {
      if (saved.end > Date.now()) run(saved.end); else finish();
    } else if (saved && saved.left > 0) {
      button.textContent = "Resume";
      show(saved.left);
    }
    button.addEventListener("click", function () {
      var state = readTimer(key);
      if (ticking) {
        clearInterval(ticking);
        ticking = null;
        var left = state && state.end ? Math.ceil((state.end - Date.now()) / 1000) : total;
        writeTimer(key, { left: left });
        button.textContent = "Resume";
        return;
      }
      var from = state && state.left > 0 ? state.left : total;
      run(Date.now() + from * 1000);
    });
  }

  // A refused form comes back with its error at the field (the server places it there and
  // opens its section): move the focus to that field, as `autofocus` does on a fresh page.
  function focusError(root) {
    var bad = root.querySelector ? root.querySelector("[aria-invalid=true]") : null;
    if (!bad) return;
    // After htmx has settled (its swap scrolls to the top first).
    setTimeout(function () {
      bad.focus();
      if (bad.scrollIntoView) bad.scrollIntoView({ block: "center" });
    }, 60);
  }

  // "Remind me": a notification at each step's start, shown by the service worker while it
  // lives (the calendar file is for reminders while the phone sleeps).
  function initRemind(root) {
    var button = root.querySelector ? root.querySelector("#remind") : null;
    if (!button || !once(button, "init")) return;
    if (!("Notification" in window) || !("serviceWorker" in navigator) || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      Notification.requestPermission().then(function (permission) {
        if (permission !== "granted") {
          button.textContent = "Notifications are off in this browser";
          return;
        }
        navigator.serviceWorker.ready.then(function (registration) {
          var soon = Date.now() - 60000;
          var steps = Array.prototype.map.call(document.querySelectorAll(".timeline .step"), function (el) {
            var time = el.querySelector("time");
            var title = el.querySelector("h3");
            var dur = el.querySelector(".dur");
            return {
              at: Date.parse(time.getAttribute("datetime")),
              when: time.textContent.trim(),
              title: title ? title.firstChild.textContent.trim() : "Your next step",
              duration: dur ? dur.textContent.trim() : ""
            };
          }).filter(function (s) { return s.at >= soon; });
          registration.active.postMessage({ type: "remind", steps: steps });
          button.textContent = "Reminders on";
          button.disabled = true;
        });
      });
    });
  }

  function init(root) {
    root = root || document;
    focusError(root);
    initRemind(root);
    initBodyMap(root);
    initSymptoms(root);
    initTimeZone(root);
    initTimes(root);
    initSteps(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Logged out (or never logged in) on a shared browser: the plans the worker kept for offline
  // use are someone's health data, so the log-in page drops them.
  if (location.pathname === "/login" && window.caches) {
    caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  }
  // The service worker keeps the app shell and the last plan for when there is no network.
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
  }
  document.addEventListener("htmx:load", function (e) { init(e.target || document); });
})();
