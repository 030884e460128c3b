// CRM tools: copy buttons for embed codes, and scoring-rule argument fields that follow the condition.
(function () {
  "use strict";

  function setupCopyButtons() {
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var source = document.getElementById(button.getAttribute("data-copy-target"));
        if (!source) { return; }
        source.select();
        if (navigator.clipboard) {
          navigator.clipboard.writeText(source.value);
        }
      });
    });
  }

  function setupScoringConditions() {
    var select = document.querySelector("[data-scoring-condition-select]");
    if (!select) { return; }
    function update() {
      document.querySelectorAll("[data-scoring-condition]").forEach(function (input) {
        var wrapper = input.closest(".mb-3");
        if (wrapper) {
          wrapper.hidden = input.getAttribute("data-scoring-condition") !== select.value;
        }
      });
    }
    select.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupCopyButtons();
    setupScoringConditions();
  });
})();
