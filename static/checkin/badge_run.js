/* A background run of name badges: asks how far it got every 2 s until the PDF is ready
 * or the run failed, and shows the download link then. */
(function () {
  "use strict";

  const root = document.getElementById("badge-run");
  if (!root) return;
  const status = document.getElementById("badge-run-status");
  const bar = document.getElementById("badge-run-progress");
  const download = document.getElementById("badge-run-download");

  async function ask() {
    try {
      const response = await fetch(root.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const run = await response.json();
      status.textContent = run.label + ": " + run.done + " of " + run.total + ".";
      bar.max = run.total || 1;
      bar.value = run.done;
      if (run.download) {
        download.querySelector("a").href = run.download;
        download.hidden = false;
        document.getElementById("badge-run-again").hidden = true;
        return;
      }
      if (run.status === "failed") return;
    } catch (error) {
      // Asked again below: a run outlives a dropped connection.
    }
    setTimeout(ask, 2000);
  }
  setTimeout(ask, 2000);
})();
