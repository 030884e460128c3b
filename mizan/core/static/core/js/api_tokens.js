// Copy a freshly created API token to the clipboard (the CSP forbids inline scripts).
"use strict";
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field) return;
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.select();
    document.execCommand("copy");
  }
  const label = button.querySelector("span");
  if (label && button.dataset.copiedLabel) label.textContent = button.dataset.copiedLabel;
  field.focus();
  field.select();
});
