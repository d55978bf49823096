// The import page's own script (CSP: no inline script). It follows a running check or
// import through GET /api/v1/jobs/<id> and reloads the page when the job ends; without it
// the page refreshes itself (<noscript> meta refresh).
(function () {
  "use strict";

  function follow(box) {
    var url = box.getAttribute("data-status-url");
    var stateText = document.getElementById("import-job-state");
    var bar = document.getElementById("import-job-progress");
    var figures = document.getElementById("import-job-figures");
    var format = new Intl.NumberFormat(document.documentElement.lang || undefined,
                                       {maximumFractionDigits: 0});

    // the page's texts in its language, from the box's data attributes ({num} placeholders)
    function say(name, values) {
      return (box.getAttribute("data-" + name) || "").replace(/\{(\w+)\}/g, function (all, key) {
        return values[key] === undefined ? all : values[key];
      });
    }

    function show(job) {
      if (job.state === "done" || job.state === "failed") {
        window.location.reload();
        return true;
      }
      var p = job.progress;
      if (job.state === "running" && p) {
        stateText.textContent = say(job["import"].dry_run ? "checking" : "importing", {});
        bar.max = p.rows_total || 1;
        bar.value = p.rows_total ? p.rows_done : 0;
        var text = say("rows", {done: format.format(p.rows_done),
                                total: p.rows_total === null ? "?" : format.format(p.rows_total)});
        if (p.rows_per_second) { text += " · " + say("speed", {num: format.format(p.rows_per_second)}); }
        if (p.seconds_left !== null) { text += " · " + say("left", {num: format.format(p.seconds_left)}); }
        figures.textContent = text;
      }
      return false;
    }

    function tick() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (job) { if (!show(job)) { window.setTimeout(tick, 700); } })
        .catch(function () { window.setTimeout(tick, 2000); });
    }

    tick();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("import-job");
    if (box) { follow(box); }
  });
}());
