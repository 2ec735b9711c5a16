// Registration questions asked only after a given answer (questions.forms): a question
// whose condition is not met is hidden, and shown again as soon as it is. The server
// decides the same from what is sent, so a hidden question is never required and its
// answer is never saved; without this script every question shows, with a note saying
// when to answer it.
"use strict";

(function () {
  const conditional = document.querySelectorAll("[data-depends-on]");
  if (!conditional.length) {
    return;
  }
  const form = conditional[0].closest("form");

  function wrapperOf(name) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    return input ? input.closest(".question") : null;
  }

  function chosen(name) {
    return Array.from(form.querySelectorAll(`[name="${CSS.escape(name)}"]`))
      .filter((input) => (input.type === "radio" || input.type === "checkbox" ? input.checked : true))
      .map((input) => input.value);
  }

  function update() {
    // In page order: a question depends only on earlier ones, so theirs is known.
    conditional.forEach((question) => {
      const parent = wrapperOf(question.dataset.dependsOn);
      const wanted = question.dataset.dependsValues.split(" ");
      const shown =
        !(parent && parent.hidden) && chosen(question.dataset.dependsOn).some((v) => wanted.includes(v));
      question.hidden = !shown;
    });
  }

  form.addEventListener("change", update);
  update();
})();
