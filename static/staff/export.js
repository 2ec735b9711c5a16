/* An attendee list prepared in the background: asks how far it got every 2 s until the
 * file is ready or preparing it failed, and shows the download link or the retry then. */
(function () {
  "use strict";

  const root = document.getElementById("prepared-export");
  if (!root) return;
  const status = document.getElementById("prepared-export-status");
  const bar = document.getElementById("prepared-export-progress");
  const download = document.getElementById("prepared-export-download");
  const failed = document.getElementById("prepared-export-failed");
  const again = document.getElementById("prepared-export-again");
  if (["done", "failed", "expired"].includes(root.dataset.status)) return;

  async function ask() {
    try {
      const response = await fetch(root.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const prepared = await response.json();
      status.textContent =
        prepared.label + ": " + prepared.done + " of " + prepared.total + " rows.";
      bar.max = prepared.total || 1;
      bar.value = prepared.done;
      if (prepared.download) {
        download.querySelector("a").href = prepared.download;
        download.hidden = false;
        again.hidden = true;
        return;
      }
      if (prepared.status === "failed") {
        failed.hidden = false;
        again.hidden = true;
        return;
      }
      if (prepared.status === "expired") return;
    } catch (error) {
      // Asked again below: the work goes on whatever the connection does.
    }
    setTimeout(ask, 2000);
  }
  setTimeout(ask, 2000);
})();
