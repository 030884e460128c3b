// The shared line editor of quotes, invoices, credit notes and recurring schedules
// (templates/billing/includes/lines_editor.html): add and remove lines, fill a product's unit and
// price hint, and preview each line's amount before tax. The server computes the real amounts,
// taxes and totals; this preview only multiplies quantity, price and discount (no tax rules here).
(function () {
  "use strict";

  var ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩";

  // "1٬234٫50" or "1,234.50" -> {digits: BigInt, scale: n} or null; "" -> null with empty=true.
  function parseDecimal(text, maxPlaces) {
    var normalized = "";
    for (var i = 0; i < text.length; i++) {
      var index = ARABIC_INDIC.indexOf(text[i]);
      normalized += index >= 0 ? String(index) : text[i];
    }
    normalized = normalized.replace(/[٬,\s]/g, "").replace("٫", ".");
    var match = /^(\d+)(?:\.(\d*))?$/.exec(normalized);
    if (!match || (match[2] || "").length > maxPlaces) return null;
    var fraction = (match[2] || "").padEnd(maxPlaces, "0");
    return BigInt(match[1] + fraction); // scaled by 10^maxPlaces
  }

  function localizeDigits(text, arabicDigits) {
    if (!arabicDigits) return text;
    return text.replace(/[0-9]/g, function (digit) { return ARABIC_INDIC[Number(digit)]; }).replace(".", "٫");
  }

  // value scaled by 10^minorUnits -> "1234.50"
  function format(value, minorUnits, arabicDigits) {
    var negative = value < 0n;
    var text = (negative ? -value : value).toString().padStart(minorUnits + 1, "0");
    var whole = minorUnits > 0 ? text.slice(0, -minorUnits) : text;
    var fraction = minorUnits > 0 ? "." + text.slice(-minorUnits) : "";
    return localizeDigits((negative ? "-" : "") + whole + fraction, arabicDigits);
  }

  function currencyOf(editor) {
    var inputId = editor.dataset.currencyInput;
    var input = inputId ? document.getElementById(inputId) : null;
    return (input && input.value) || editor.dataset.currency || "";
  }

  function minorUnitsOf(editor, currency) {
    var table = {};
    try { table = JSON.parse(editor.dataset.minorUnits || "{}"); } catch (error) { table = {}; }
    return Object.prototype.hasOwnProperty.call(table, currency) ? table[currency] : 2;
  }

  function selectedOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  function productPrice(row, currency) {
    var option = selectedOption(row.querySelector("[data-line-product]"));
    if (!option || !option.dataset.prices) return null;
    try {
      var prices = JSON.parse(option.dataset.prices);
      return Object.prototype.hasOwnProperty.call(prices, currency) ? prices[currency] : null;
    } catch (error) {
      return null;
    }
  }

  function isRemoved(row) {
    var box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    return box !== null && box.checked;
  }

  // Amount before tax of one row, in minor units (BigInt), or null when it cannot be previewed.
  function rowAmount(row, currency, minorUnits) {
    var quantityText = row.querySelector("[data-line-quantity]").value.trim() || "1";
    var priceInput = row.querySelector("[data-line-price]");
    var priceText = priceInput.value.trim() || productPrice(row, currency) || "";
    var discountText = row.querySelector("[data-line-discount]").value.trim() || "0";
    if (!priceText) return null;
    var quantity = parseDecimal(quantityText, 3); // x10^3
    var price = parseDecimal(priceText, 3); // x10^3
    var discount = parseDecimal(discountText, 4); // percent x10^4
    if (quantity === null || price === null || discount === null || discount > 1000000n) return null;
    var scaled = quantity * price * (1000000n - discount); // x10^12
    var divisor = 10n ** BigInt(12 - minorUnits);
    return (scaled + divisor / 2n) / divisor; // half up (never negative)
  }

  function recompute(editor) {
    var currency = currencyOf(editor);
    var minorUnits = minorUnitsOf(editor, currency);
    var arabicDigits = editor.hasAttribute("data-arabic-digits");
    var subtotal = 0n;
    var complete = true;
    var any = false;
    editor.querySelectorAll("[data-lines-body] [data-lines-row]").forEach(function (row) {
      var cell = row.querySelector("[data-lines-amount]");
      if (isRemoved(row)) return;
      var amount = rowAmount(row, currency, minorUnits);
      if (amount === null) {
        cell.textContent = "—";
        var product = row.querySelector("[data-line-product]");
        var description = row.querySelector("[data-line-description]");
        if ((product && product.value) || (description && description.value.trim())) complete = false;
        return;
      }
      any = true;
      cell.textContent = format(amount, minorUnits, arabicDigits);
      subtotal += amount;
    });
    var total = editor.querySelector("[data-lines-subtotal]");
    if (total) total.textContent = any && complete ? format(subtotal, minorUnits, arabicDigits) + " " + currency : "—";
  }

  // A product chosen: suggest its unit, name and price (as placeholders the server fills the same way).
  function productChanged(editor, row) {
    var option = selectedOption(row.querySelector("[data-line-product]"));
    var unit = row.querySelector("[data-line-unit]");
    var description = row.querySelector("[data-line-description]");
    var price = row.querySelector("[data-line-price]");
    if (!option || !option.value) {
      description.placeholder = "";
      price.placeholder = "";
      return;
    }
    if (unit && !unit.value && option.dataset.unit) unit.value = option.dataset.unit;
    description.placeholder = option.dataset.name || "";
    price.placeholder = productPrice(row, currencyOf(editor)) || "";
  }

  function addRow(editor) {
    var prefix = editor.dataset.prefix;
    var total = editor.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    var maximum = editor.querySelector('input[name="' + prefix + '-MAX_NUM_FORMS"]');
    var index = parseInt(total.value, 10);
    if (maximum && index >= parseInt(maximum.value, 10)) return;
    var template = editor.querySelector("template[data-lines-empty-row]");
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var body = editor.querySelector("[data-lines-body]");
    body.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var rows = body.querySelectorAll("[data-lines-row]");
    var first = rows[rows.length - 1].querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
  }

  // Removing marks the row deleted (the formset ignores it) and hides it: indexes never change.
  function removeRow(editor, row) {
    var box = row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    if (box) box.checked = true;
    row.hidden = true;
    row.classList.add("d-none");
    var visible = editor.querySelectorAll("[data-lines-body] [data-lines-row]:not([hidden])");
    if (visible.length === 0) addRow(editor);
  }

  function init(editor) {
    editor.addEventListener("input", function () { recompute(editor); });
    editor.addEventListener("change", function (event) {
      var row = event.target.closest("[data-lines-row]");
      if (row && event.target.matches("[data-line-product]")) productChanged(editor, row);
      recompute(editor);
    });
    editor.addEventListener("click", function (event) {
      var button = event.target.closest("[data-lines-add], [data-lines-remove]");
      if (!button) return;
      if (button.matches("[data-lines-add]")) {
        addRow(editor);
      } else {
        removeRow(editor, button.closest("[data-lines-row]"));
      }
      recompute(editor);
    });
    var currencyInput = editor.dataset.currencyInput ? document.getElementById(editor.dataset.currencyInput) : null;
    if (currencyInput) {
      currencyInput.addEventListener("change", function () {
        editor.querySelectorAll("[data-lines-body] [data-lines-row]").forEach(function (row) {
          productChanged(editor, row);
        });
        recompute(editor);
      });
    }
    editor.querySelectorAll("[data-lines-body] [data-lines-row]").forEach(function (row) {
      if (isRemoved(row)) {
        row.hidden = true;
        row.classList.add("d-none");
      } else {
        productChanged(editor, row);
      }
    });
    recompute(editor);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-lines-editor]").forEach(init);
  });
})();
