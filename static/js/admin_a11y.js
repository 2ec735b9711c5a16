// Every admin page: names for the controls the admin's own scripts draw without one
// (WCAG 4.1.2), once they have drawn them.
(function () {
  "use strict";

  function labelFor(select) {
    if (!select || !select.id) return null;
    var label = document.querySelector('label[for="' + select.id + '"]');
    if (!label) return null;
    if (!label.id) label.id = select.id + "-label";
    return label;
  }

  function nameSelect2Boxes() {
    // Autocomplete boxes (select2): the visible box is named by the field's label.
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = labelFor(select);
      var box = select.nextElementSibling;
      if (!label || !box) return;
      box.querySelectorAll('[role="combobox"]').forEach(function (combo) {
        var shown = combo.querySelector('[role="textbox"]');
        combo.setAttribute("aria-labelledby", label.id + (shown && shown.id ? " " + shown.id : ""));
        if (shown) shown.setAttribute("aria-labelledby", label.id);
      });
    });
  }

  function nameFilterIcons() {
    // The two-list picker (SelectFilter2.js) puts aria-label on a bare <span>, which
    // ARIA forbids: as an image it may carry the name.
    document.querySelectorAll(".selector .help-tooltip[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameTabularInputs() {
    // Tabular inlines label their columns, not each box: each box is named by its
    // column's heading and its row's number.
    document.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
      var headings = Array.prototype.map.call(
        table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); }
      );
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.children, function (cell) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (field.labels && field.labels.length) return;
            if (field.getAttribute("aria-label") || field.getAttribute("aria-labelledby")) return;
            var column = headings[cell.cellIndex] || (field.type === "checkbox" ? "Delete" : field.name);
            field.setAttribute("aria-label", column + ", row " + (rowIndex + 1));
          });
        });
      });
    });
  }

  function run() {
    nameSelect2Boxes();
    nameFilterIcons();
    nameTabularInputs();
  }

  // The admin's scripts draw on DOMContentLoaded, on load and later (a select2 box when
  // jQuery is ready, a new inline row): name whatever they add as soon as it is added.
  run();
  new MutationObserver(run).observe(document.body, { childList: true, subtree: true });
  window.addEventListener("load", run);
})();
