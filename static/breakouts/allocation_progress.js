// The allocation run's page while the preview is computed in the background: ask the
// run's status every two seconds, show its progress, and reload the page (with its
// report) once it is no longer running. Without script, the page says to reload.
(function () {
  "use strict";
  var box = document.getElementById("allocation-progress");
  if (!box) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector(".allocation-progress-text");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (run) {
        if (run.status !== "running") {
          window.location.reload();
          return;
        }
        bar.value = run.progress;
        bar.textContent = run.progress + " %";
        text.textContent = run.progress + " %: " + (run.progress_text || "waiting to start");
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, 1000);
})();
