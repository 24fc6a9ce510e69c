"""A flat list of form fields derived from the contract schema (for editors and docs)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from .schema import _schema
from .vocab import CAPABILITIES, CURRENCIES, LANGUAGES

_VOCABULARIES: dict[str, tuple[str, ...]] = {
    "capabilities": CAPABILITIES,
    "languages": tuple(LANGUAGES),
    "currencies": tuple(sorted(CURRENCIES)),
}

_CONSTRAINT_KEYS = (
    "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minItems", "maxItems", "uniqueItems",
)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One editable contract field.

    ``path`` is the JSON pointer (``/guarantees/latency/p95_ms``); ``section`` holds the titles
    of the enclosing objects (``("Guarantees", "Latency")``); ``type`` is the JSON Schema type
    (``string``, ``number``, ``integer`` or ``array``); for arrays ``item_type`` is the items'
    type; ``required`` means required within its parent object; ``constraints`` holds the JSON
    Schema limits (pattern, minimum, maxLength...) of the field or, for arrays, of the list and
    its items (item limits prefixed ``items.``); ``vocabulary`` lists the known values
    (capabilities, language codes, currency codes) when there is such a list.
    """

    path: str
    key: str
    title: str
    description: str
    type: str
    required: bool
    section: tuple[str, ...] = ()
    item_type: str | None = None
    format: str | None = None
    enum: tuple[Any, ...] | None = None
    default: Any = None
    example: Any = None
    hint: str | None = None
    constraints: dict[str, Any] | None = None
    vocabulary: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "type": self.type,
            "required": self.required,
            "section": list(self.section),
            "item_type": self.item_type,
            "format": self.format,
            "enum": list(self.enum) if self.enum is not None else None,
            "default": self.default,
            "example": self.example,
            "hint": self.hint,
            "constraints": dict(self.constraints or {}),
            "vocabulary": list(self.vocabulary) if self.vocabulary is not None else None,
        }


def _spec(path: str, key: str, node: dict[str, Any], required: bool,
          section: tuple[str, ...]) -> FieldSpec:
    constraints = {k: node[k] for k in _CONSTRAINT_KEYS if k in node}
    items = node.get("items") or {}
    constraints.update({f"items.{k}": items[k] for k in _CONSTRAINT_KEYS if k in items})
    vocabulary = _VOCABULARIES.get(node.get("x-vocabulary", ""))
    enum = node.get("enum")
    return FieldSpec(
        path=path,
        key=key,
        title=node["title"],
        description=node["description"],
        type=node["type"],
        required=required,
        section=section,
        item_type=items.get("type") if items else None,
        format=node.get("format"),
        enum=tuple(enum) if enum is not None else None,
        default=node.get("default"),
        example=(node.get("examples") or [None])[0],
        hint=node.get("x-hint") or items.get("x-hint"),
        constraints=constraints,
        vocabulary=vocabulary,
    )


def _walk(path: str, node: dict[str, Any], section: tuple[str, ...], out: list[FieldSpec]) -> None:
    required = set(node.get("required", ()))
    for key, child in node.get("properties", {}).items():
        if child.get("type") == "object":  # the schema is 3 levels deep: recursion is fine
            _walk(f"{path}/{key}", child, (*section, child["title"]), out)
        else:
            out.append(_spec(f"{path}/{key}", key, child, key in required, section))


@cache
def _field_specs() -> tuple[FieldSpec, ...]:
    out: list[FieldSpec] = []
    _walk("", _schema(), (), out)
    return tuple(out)


def field_specs() -> list[FieldSpec]:
    """Every leaf field of contract schema v1, in schema order, as :class:`FieldSpec`."""
    return list(_field_specs())


def _limits(spec: FieldSpec) -> str:
    words = {
        "minLength": "min length {}", "maxLength": "max length {}", "minimum": ">= {}",
        "maximum": "<= {}", "exclusiveMinimum": "> {}", "exclusiveMaximum": "< {}",
        "minItems": "at least {} item(s)", "maxItems": "at most {} items",
        "uniqueItems": "unique",
    }
    parts = []
    for key, value in (spec.constraints or {}).items():
        base = key.removeprefix("items.")
        if base in words and value is not False:
            prefix = "each " if key.startswith("items.") else ""
            parts.append(prefix + words[base].format(value))
    if spec.format:
        parts.append(f"{spec.format}")
    if spec.default is not None:
        parts.append(f"default {spec.default}")
    return ", ".join(parts)


def markdown_table() -> str:
    """The contract fields as a Markdown table (used by the README and the portal's docs)."""
    rows = ["| Field | Title | Type | Required | Limits | Description |",
            "|---|---|---|---|---|---|"]
    for spec in field_specs():
        kind = f"list of {spec.item_type}" if spec.type == "array" else spec.type
        path = spec.path.lstrip("/").replace("/", ".")
        description = spec.description.replace("|", "\\|")
        rows.append(f"| `{path}` | {spec.title} | {kind} | {'yes' if spec.required else 'no'} | "
                    f"{_limits(spec)} | {description} |")
    return "\n".join(rows) + "\n"
