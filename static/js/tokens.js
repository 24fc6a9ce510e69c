// The new-token "Copy" button: shown only when the Clipboard API is there (the field stays
// selectable without JS).
(function () {
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copyTarget);
    var note = button.parentElement.querySelector(".token-copied");
    if (!field || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (note) note.textContent = "Copied.";
      }, function () {
        field.select();
        if (note) note.textContent = "Select the token and copy it (Ctrl+C).";
      });
    });
  });
})();
