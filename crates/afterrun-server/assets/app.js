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

  function initSteps(root) {
    each(root, ".timeline", function (list) {
      if (!once(list, "init")) return;
      var done = readDone(list);
      each(list, "button.js-done", function (button) {
        button.hidden = false;
        var index = parseInt(button.getAttribute("data-step"), 10);
        setDone(button, done.indexOf(index) >= 0);
        button.addEventListener("click", function () {
          var now = readDone(list);
          var at = now.indexOf(index);
          if (at >= 0) now.splice(at, 1); else now.push(index);
          writeDone(list, now);
          setDone(button, at < 0);
        });
      });
      each(list, "button.timer", function (button) {
        button.hidden = false;
        var total = parseInt(button.getAttribute("data-seconds"), 10) || 0;
        var left = total, ticking = null;
        var clock = button.parentNode.querySelector("output.clock");
        function show() { if (clock) clock.textContent = mmss(left); }
        button.addEventListener("click", function () {
          if (ticking) {
            clearInterval(ticking);
            ticking = null;
            button.textContent = "Resume";
            return;
          }
          if (left <= 0) left = total;
          button.textContent = "Pause";
          show();
          ticking = setInterval(function () {
            left -= 1;
            show();
            if (left <= 0) {
              clearInterval(ticking);
              ticking = null;
              button.textContent = "Start again";
              if (clock) clock.textContent = "Time's up";
              if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
            }
          }, 1000);
        });
      });
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

  function init(root) {
    root = root || document;
    focusError(root);
    initBodyMap(root);
    initTimeZone(root);
    initTimes(root);
    initSteps(root);
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target || document); });
})();
