/* The report for the board being prepared: asks how far it got every 2 s, and shows
 * the page again once it is ready or preparing it failed. */
(function () {
  "use strict";

  const root = document.getElementById("report-pending");
  if (!root) return;
  const step = document.getElementById("report-step");

  async function ask() {
    try {
      const response = await fetch(root.dataset.statusUrl, { credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const report = await response.json();
      if (report.status === "done" || report.status === "failed") {
        window.location.reload();
        return;
      }
      step.textContent = report.label + (report.step ? ": " + report.step.toLowerCase() : "") + ".";
    } catch (error) {
      // Asked again below: the work goes on whatever the connection does.
    }
    setTimeout(ask, 2000);
  }
  setTimeout(ask, 2000);
})();
