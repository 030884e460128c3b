// Mizan's shell behaviour. No inline scripts anywhere (the CSP forbids them).
"use strict";

(function () {
  // Live search under the top-bar box: Escape or a click elsewhere closes the results.
  function clearResults(container) {
    if (container) { container.replaceChildren(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var container = document.getElementById("shell-search-results");
    if (container && container.childElementCount) {
      clearResults(container);
      var input = document.getElementById("shell-search-input");
      if (input) { input.focus(); }
    }
  });

  document.addEventListener("click", function (event) {
    var form = document.querySelector(".shell-search");
    if (form && !form.contains(event.target)) {
      clearResults(document.getElementById("shell-search-results"));
    }
  });

  // Forms marked data-confirm="question" ask before submitting (no inline onsubmit handlers).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
