// Financial reports: the Print button (no inline handlers; the CSP forbids them).
"use strict";

(function () {
  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest("[data-report-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
