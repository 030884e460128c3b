// Stage order: drag rows with SortableJS; the position inputs follow, then "Save the order" submits.
"use strict";

(function () {
  function renumber(body) {
    body.querySelectorAll("[data-stage-row]").forEach(function (row, index) {
      var input = row.querySelector("[data-position-input]");
      if (input) { input.value = String(index); }
    });
  }

  function initialise() {
    var body = document.querySelector("[data-stage-rows]");
    if (!body || !window.Sortable) { return; }
    window.Sortable.create(body, {
      draggable: "[data-stage-row]",
      handle: ".stage-handle",
      animation: 150,
      onEnd: function () { renumber(body); },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialise);
  } else {
    initialise();
  }
})();
