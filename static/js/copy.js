// Copy buttons: <button data-copy-target="ID" hidden> copies the value of a form field, or the
// text of any other element, with ID. A button is shown only when the Clipboard API is there
// (without JS the text stays selectable). The outcome is written to a `.copy-status` element
// next to the button; a failure selects the field when it can, for copying by hand.
// An element marked `data-copy-commands` is a console session: only its commands are copied
// (the lines after a "$ " or ">>> " prompt, without the prompt; output lines are left out).
function copyText(source) {
  if ("value" in source && typeof source.select === "function") return source.value;
  const text = source.textContent;
  if (!("copyCommands" in source.dataset)) return text;
  const commands = text.split("\n")
    .filter((line) => /^(\$ |>>> |\.\.\. )/.test(line))
    .map((line) => line.replace(/^(\$ |>>> |\.\.\. )/, ""));
  return commands.length ? commands.join("\n") + "\n" : text;
}

document.querySelectorAll("[data-copy-target]").forEach((button) => {
  const source = document.getElementById(button.dataset.copyTarget);
  if (!source || !navigator.clipboard) return;
  button.hidden = false;
  const status = button.parentElement.querySelector(".copy-status");
  button.addEventListener("click", async () => {
    const isField = "value" in source && typeof source.select === "function";
    try {
      await navigator.clipboard.writeText(copyText(source));
      if (status) status.textContent = "Copied.";
    } catch (err) {
      if (isField) source.select();
      if (status) status.textContent = "Copy failed: select the text and copy it by hand (Ctrl+C).";
    }
  });
});
