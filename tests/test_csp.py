"""The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY, django-csp): on every page and
API answer, strict for scripts and styles; ReDoc alone relaxes styles; Swagger UI's set-up script
is a file; and no template writes what the policy would block (inline script bodies, on*=
handlers, javascript: URLs, style= attributes, htmx code that needs eval)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/", "/services/", "/docs/", "/accounts/login/", "/no-such-page/", "/api/v1/services/",
    "/api/v1/me/", "/api/schema/", "/api/docs/", "/healthz", "/admin/login/",
])
def test_every_page_and_api_answer_carries_a_strict_policy(anonymous, path):
    policy = directives(anonymous.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
        assert "*" not in policy[directive]


@pytest.mark.django_db
def test_redoc_alone_may_use_inline_styles_and_its_scripts_stay_strict(anonymous):
    policy = directives(anonymous.get("/api/redoc/"))
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives(anonymous.get("/api/docs/"))["style-src"]


@pytest.mark.django_db
def test_swagger_ui_loads_its_set_up_script_as_a_file(anonymous):
    page = anonymous.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "an inline <script> in Swagger UI"
    assert "<style" not in page
    script = anonymous.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_a_nonce_is_in_the_policy_only_when_a_page_uses_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">1</script>')

    def view(request):
        return HttpResponse(template.render({"CSP_NONCE": request.csp_nonce}, request))

    middleware = CSPMiddleware(view)
    request = rf.get("/")
    response = middleware(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response)["script-src"]
    plain = CSPMiddleware(lambda request: HttpResponse("plain"))(rf.get("/"))
    assert directives(plain)["script-src"] == ["'self'"]


BLOCKED = {
    "an inline <script> body": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "an on*= event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a javascript: URL": re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
    "a style= attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style[\s>]", re.I),
    # htmx runs with allowEval false (base.html): these would silently do nothing.
    "htmx code that needs eval": re.compile(
        r"""\shx-on[:-]|\shx-vars\s*=|\shx-(vals|headers)\s*=\s*["']\s*js:|hx-trigger\s*=\s*"[^"]*\[""",
        re.I),
}


def test_no_template_writes_what_the_policy_blocks():
    """Pages only: HTML emails keep their inline styles (mail clients need them; no CSP there)."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "email" in path.relative_to(TEMPLATES).parts:
            continue
        text = path.read_text(encoding="utf-8")
        for what, pattern in BLOCKED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)
