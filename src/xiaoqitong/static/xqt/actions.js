/* 校企通: the small behaviours that templates once wrote as inline handlers (onchange=, onsubmit=,
   onclick=). The content security policy allows no inline script, so templates mark elements with data-
   attributes and this file handles them by event delegation, for the page and for anything htmx swaps in.

   data-xqt-autosubmit      on a select or input: submit its form when the value changes
   data-xqt-confirm="text"  on a form: ask before submitting; nothing is sent if the person declines
   data-xqt-print           on a button: print the page */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var field = event.target.closest && event.target.closest("[data-xqt-autosubmit]");
    if (field && field.form) {
      field.form.submit();
    }
  });

  /* Capture phase: the question comes before any other submit handler (htmx's among them) can act. */
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form instanceof HTMLFormElement && form.hasAttribute("data-xqt-confirm")) {
        if (!window.confirm(form.getAttribute("data-xqt-confirm"))) {
          event.preventDefault();
          event.stopPropagation();
        }
      }
    },
    true
  );

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-xqt-print]")) {
      window.print();
    }
  });
})();
