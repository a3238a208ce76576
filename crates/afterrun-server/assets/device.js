// afterrun device simulator view: runs the program on the server and draws its frames.
// Without this file the form asks the server for the whole run at once, drawn as a plot; with
// it, the run streams in (Server-Sent Events) and each chamber's pressure (or the plate's
// frequency and acceleration) is a moving bar.
(function () {
  "use strict";

  var ANNOUNCE_MS = 4000; // a screen reader hears the phase at most this often

  function $(id) { return document.getElementById(id); }

  function mmss(ms) {
    var s = Math.max(0, Math.floor(ms / 1000)), m = Math.floor(s / 60), r = s % 60;
    return m + ":" + (r < 10 ? "0" : "") + r;
  }

  function pct(value, max) {
    return Math.max(0, Math.min(100, (value / (max || 1)) * 100));
  }

  var PHASES = {
    fill: "filling", boost_hold: "boost hold", hold: "holding the whole leg", rest: "resting, vented",
    wait_load: "waiting for a person on the plate", spin_up: "spinning up", steady: "vibrating",
    spin_down: "spinning down"
  };
  var STANCES = {
    standing: "standing", squat: "squat", calf_raise: "calf raise", seated_hamstring: "seated, heels on the plate",
    lunge_left: "lunge, left foot", lunge_right: "lunge, right foot", seated_calves: "seated, forefeet on the plate"
  };
  var FAULTS = {
    over_pressure: "over-pressure", sensor: "a sensor fault", leak: "a leak",
    pump: "a pump fault", watchdog: "missed controller ticks", no_load: "nobody on the plate",
    overspeed: "overspeed", over_acceleration: "too much acceleration", stall: "a motor stall"
  };

  function describe(f, plate) {
    if (f.state === "running") {
      var what = PHASES[f.phase] || f.phase;
      if (plate) {
        if (f.phase === "rest") what = "resting, motor stopped";
        return "Segment " + f.segment + " of " + f.segments + " (" + (STANCES[f.stance] || f.stance) + "): " + what + ".";
      }
      if (f.phase === "fill" || f.phase === "boost_hold") what += " chamber " + f.chamber;
      return "Cycle " + f.cycle + ": " + what + ".";
    }
    if (f.state === "fault") {
      return "Fault: " + (FAULTS[f.fault] || f.fault) + ". " +
        (plate ? "Braking the motor." : "Venting every chamber, pump off.");
    }
    if (f.state === "venting") return "Session over: venting.";
    if (f.state === "stopping") return "Session over: braking.";
    if (f.state === "done") return plate ? "Session ended: the motor has stopped." : "Session ended: every chamber vented.";
    return "Starting.";
  }

  function setText(id, text) {
    var el = $(id);
    if (el) el.textContent = text;
  }

  function init() {
    var form = $("sim-form"), live = $("sim-live");
    if (!form || !live || form.dataset.init) return;
    form.dataset.init = "1";
    var start = $("sim-start"), stop = $("sim-stop"), summary = $("sim-summary");
    var bars = Array.prototype.slice.call(live.querySelectorAll(".dev-bar"));
    var plate = form.getAttribute("data-device") === "vibration";
    var outputs = bars.map(function (b) { return b.querySelector("output"); });
    var fills = bars.map(function (b) { return b.querySelector(".dev-fill"); });
    var markers = bars.map(function (b) { return b.querySelector(".dev-target"); });
    var scales = bars.map(function (b) { return parseFloat(b.getAttribute("data-max")) || 1; });
    function mark(i, target) {
      markers[i].hidden = !(target > 0);
      if (target > 0) markers[i].style.bottom = pct(target, scales[i]) + "%";
    }
    bars.forEach(function (b, i) { mark(i, parseFloat(b.getAttribute("data-target")) || 0); });
    var source = null, lastSaid = "", lastSaidAt = 0, pending = null, pendingTimer = null, lastFrame = null;

    function say(text, now) {
      var region = $("sim-announce");
      if (!region || text === lastSaid) return;
      var t = Date.now();
      if (now || t - lastSaidAt >= ANNOUNCE_MS) {
        region.textContent = text;
        lastSaid = text;
        lastSaidAt = t;
        pending = null;
        return;
      }
      pending = text;
      if (!pendingTimer) {
        pendingTimer = setTimeout(function () {
          pendingTimer = null;
          if (pending) say(pending, true);
        }, ANNOUNCE_MS - (t - lastSaidAt));
      }
    }

    function draw(f) {
      lastFrame = f;
      var values = f.values || f.pressures_mmhg || [], targets = f.targets || f.targets_mmhg || [];
      for (var i = 0; i < bars.length; i++) {
        var v = values[i] || 0, target = targets[i] || 0;
        outputs[i].textContent = plate ? v.toFixed(1) : Math.round(v);
        fills[i].style.height = pct(v, scales[i]) + "%";
        mark(i, target);
        var near = plate ? Math.abs(v - target) <= 1 : Math.abs(v - target) <= 5;
        bars[i].classList.toggle("at-target", f.state === "running" && target > 0 && near);
      }
      setText("sim-time", mmss(f.t_ms));
      setText("sim-left", mmss(f.left_ms));
      setText("sim-pump", f.pump ? "on" : "off");
      setText("sim-dump", f.dump ? "open" : "closed");
      if (typeof f.load_kg === "number") setText("sim-load", Math.round(f.load_kg));
      setText("sim-brake", f.brake ? "on" : "off");
      var text = describe(f, plate);
      $("sim-state").textContent = text;
      live.classList.toggle("is-fault", f.state === "fault");
      say(text, f.state === "fault");
    }

    function finish(s) {
      var safe = s.ended_safe;
      var parts = [];
      if (plate) {
        parts.push(safe ? "Ended safe: the motor stopped." : "Did not end safe.");
        parts.push(s.cycles + " segment" + (s.cycles === 1 ? "" : "s") + " in " + mmss(s.duration_s * 1000) + " simulated;");
        parts.push("highest " + s.max_frequency_hz.toFixed(1) + " Hz and " + s.max_accel_g.toFixed(1) + " g.");
      } else {
        parts.push(safe ? "Ended safe: every chamber vented." : "Did not end safe.");
        parts.push(s.cycles + " cycle" + (s.cycles === 1 ? "" : "s") + " in " + mmss(s.duration_s * 1000) + " simulated;");
        parts.push("highest pressure " + Math.round(s.max_pressure_mmhg) + " mmHg.");
      }
      if (s.faults.length) {
        parts.push("The controller detected " + s.faults.map(function (x) {
          return (FAULTS[x.kind] || x.kind) + " at " + mmss(x.t_ms);
        }).join(", ") + ".");
      }
      summary.textContent = parts.join(" ");
      summary.className = "dev-summary " + (safe ? "notice" : "alert");
      summary.hidden = false;
      say(parts.join(" "), true);
    }

    function end(label) {
      if (source) { source.close(); source = null; }
      stop.hidden = true;
      start.disabled = false;
      start.textContent = label;
      form.classList.remove("is-running");
    }

    form.addEventListener("submit", function (e) {
      if (typeof window.EventSource !== "function") return; // the server draws the run instead
      e.preventDefault();
      if (source) return;
      var query = new URLSearchParams(new FormData(form)).toString();
      live.hidden = false;
      summary.hidden = true;
      lastSaid = "";
      start.disabled = true;
      start.textContent = "Running…";
      stop.hidden = false;
      form.classList.add("is-running");
      source = new EventSource(form.getAttribute("data-stream") + "?" + query);
      source.addEventListener("frame", function (ev) {
        try { draw(JSON.parse(ev.data)); } catch (err) { /* a broken frame: wait for the next */ }
      });
      source.addEventListener("summary", function (ev) {
        try { finish(JSON.parse(ev.data)); } catch (err) { /* keep the last frame */ }
        end("Run again");
      });
      source.addEventListener("error", function () {
        // The server refused the query or the connection dropped: do not reconnect.
        if (!source) return;
        $("sim-state").textContent = lastFrame ? "The connection was lost." : "The simulator could not start with these settings.";
        end("Try again");
      });
      live.scrollIntoView({ block: "nearest" });
    });

    stop.addEventListener("click", function () {
      end("Run again");
      $("sim-state").textContent = "Stopped: the simulation on the server ended with the connection.";
      say("Stopped.", true);
      start.focus();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:load", init);
})();
