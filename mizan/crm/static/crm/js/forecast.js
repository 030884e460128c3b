// The forecast bar chart; its data comes from a json_script block (JSON, not executed: CSP-safe).
"use strict";

(function () {
  function draw() {
    var canvas = document.getElementById("forecast-chart");
    var source = document.getElementById("forecast-chart-data");
    if (!canvas || !source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var rtl = document.documentElement.getAttribute("dir") === "rtl";
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values.map(Number), backgroundColor: "#0d6efd" }],
      },
      options: {
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : {},
        // The page sends the locale with its numbering system (ar-SA-u-nu-arab when the
        // organization shows Arabic-Indic digits): ticks and tooltips read like the tables.
        locale: data.locale || document.documentElement.lang || "ar",
        scales: { x: { reverse: rtl }, y: { position: rtl ? "right" : "left" } },
        plugins: { legend: { rtl: rtl, display: true } },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
