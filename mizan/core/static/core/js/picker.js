// Type-ahead pickers: a <select data-picker-source="/api/v1/...?"> lists only its chosen options
// (an organization has tens of thousands of clients); this turns it into a combobox that asks the
// API list for matches as the user types. The select stays in the form, hidden, and keeps the
// value: what is submitted, validated and listened to (a "change" event) does not change. A
// <select multiple> shows its chosen options as removable chips above the combobox.
"use strict";

(function () {
  var DELAY_MS = 200;
  var counter = 0;

  function selectedText(select) {
    if (select.multiple) { return ""; }
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }

  function sourceUrl(select, query) {
    var url = new URL(select.getAttribute("data-picker-source"), window.location.origin);
    url.searchParams.set("q", query);
    var depends = select.getAttribute("data-picker-depends");
    if (depends) {
      var other = select.form && select.form.elements.namedItem(depends);
      if (other && other.value) { url.searchParams.set(depends, other.value); }
    }
    return url;
  }

  function choose(select, input, id, text) {
    var option = Array.prototype.find.call(select.options, function (item) { return item.value === id; });
    if (!option) {
      option = new Option(text, id);
      select.add(option);
    }
    if (select.multiple) {
      option.selected = true;
      input.value = "";
    } else {
      select.value = id;
      input.value = id ? text : "";
    }
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function renderChips(select, chips) {
    chips.replaceChildren();
    Array.prototype.forEach.call(select.selectedOptions, function (option) {
      var chip = document.createElement("span");
      chip.className = "badge text-bg-light border d-inline-flex align-items-center gap-1 me-1 mb-1";
      chip.textContent = option.text;
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-close-sm";
      remove.setAttribute("aria-label", (select.getAttribute("data-picker-remove") || "") + " " + option.text);
      remove.addEventListener("click", function () {
        option.selected = false;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      });
      chip.appendChild(remove);
      chips.appendChild(chip);
    });
  }

  function enhance(select) {
    if (select.dataset.pickerReady) { return; }
    select.dataset.pickerReady = "1";
    var label = select.getAttribute("data-picker-label") || "display_name";
    var listId = "picker-list-" + (++counter);
    var wrapper = document.createElement("div");
    wrapper.className = "position-relative";
    var input = document.createElement("input");
    input.type = "text";
    input.className = select.className.replace("form-select", "form-control");
    input.value = selectedText(select);
    input.placeholder = select.getAttribute("data-picker-placeholder") || "";
    input.autocomplete = "off";
    input.disabled = select.disabled;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    ["aria-invalid", "aria-describedby"].forEach(function (name) {
      // Errors and help text name the combobox now (StyledFormMixin set them on the select).
      if (select.hasAttribute(name)) { input.setAttribute(name, select.getAttribute(name)); }
    });
    if (select.id) {
      // The field's <label for=...> now names the combobox.
      input.id = select.id;
      select.id = select.id + "-select";
    }
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "dropdown-menu w-100 overflow-auto";
    list.style.maxHeight = "18rem";
    list.setAttribute("role", "listbox");
    // A press on the list (its scroll bar too) must not take the focus from the input.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
    select.classList.add("d-none");
    select.tabIndex = -1;
    select.parentNode.insertBefore(wrapper, select);
    if (select.multiple) {
      var chips = document.createElement("div");
      wrapper.appendChild(chips);
      renderChips(select, chips);
      select.addEventListener("change", function () { renderChips(select, chips); });
    }
    wrapper.appendChild(input);
    wrapper.appendChild(list);
    wrapper.appendChild(select);

    var timer = null;
    var active = -1;
    var request = 0;

    function forget() {
      // A search typed before the choice, still waiting or on its way, must not reopen the list.
      window.clearTimeout(timer);
      request++;
    }

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function items() { return list.querySelectorAll("[role=option]"); }

    function highlight(index) {
      var options = items();
      if (!options.length) { return; }
      active = (index + options.length) % options.length;
      options.forEach(function (option, position) {
        option.classList.toggle("active", position === active);
        option.setAttribute("aria-selected", position === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function message(text) {
      var item = document.createElement("li");
      item.className = "dropdown-item-text text-body-secondary";
      item.textContent = text;
      list.appendChild(item);
    }

    function show() {
      list.classList.add("show");
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function render(found) {
      list.replaceChildren();
      var results = found;
      if (!select.required && !select.multiple) {
        results = [{ id: "", text: select.getAttribute("data-picker-empty") || "---------" }].concat(found);
      }
      results.forEach(function (result, position) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "dropdown-item text-wrap";
        button.id = listId + "-" + position;
        button.setAttribute("role", "option");
        button.dataset.value = String(result.id);
        button.textContent = result.text;
        button.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          forget();
          choose(select, input, String(result.id), result.text);
          close();
        });
        item.appendChild(button);
        list.appendChild(item);
      });
      if (!found.length) { message(select.getAttribute("data-picker-none") || ""); }
      show();
    }

    function failed() {
      list.replaceChildren();
      message(select.getAttribute("data-picker-error") || "");
      show();
    }

    function search() {
      var mine = ++request;
      fetch(sourceUrl(select, input.value.trim()), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (data) {
          if (mine !== request || document.activeElement !== input) { return; } // late or unwanted
          render((data.results || []).map(function (row) { return { id: row.id, text: row[label] }; }));
        })
        .catch(function () { if (mine === request && document.activeElement === input) { failed(); } });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, DELAY_MS);
    });
    input.addEventListener("focus", function () { input.select(); search(); });
    input.addEventListener("blur", function () {
      forget();
      close();
      if (!select.multiple && !input.value.trim() && !select.required && select.value) {
        choose(select, input, "", "");
      } else {
        input.value = selectedText(select);
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.classList.contains("show")) { search(); return; }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && list.classList.contains("show")) {
        // Never submit the form with the typed text unchosen: Enter takes the highlighted match,
        // else the first one (not the empty choice).
        event.preventDefault();
        var options = Array.prototype.slice.call(items());
        var target = active >= 0 ? options[active] : options.find(function (option) { return option.dataset.value; });
        if (target) { target.dispatchEvent(new MouseEvent("mousedown", { cancelable: true })); }
      } else if (event.key === "Escape" && list.classList.contains("show")) {
        event.preventDefault();
        input.value = selectedText(select);
        close();
      }
    });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("select[data-picker-source]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.target); });
})();
