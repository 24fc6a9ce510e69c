// Copy buttons for contract YAML: shown only when the Clipboard API exists (progressive).
document.querySelectorAll("[data-copy-target]").forEach((button) => {
  if (!navigator.clipboard) return;
  button.hidden = false;
  const status = button.parentElement.querySelector(".copy-status");
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copyTarget);
    try {
      await navigator.clipboard.writeText(source.textContent);
      if (status) status.textContent = "Copied.";
    } catch (err) {
      if (status) status.textContent = "Copy failed: select the text and copy it by hand.";
    }
  });
});
