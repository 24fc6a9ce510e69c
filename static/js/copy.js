// Copy buttons: <button data-copy-target="ID" hidden> copies the value of a form field, or the
// text of any other element, with ID. A button is shown only when the Clipboard API is there
// (without JS the text stays selectable). The outcome is written to a `.copy-status` element
// next to the button; a failure selects the field when it can, for copying by hand.
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  const status = button.parentElement.querySelector(".copy-status");
  button.addEventListener("click", async () => {
    const isField = "value" in source && typeof source.select === "function";
    try {
      await navigator.clipboard.writeText(isField ? source.value : source.textContent);
      if (status) status.textContent = "Copied.";
    } catch (err) {
      if (isField) source.select();
      if (status) status.textContent = "Copy failed: select the text and copy it by hand (Ctrl+C).";
    }
  });
});
