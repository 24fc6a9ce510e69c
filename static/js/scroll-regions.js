/* Keyboard access to boxes that scroll sideways (a wide table in .table-scroll, a <pre>, a docs
   table): each one whose content is wider than the box gets tabindex="0", so it can be focused
   and scrolled with the arrow keys (WCAG 2.1.1; axe: scrollable-region-focusable). Run on load,
   after htmx swaps and after a resize. No inline script, so it runs under the CSP. */
(function () {
  "use strict";
  var SELECTOR = ".table-scroll, pre, .table, .docs-body table, .diff-wrap, .yaml, [data-scroll-region]";

  function mark() {
    var boxes = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var style = window.getComputedStyle(box);
      var scrolls = (style.overflowX === "auto" || style.overflowX === "scroll") &&
        box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-scroll-focus", "");
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby") &&
            box.tagName !== "TABLE" && box.tagName !== "PRE") {
          box.setAttribute("role", "region");
          box.setAttribute("aria-label", "Scrollable content");
        }
      } else if (!scrolls && box.hasAttribute("data-scroll-focus")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-scroll-focus");
      }
    }
  }

  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; mark(); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
