"""What the browser tests check on a page: Content-Security-Policy violations and axe-core.

`watch_csp(context)` records every `securitypolicyviolation` event from the first moment of each
document the context opens; `csp_violations(page)` returns (and clears) the ones seen so far.
`serious_axe_violations(page)` runs axe-core, which `watch_axe(context)` loads into every document
(once per context, rather than evaluated again for every page).
"""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`
    + ` at ${e.sourceFile || "?"}:${e.lineNumber}`);
});
"""


def watch_csp(context) -> None:
    context.add_init_script(WATCH_CSP)


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations ? window.__cspViolations.splice(0) : []")


def csp_console(page, into: list[str], label: str = "") -> None:
    """Collect the console's CSP reports too (they include workers and blocked loads)."""
    page.on("console", lambda m: into.append(f"{label}{m.text}")
            if "Content Security Policy" in m.text else None)


def watch_axe(context) -> None:
    context.add_init_script(Axe().axe_script)


def serious_axe_violations(page) -> list[str]:
    """axe-core violations of serious or critical impact on the page as it is now."""
    violations = page.evaluate(
        "axe.run(document, {resultTypes: ['violations'], iframes: false, preload: false})",
    )["violations"]
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in violations if v["impact"] in ("serious", "critical")]
