// The event's page: a new agenda row starts when the row above it ends (and lasts as
// long), and a new theme takes the next free number. Only blank inputs are filled.
"use strict";
(function () {
  function minutes(value) {
    var match = /^(\d{1,2}):(\d{2})/.exec(value || "");
    return match ? Number(match[1]) * 60 + Number(match[2]) : null;
  }
  function clock(total) {
    total = Math.min(total, 23 * 60 + 59);
    var h = Math.floor(total / 60), m = total % 60;
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }
  function rowsOf(prefix) {
    return Array.prototype.filter.call(
      document.querySelectorAll('[id^="' + prefix + '-"]'),
      function (row) { return /^.+-\d+$/.test(row.id) && field(row, "id") !== undefined; }
    );
  }
  function previousRow(row, prefix) {
    var rows = rowsOf(prefix), index = rows.indexOf(row);
    return index > 0 ? rows[index - 1] : null;
  }
  function followOn(row) {
    var before = previousRow(row, "agenda_items");
    if (!before) return;
    var start = field(row, "start"), end = field(row, "end");
    var lastStart = minutes(field(before, "start") && field(before, "start").value);
    var lastEnd = minutes(field(before, "end") && field(before, "end").value);
    if (lastEnd === null || !start || start.value) return;
    start.value = clock(lastEnd);
    if (end && !end.value) {
      var length = lastStart !== null && lastEnd > lastStart ? lastEnd - lastStart : 60;
      end.value = clock(lastEnd + length);
    }
    var day = field(row, "day"), lastDay = field(before, "day");
    if (day && lastDay && !day.value) day.value = lastDay.value;
  }
  function nextNumber(row) {
    var number = field(row, "number");
    if (!number || number.value) return;
    var taken = rowsOf("themes").filter(function (other) { return other !== row; })
      .map(function (other) { return Number(field(other, "number") && field(other, "number").value); });
    var next = 1;
    while (taken.indexOf(next) !== -1) next += 1;
    number.value = String(next);
  }
  document.addEventListener("formset:added", function (event) {
    var name = event.detail && event.detail.formsetName;
    if (name === "agenda_items") followOn(event.target);
    if (name === "themes") nextNumber(event.target);
  });
})();
