// kincare's page behaviour, so that no page needs an inline script or event handler
// (Content-Security-Policy: script-src 'self'). Everything is wired through data attributes:
//   data-confirm="…"        on a form or a submit button: ask before submitting
//   data-busy="…"           on a form's submit button: disable it and show the text while submitting
//   data-select-on-click    on an input: select its text when clicked (share and invite links)
//   data-autosubmit         on a select: submit its form when changed (the language switch)
//   data-mirror-to="id"     on an input: copy its value into #id and fire "change" there (budget slider)
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var button = target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    if (target.matches("input[data-select-on-click]")) target.select();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      return;
    }
    var busy = form.querySelector("button[data-busy]");
    if (busy) {
      busy.disabled = true;
      busy.textContent = busy.getAttribute("data-busy");
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLInputElement) || !target.hasAttribute("data-mirror-to")) return;
    var mirror = document.getElementById(target.getAttribute("data-mirror-to"));
    if (!mirror) return;
    mirror.value = target.value;
    if (window.htmx) window.htmx.trigger(mirror, "change");
  });
})();
