// afterrun import page: drag and drop, one upload request per file (a few at a time, as many
// as the server lets one athlete send; one refused with 429 waits its Retry-After and goes
// again) with its own progress bar, and each file's results as they come. Without this script the form posts
// every file at once to /import and the server answers with the same results, so nothing here
// is essential.
(function () {
  "use strict";

  var PARALLEL = 2;
  var FAILURE_WORDS = {
    not_activity_file: "not an activity: a settings, workout or course file, or empty",
    truncated: "the file is cut short before any usable data",
    bad_header: "the file's header is damaged",
    bad_crc: "the file's checksum does not match its content",
    bad_structure: "the file's content is damaged",
    bad_xml: "the file is not readable XML",
    unsupported: "this kind of file is not supported",
    io: "the file could not be read"
  };
  var LABELS = { "new": "New", duplicate: "Already imported", skipped: "Skipped", failed: "Failed" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function clock(seconds) {
    var s = Math.max(0, Math.round(seconds));
    var h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, r = s % 60;
    var mm = h > 0 && m < 10 ? "0" + m : String(m);
    return (h > 0 ? h + ":" : "") + mm + ":" + (r < 10 ? "0" : "") + r;
  }

  function sportWords(sport) {
    var text = String(sport).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // A time as the server words it ("Sun 22 Nov 2026 08:01"), in the runner's zone when their
  // profile names one (the form's data-tz), else the browser's.
  function when(d, zone) {
    var opts = { weekday: "short", day: "numeric", month: "short", year: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone || undefined };
    var parts = {};
    try {
      new Intl.DateTimeFormat("en-GB", opts).formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      return d.toLocaleString();
    }
    return parts.weekday + " " + parts.day + " " + parts.month + " " + parts.year + " " + parts.hour + ":" + parts.minute;
  }

  function activityWords(line, form) {
    var parts = [];
    var miles = form && form.getAttribute("data-units") === "mi";
    if (line.sport && line.sport !== "unknown") parts.push(sportWords(line.sport));
    if (line.start_time) {
      var d = new Date(line.start_time);
      parts.push(isNaN(d.getTime()) ? line.start_time : when(d, form && form.getAttribute("data-tz")));
    }
    if (line.distance_m > 0) {
      parts.push(miles ? (line.distance_m / 1609.344).toFixed(1) + " mi" : (line.distance_m / 1000).toFixed(1) + " km");
    }
    if (line.elapsed_s > 0) parts.push(clock(line.elapsed_s));
    return parts.join(" · ");
  }

  // One `import --json` line → {state, detail}, worded as the server words them.
  function describe(line) {
    var form = document.getElementById("import-form");
    if (line.ok === false) {
      var kind = line.error && line.error.kind;
      var skipped = kind === "not_activity_file";
      var detail = FAILURE_WORDS[kind] || "the file could not be read";
      if (!skipped && line.error && line.error.message) detail += " (" + line.error.message + ")";
      return { state: skipped ? "skipped" : "failed", detail: detail };
    }
    var what = activityWords(line, form);
    if (line.stored === "duplicate") {
      var why = line.duplicate_reason === "same_activity"
        ? "the same run from another file is already stored" : "this file is already stored";
      return { state: "duplicate", detail: what ? what + " · " + why : why };
    }
    var warnings = (line.warnings || []).map(function (w) {
      return (w && w.message) || "a damaged record";
    });
    var n = warnings.length;
    if (n > 0) what += " · read with " + n + (n === 1 ? " warning: " : " warnings: ") + warnings.join("; ");
    return { state: "new", detail: what };
  }

  function init() {
    var form = document.getElementById("import-form");
    if (!form || !window.XMLHttpRequest || !window.FormData) return;
    var input = document.getElementById("files");
    var zone = document.getElementById("dropzone");
    var list = document.getElementById("uploads");
    var results = document.getElementById("import-results");
    var summary = document.getElementById("import-summary");
    var summaryLine = document.getElementById("summary-line");
    var live = document.getElementById("import-live");
    var submit = document.getElementById("import-submit");
    var tokenField = form.querySelector('input[name="csrf_token"]');
    var token = tokenField ? tokenField.value : "";
    var api = form.getAttribute("data-api");
    var limit = (parseInt(form.getAttribute("data-limit"), 10) || 256) * 1024 * 1024;
    var totals = { files: 0, "new": 0, duplicates: 0, skipped: 0, failed: 0 };
    var queue = [];
    var running = 0;

    zone.hidden = false;
    if (submit) submit.hidden = true;

    function announce(text) {
      // A fresh text node each time so screen readers read repeated messages too.
      live.textContent = "";
      window.setTimeout(function () { live.textContent = text; }, 50);
    }

    function showTotals() {
      summary.hidden = false;
      var n = totals.files;
      summaryLine.textContent = n + (n === 1 ? " file" : " files") + ": " + totals["new"] + " new, " +
        totals.duplicates + " already imported, " + totals.skipped + " skipped, " + totals.failed + " failed.";
      ["new", "duplicate", "skipped", "failed"].forEach(function (state) {
        var key = state === "duplicate" ? "duplicates" : state;
        var cell = document.getElementById("tally-" + state);
        if (cell) cell.textContent = String(totals[key]);
      });
    }

    function resultItem(name, state, detail) {
      var li = el("li", "result");
      li.setAttribute("data-state", state);
      li.appendChild(el("span", "result-badge", LABELS[state]));
      var text = el("span", "result-text");
      if (name) {
        text.appendChild(el("span", "result-name", name));
        text.appendChild(document.createTextNode(" "));
      }
      text.appendChild(el("span", "result-detail", detail));
      li.appendChild(text);
      return li;
    }

    function addRow(file) {
      results.hidden = false;
      var row = el("li", "upload");
      row.setAttribute("data-state", "waiting");
      var head = el("div", "upload-head");
      head.appendChild(el("span", "upload-name", file.name));
      var status = el("span", "upload-status", "Waiting");
      head.appendChild(document.createTextNode(" "));
      head.appendChild(status);
      row.appendChild(head);
      var bar = el("progress", "upload-progress");
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Uploading " + file.name);
      row.appendChild(bar);
      var items = el("ul", "results");
      row.appendChild(items);
      list.appendChild(row);
      return { row: row, status: status, bar: bar, items: items, file: file };
    }

    function finish(job, state, statusText) {
      job.row.setAttribute("data-state", state);
      job.status.textContent = statusText;
      if (job.bar.parentNode) job.bar.parentNode.removeChild(job.bar);
    }

    // A file settled here, without the server: too large, empty, or the request failed.
    function settle(job, state, message) {
      totals.files += 1;
      totals[state === "skipped" ? "skipped" : "failed"] += 1;
      finish(job, "done", "");
      job.items.appendChild(resultItem("", state, message));
      showTotals();
      announce(job.file.name + ": " + LABELS[state].toLowerCase() + ", " + message + ".");
    }

    function failWhole(job, message) {
      settle(job, "failed", message);
    }

    function showAnswer(job, answer) {
      var lines = answer.files || [];
      var single = lines.length === 1 && lines[0].file === job.file.name;
      var counts = { "new": 0, duplicate: 0, skipped: 0, failed: 0 };
      lines.forEach(function (line) {
        var d = describe(line);
        counts[d.state] += 1;
        job.items.appendChild(resultItem(single ? "" : line.file, d.state, d.detail));
      });
      var s = answer.summary || {};
      totals.files += s.files || 0;
      totals["new"] += s["new"] || 0;
      totals.duplicates += s.duplicates || 0;
      totals.skipped += s.skipped || 0;
      totals.failed += s.failed || 0;
      finish(job, "done", single ? "" : lines.length + (lines.length === 1 ? " file" : " files"));
      showTotals();
      var words = [];
      if (counts["new"]) words.push(counts["new"] + " new");
      if (counts.duplicate) words.push(counts.duplicate + " already imported");
      if (counts.skipped) words.push(counts.skipped + " skipped");
      if (counts.failed) words.push(counts.failed + " failed");
      announce(job.file.name + ": " + (words.join(", ") || "nothing found") + ".");
    }

    function send(job) {
      running += 1;
      job.row.setAttribute("data-state", "uploading");
      job.status.textContent = "Uploading";
      var xhr = new XMLHttpRequest();
      xhr.open("POST", api + "?name=" + encodeURIComponent(job.file.name));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      if (token) xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable && e.total > 0) {
          job.bar.value = Math.round((e.loaded / e.total) * 100);
          if (e.loaded >= e.total) job.status.textContent = "Reading";
        }
      });
      xhr.addEventListener("load", function () {
        if (xhr.status === 429) {
          retryLater(job, xhr.getResponseHeader("Retry-After"));
          return;
        }
        var body = null;
        try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
        if (xhr.status === 200 && body && body.files) {
          showAnswer(job, body);
        } else {
          failWhole(job, (body && body.detail) || ("the server answered " + xhr.status));
        }
        done();
      });
      xhr.addEventListener("error", function () {
        failWhole(job, "the server could not be reached");
        done();
      });
      xhr.send(job.file);
    }

    function done() {
      running -= 1;
      pump();
    }

    // The server has too many uploads in progress: this file goes first again, after the wait
    // the server asked for (1 to 60 s).
    function retryLater(job, retryAfter) {
      var seconds = Math.min(60, Math.max(1, parseInt(retryAfter, 10) || 2));
      running -= 1;
      job.row.setAttribute("data-state", "waiting");
      job.status.textContent = "Waiting";
      job.bar.value = 0;
      setTimeout(function () {
        queue.unshift(job);
        pump();
      }, seconds * 1000);
    }

    function pump() {
      while (running < PARALLEL && queue.length > 0) send(queue.shift());
    }

    function take(files) {
      Array.prototype.forEach.call(files, function (file) {
        var job = addRow(file);
        if (file.size === 0) {
          settle(job, "skipped", FAILURE_WORDS.not_activity_file);
        } else if (file.size > limit) {
          failWhole(job, "the file is larger than " + Math.round(limit / 1048576) + " MB");
        } else {
          queue.push(job);
        }
      });
      announce(files.length === 1 ? "Importing 1 file." : "Importing " + files.length + " files.");
      pump();
    }

    input.addEventListener("change", function () {
      if (input.files && input.files.length > 0) take(input.files);
      input.value = "";
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.files && input.files.length > 0) take(input.files);
      input.value = "";
    });
    zone.addEventListener("click", function () { input.click(); });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (e) {
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "dragend"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      zone.classList.remove("is-over");
      if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length > 0) {
        take(e.dataTransfer.files);
      }
    });
    // A file dropped beside the zone must not make the browser leave the page to show it.
    ["dragover", "drop"].forEach(function (type) {
      window.addEventListener(type, function (e) {
        if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types || [], "Files") >= 0) {
          e.preventDefault();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
