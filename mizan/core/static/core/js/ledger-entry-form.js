// Manual journal entry form: add lines, and check the balance live while typing.
// The server validates again; this only helps the accountant see the difference early.
(function () {
  "use strict";

  var ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩";
  var SCALE = 1000; // amounts are stored with 3 decimal places

  // "1٬234٫50" or "1,234.50" -> integer thousandths (no floating point), or null.
  function toThousandths(text) {
    var normalized = "";
    for (var i = 0; i < text.length; i++) {
      var index = ARABIC_DIGITS.indexOf(text[i]);
      normalized += index >= 0 ? String(index) : text[i];
    }
    normalized = normalized.replace(/[٬,\s]/g, "").replace("٫", ".");
    if (normalized === "") return 0;
    var match = /^(\d+)(?:\.(\d{0,3}))?$/.exec(normalized);
    if (!match) return null;
    var fraction = (match[2] || "").padEnd(3, "0");
    return parseInt(match[1], 10) * SCALE + parseInt(fraction, 10);
  }

  var ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";

  // The organization may show Arabic-Indic digits on Arabic pages (form[data-arabic-digits]).
  function localizeDigits(text, arabicDigits) {
    if (!arabicDigits) return text;
    return text.replace(/[0-9]/g, function (digit) { return ARABIC_INDIC[Number(digit)]; }).replace(".", "٫");
  }

  function format(thousandths, minorUnits, arabicDigits) {
    var negative = thousandths < 0;
    var value = Math.abs(thousandths);
    var whole = Math.floor(value / SCALE);
    var fraction = String(value % SCALE).padStart(3, "0").slice(0, minorUnits);
    return localizeDigits((negative ? "-" : "") + whole + (minorUnits > 0 ? "." + fraction : ""), arabicDigits);
  }

  function isRemoved(row) {
    var box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    return box !== null && box.checked;
  }

  function recompute(form) {
    var minorUnits = parseInt(form.dataset.minorUnits || "2", 10);
    var arabicDigits = form.hasAttribute("data-arabic-digits");
    var debit = 0;
    var credit = 0;
    var invalid = false;
    form.querySelectorAll("[data-ledger-line]").forEach(function (row) {
      if (isRemoved(row)) return;
      var d = toThousandths(row.querySelector("[data-ledger-debit]").value.trim());
      var c = toThousandths(row.querySelector("[data-ledger-credit]").value.trim());
      if (d === null || c === null) {
        invalid = true;
        return;
      }
      debit += d;
      credit += c;
    });
    form.querySelector("[data-ledger-total-debit]").textContent = format(debit, minorUnits, arabicDigits);
    form.querySelector("[data-ledger-total-credit]").textContent = format(credit, minorUnits, arabicDigits);
    var status = form.querySelector("[data-ledger-balance-status]");
    status.classList.remove("ledger-balance-ok", "ledger-balance-off");
    if (debit === 0 && credit === 0) {
      status.textContent = status.dataset.textEmpty;
    } else if (!invalid && debit === credit) {
      status.textContent = status.dataset.textBalanced;
      status.classList.add("ledger-balance-ok");
    } else {
      status.textContent = status.dataset.textUnbalanced + " " + format(Math.abs(debit - credit), minorUnits, arabicDigits);
      status.classList.add("ledger-balance-off");
    }
  }

  function addLine(form) {
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    var template = form.querySelector("template[data-ledger-empty-line]");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var body = form.querySelector("[data-ledger-lines]");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = body.querySelectorAll("[data-ledger-line]");
    var select = rows[rows.length - 1].querySelector("select");
    if (select) select.focus();
  }

  function init(form) {
    form.addEventListener("input", function () { recompute(form); });
    form.addEventListener("change", function () { recompute(form); });
    var button = form.querySelector("[data-ledger-add-line]");
    if (button) {
      button.addEventListener("click", function () {
        addLine(form);
        recompute(form);
      });
    }
    recompute(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-ledger-entry-form]").forEach(init);
  });
})();
