// The run pages' own script (CSP: no inline script). Without it, the job page refreshes
// itself (<noscript> meta refresh) and the print button stays hidden (the browser's own Print works).
(function () {
  "use strict";

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var stateText = document.getElementById("run-job-state");
    var bar = document.getElementById("run-job-progress");
    var errorBox = document.getElementById("run-job-error");
    var message = document.getElementById("run-job-message");
    var link = document.getElementById("run-job-link");

    // The page's texts, in the reader's language, from its data-*-text attributes.
    function say(name, parts) {
      var text = box.getAttribute("data-" + name + "-text") || "";
      Object.keys(parts || {}).forEach(function (key) {
        text = text.split("{" + key + "}").join(String(parts[key]));
      });
      return text;
    }

    function show(state) {
      bar.value = state.step;
      bar.textContent = say("progress", {step: state.step, steps: state.steps});
      if (state.state === "queued") {
        stateText.textContent = say("queued");
      } else if (state.state === "running") {
        stateText.textContent = say("running", {stage: state.stage_text,
                                                step: state.step + 1, steps: state.steps});
      } else if (state.state === "done") {
        stateText.textContent = say("opening");
        link.hidden = false;
        link.querySelector("a").setAttribute("href", state.run_url);
        window.location.assign(state.run_url);
        return true;
      } else {
        stateText.textContent = say("failed");
        message.textContent = state.error || say("unknown-error");
        errorBox.hidden = false;
        return true;
      }
      return false;
    }

    function tick() {
      fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
        .then(function (response) {
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (state) { if (!show(state)) { window.setTimeout(tick, 700); } })
        .catch(function () { window.setTimeout(tick, 2000); });
    }

    var initial = box.getAttribute("data-state");
    if (initial === "queued" || initial === "running" || initial === "done") { tick(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("run-job");
    if (box) { poll(box); }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;  // without JavaScript the browser's own Print is there
      button.addEventListener("click", function () { window.print(); });
    });
  });
}());
