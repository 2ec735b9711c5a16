/* Live attendance on the staff overview: fetch the figures every 15 seconds and redraw
 * the counts and tables in place (no inline script: the page only holds the URL). */
(function () {
  "use strict";

  const section = document.getElementById("attendance");
  if (!section) return;
  const EVERY_MS = 1000 * (Number(section.dataset.every) || 15);

  function cell(tag, text, className) {
    const element = document.createElement(tag);
    element.textContent = text;
    if (className) element.className = className;
    return element;
  }

  function row(item) {
    const tr = document.createElement("tr");
    const th = cell("th", item.label);
    th.scope = "row";
    const meter = document.createElement("meter");
    meter.className = "staff-bar";
    meter.min = 0;
    meter.max = item.expected;
    meter.value = item.checked_in;
    meter.setAttribute("aria-hidden", "true");
    const bar = document.createElement("td");
    bar.append(meter);
    tr.append(
      th,
      cell("td", String(item.checked_in), "text-end"),
      cell("td", String(item.expected), "text-end")
    );
    if ("no_show" in item) tr.append(cell("td", String(item.no_show), "text-end"));
    tr.append(bar);
    return tr;
  }

  function draw(data) {
    section.querySelector('[data-attendance="checked_in"]').textContent = data.totals.checked_in;
    section.querySelector('[data-attendance="expected"]').textContent = data.totals.expected;
    section.querySelector('[data-attendance="walk_ins_waiting"]').textContent = data.walk_ins_waiting;
    section.querySelectorAll("[data-attendance-rows]").forEach((body) => {
      body.replaceChildren(...data[body.dataset.attendanceRows].map(row));
    });
    const time = new Date().toLocaleTimeString("en-GB", { timeZone: "Europe/London" });
    document.getElementById("attendance-updated").textContent = "Updated at " + time + ".";
  }

  async function refresh() {
    try {
      const response = await fetch(section.dataset.url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) draw(await response.json());
    } catch (error) {
      // Offline for a moment: the figures shown stay until the next try.
    }
  }

  setInterval(refresh, EVERY_MS);
})();
