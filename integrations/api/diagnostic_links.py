"""Each diagnostic the API answers links to its entry in the diagnostics reference (docs_url)."""

from __future__ import annotations

from typing import Any

from caio_integration.contracts.code_docs import help_path
from django.conf import settings


def docs_url(code: str, request: Any = None) -> str:
    """The absolute address of ``code``'s entry: on the host the request came to, else SITE_URL."""
    path = help_path(code)
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def with_docs_urls(diagnostics: list[dict[str, Any]], request: Any) -> list[dict[str, Any]]:
    """The diagnostics (as dicts), each with its ``docs_url``."""
    return [{**diagnostic, "docs_url": docs_url(str(diagnostic.get("code", "")), request)}
            for diagnostic in diagnostics]
