// The catalogue list's compare ticks follow the visitor across pages and filters: when a tick
// changes, the filter form's hidden `ids` and the pagination links carry the new selection.
// Without JS the selection still lives in the URL (`ids`) and the Compare button sends the ticks.
(() => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const hidden = document.querySelector("[data-compare-ids]");
  const links = document.querySelectorAll(".pagination a[href]");

  const ticked = () => {
    const ids = [];
    for (const box of form.elements) {
      if (box.name === "ids" && box.checked && !ids.includes(box.value)) ids.push(box.value);
    }
    return ids;
  };

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.name !== "ids" || box.form !== form) return;
    const ids = ticked().join(",");
    if (hidden) {
      hidden.value = ids;
      hidden.disabled = !ids;
    }
    links.forEach((link) => {
      const url = new URL(link.href, window.location.href);
      if (ids) url.searchParams.set("ids", ids);
      else url.searchParams.delete("ids");
      link.href = url.pathname + url.search;
    });
  });
})();
