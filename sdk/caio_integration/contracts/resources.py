"""Contract templates and examples shipped inside the package."""

from __future__ import annotations

from importlib.resources import files

_KINDS = ("templates", "examples")


def _names(kind: str) -> list[str]:
    folder = files("caio_integration") / kind
    return sorted(
        entry.name[: -len(".yaml")]
        for entry in folder.iterdir()
        if entry.name.endswith(".yaml") and entry.is_file()
    )


def templates() -> list[str]:
    """Names of the contract templates (e.g. ``simple_service``), sorted."""
    return _names("templates")


def examples() -> list[str]:
    """Names of the example contracts (e.g. ``openai_compatible_chat``), sorted."""
    return _names("examples")


def read_template(name: str) -> str:
    """The YAML text of the template or example called ``name``.

    Only names from ``templates()`` and ``examples()`` are accepted, so no caller-supplied path
    is ever opened. Raises ``KeyError`` for an unknown name.
    """
    for kind in _KINDS:
        if name in _names(kind):
            return (files("caio_integration") / kind / f"{name}.yaml").read_text(encoding="utf-8")
    raise KeyError(name)


def describe(name: str) -> tuple[str, str]:
    """(title, summary) of the template or example ``name``, from its first line, written
    ``# Title: summary.`` Raises ``KeyError`` for an unknown name."""
    first = read_template(name).split("\n", 1)[0].lstrip("#").strip()
    title, _, summary = first.partition(": ")
    if not summary:
        return name.replace("_", " ").capitalize(), first
    return title, summary[:1].upper() + summary[1:]
