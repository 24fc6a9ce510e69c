"""The diagnostics reference: one entry per code the validator can emit.

Each entry says what the code means, shows a contract that triggers it and says how to fix it.
``caio_integration.contracts.reference`` turns the entries into ``sdk/docs/DIAGNOSTICS.md``
(served by the portal at ``/docs/diagnostics/``), and the SDK's tests check, with no list of
codes written by hand, that every code the validator's source can emit has an entry here and
that every example triggers its code. A new code starts here: add its entry, then regenerate
the page (``python -m caio_integration.contracts.reference > sdk/docs/DIAGNOSTICS.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .code_docs_entries import ENTRIES

#: Where the portal serves the reference; each code is an anchor on that page.
DOCS_PATH = "/docs/diagnostics/"


@dataclass(frozen=True)
class CodeDoc:
    """One code of the reference.

    ``example`` is the contract the page shows. When the real input cannot be printed (a file
    over 256 KiB, bytes that are not UTF-8), ``build`` makes it and the page shows a shortened
    form. A code no contract can trigger on purpose has ``example=None`` and ``no_example``
    saying why.
    """

    code: str
    severity: str
    title: str
    meaning: str
    fix: str
    example: str | None
    no_example: str = ""
    build: Callable[[], str | bytes] | None = None

    @property
    def anchor(self) -> str:
        return self.code

    def example_input(self) -> str | bytes | None:
        """What the tests feed the validator for this entry."""
        return self.build() if self.build is not None else self.example


CODE_DOCS: dict[str, CodeDoc] = {entry["code"]: CodeDoc(**entry) for entry in ENTRIES}


def help_path(code: str) -> str:
    """The portal path of the code's entry, e.g. ``/docs/diagnostics/#unknown-key``."""
    return f"{DOCS_PATH}#{code}"


def help_url(code: str, base_url: str) -> str:
    """The absolute address of the code's entry on the portal at ``base_url``."""
    return base_url.rstrip("/") + help_path(code)
