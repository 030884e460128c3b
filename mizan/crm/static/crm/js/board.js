// The pipeline board: drag and drop with SortableJS, saved through the deal move endpoint.
// No inline scripts (CSP): everything is wired from data- attributes rendered by the template.
"use strict";

(function () {
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
    }).then(function (response) {
      return response.json().then(
        function (body) { return { ok: response.ok && body.ok, body: body }; },
        function () { return { ok: false, body: {} }; }
      );
    });
  }

  function showMessage(board, text, kind) {
    var region = document.getElementById("board-status");
    if (!region) { return; }
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (kind || "info") + " alert-dismissible fade show";
    alert.setAttribute("role", kind === "danger" ? "alert" : "status");
    alert.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", board.getAttribute("data-close-label") || "×");
    alert.appendChild(close);
    region.replaceChildren(alert);
  }

  function updateColumns(columns) {
    (columns || []).forEach(function (column) {
      var count = document.querySelector('[data-column-count="' + column.stage + '"]');
      var total = document.querySelector('[data-column-total="' + column.stage + '"]');
      if (count) { count.textContent = column.count; }
      if (total) { total.textContent = column.totals; }
    });
  }

  function cardIndex(list, item) {
    return Array.prototype.indexOf.call(list.querySelectorAll(":scope > .deal-card"), item);
  }

  // Put a card back where it was picked up (after a refused move or a cancelled "lost").
  function putBack(origin) {
    var item = origin.item;
    item.remove();
    var cards = origin.list.querySelectorAll(":scope > .deal-card");
    var before = cards[origin.index] || origin.list.querySelector(":scope > .deal-more");
    origin.list.insertBefore(item, before || null);
  }

  function failed(board, origin, body) {
    putBack(origin);
    showMessage(board, (body && body.message) || board.getAttribute("data-error-message"), "danger");
  }

  // One URL per action on the board ("/deals/0/move/"), the card's id put in its place: reversing
  // three URLs per card cost more than the rest of the card (docs/benchmarks.md).
  function dealUrl(item, action) {
    var board = document.getElementById("deal-board");
    var pattern = board ? board.getAttribute("data-" + action + "-url") : null;
    var id = item.getAttribute("data-deal-id");
    return pattern && id ? pattern.replace("/0/", "/" + id + "/") : null;
  }

  function moveCard(board, evt) {
    var item = evt.item;
    var origin = { item: item, list: evt.from, index: evt.oldDraggableIndex };
    if (evt.from === evt.to && evt.oldDraggableIndex === evt.newDraggableIndex) { return; }
    var url = dealUrl(item, "move");
    if (!url) { putBack(origin); return; }
    var data = new FormData();
    data.append("stage", evt.to.getAttribute("data-stage-id"));
    data.append("position", String(cardIndex(evt.to, item)));
    post(url, data).then(function (result) {
      if (result.ok) {
        updateColumns(result.body.columns);
        showMessage(board, result.body.message, "success");
      } else {
        failed(board, origin, result.body);
      }
    }, function () { failed(board, origin, null); });
  }

  function closeCard(board, item, result) {
    item.remove();
    updateColumns(result.body.columns);
    showMessage(board, result.body.message, "success");
  }

  function markWon(board, evt) {
    var item = evt.item;
    var origin = { item: item, list: evt.from, index: evt.oldDraggableIndex };
    post(dealUrl(item, "won"), new FormData()).then(function (result) {
      if (result.ok) { closeCard(board, item, result); } else { failed(board, origin, result.body); }
    }, function () { failed(board, origin, null); });
  }

  function askLostReason(board, evt) {
    var modalElement = document.getElementById(board.getAttribute("data-lost-modal"));
    var item = evt.item;
    var origin = { item: item, list: evt.from, index: evt.oldDraggableIndex };
    if (!modalElement || !window.bootstrap) { putBack(origin); return; }
    var form = modalElement.querySelector("form");
    var errorBox = modalElement.querySelector("[data-lost-error]");
    var title = modalElement.querySelector("[data-lost-deal-title]");
    var modal = window.bootstrap.Modal.getOrCreateInstance(modalElement);
    var done = false;
    form.reset();
    errorBox.classList.add("d-none");
    title.textContent = item.getAttribute("data-title") || "";

    function onSubmit(event) {
      event.preventDefault();
      post(dealUrl(item, "lost"), new FormData(form)).then(function (result) {
        if (result.ok) {
          done = true;
          modal.hide();
          closeCard(board, item, result);
        } else {
          errorBox.textContent = (result.body && result.body.message) || board.getAttribute("data-error-message");
          errorBox.classList.remove("d-none");
        }
      });
    }

    function onHidden() {
      form.removeEventListener("submit", onSubmit);
      modalElement.removeEventListener("hidden.bs.modal", onHidden);
      if (!done) { putBack(origin); }
    }

    form.addEventListener("submit", onSubmit);
    modalElement.addEventListener("hidden.bs.modal", onHidden);
    modal.show();
  }

  function initialise() {
    var board = document.getElementById("deal-board");
    if (!board || !window.Sortable) { return; }
    board.querySelectorAll(".deal-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "deals",
        draggable: ".deal-card[data-movable]",
        filter: ".deal-more",
        preventOnFilter: false,
        animation: 150,
        onEnd: function (evt) {
          if (evt.to.hasAttribute("data-zone")) { return; }  // the zone handles it
          moveCard(board, evt);
        },
      });
    });
    board.querySelectorAll("[data-zone]").forEach(function (zone) {
      window.Sortable.create(zone, {
        group: { name: "deals", pull: false, put: true },
        draggable: ".deal-card",
        sort: false,
        onAdd: function (evt) {
          if (zone.getAttribute("data-zone") === "won") { markWon(board, evt); } else { askLostReason(board, evt); }
        },
      });
    });
  }

  // Pipeline switcher (and any select marked data-autosubmit) submits on change.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.requestSubmit();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", initialise);
  } else {
    initialise();
  }
})();
