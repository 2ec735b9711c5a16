// The GOV.UK error summary pattern. A page that comes back with errors opens on the
// summary, so a screen reader reads what to fix and a keyboard user is one Tab from the
// first field to correct. Following a link focuses the field and scrolls its label or
// legend into view, not just the bare input, so the question is seen with the field.
"use strict";

(function () {
  const summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();

  function caption(field) {
    const group = field.type === "radio" ? field.closest("fieldset") : null;
    const legend = group ? group.querySelector("legend") : null;
    return legend || document.querySelector(`label[for="${CSS.escape(field.id)}"]`) || field;
  }

  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) {
      return;
    }
    event.preventDefault();
    caption(field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
})();
