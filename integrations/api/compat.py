"""API compatibility (the Phase 16 plan's Risk 3): what a newly generated OpenAPI schema drops or
narrows from the committed snapshot, `integrations/api/openapi.snapshot.json`.

A client written against the snapshot must keep working. What a client *sends* (parameters and
request bodies) must still be accepted; what it *receives* (responses) must still be what it was
promised. So a break is:

- a removed path or operation; a removed response status or media type; a request media type or
  body no longer accepted;
- in what the client sends: a removed field or parameter (the API refuses unknown fields), a
  newly required field, parameter or body, a narrowed type or format, null no longer accepted, a
  removed enum value, a tighter bound (maxLength, maximum, minimum, ...);
- in what the client receives: a removed field, a field that may now be absent (no longer
  required), a field that may now be null, a type or format that changed to one not promised, a
  removed enum value.

Adding paths, operations, optional request fields, response fields or enum values is not a break;
record them by updating the snapshot. `$ref`s are followed and `allOf` is merged, so renaming a
component is not a break. `oneOf`/`anyOf` alternatives are compared by position.

Pure functions over two OpenAPI 3 documents (dicts): no Django. Check, and update the snapshot:

    python manage.py spectacular --format openapi-json --file /tmp/openapi.json
    python -m integrations.api.compat integrations/api/openapi.snapshot.json /tmp/openapi.json
    python manage.py spectacular --format openapi-json --file integrations/api/openapi.snapshot.json
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
REQUEST, RESPONSE = "request", "response"
SNAPSHOT = "integrations/api/openapi.snapshot.json"
UPDATE = f"python manage.py spectacular --format openapi-json --file {SNAPSHOT}"
# A request bound is tighter when an upper one is lower, or a lower one higher, than before.
_BOUNDS = {
    **{key: lambda new, old: new < old for key in ("maxLength", "maxItems", "maxProperties",
                                                    "maximum")},
    **{key: lambda new, old: new > old for key in ("minLength", "minItems", "minProperties",
                                                    "minimum")},
}


def breaking_changes(old: dict, new: dict) -> list[str]:
    """Everything ``new`` drops or narrows from ``old``, one readable line each ([] if none)."""
    checker = _Checker(old, new)
    checker.paths()
    return checker.problems


def added_operations(old: dict, new: dict) -> list[str]:
    """The operations ``new`` has and ``old`` has not, as "METHOD /path"."""
    def operations(doc: dict) -> set[str]:
        return {f"{method.upper()} {path}" for path, item in (doc.get("paths") or {}).items()
                for method in METHODS if method in item}
    return sorted(operations(new) - operations(old))


def _types(schema: dict) -> set[str] | None:
    """The JSON types a schema allows, without null; None for any."""
    declared = schema.get("type")
    if declared is None:
        return None
    types = set(declared) if isinstance(declared, list) else {declared}
    return types - {"null"}


def _nullable(schema: dict) -> bool:
    declared = schema.get("type")
    return schema.get("nullable") is True or (isinstance(declared, list) and "null" in declared)


def _missing(types: set[str], allowed: set[str]) -> set[str]:
    """The types in ``types`` that ``allowed`` does not cover (an integer is a number)."""
    return {t for t in types if t not in allowed and not (t == "integer" and "number" in allowed)}


def _name(types: set[str] | None) -> str:
    return "any" if types is None else "|".join(sorted(types)) or "null"


class _Checker:
    def __init__(self, old: dict, new: dict):
        self.old, self.new = old, new
        self.problems: list[str] = []
        self._visiting: set[tuple[int, int, str]] = set()

    def report(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # --- documents ----------------------------------------------------------------------------

    @staticmethod
    def resolve(doc: dict, node: Any) -> Any:
        """Follow ``$ref``s within ``doc`` ("#/components/schemas/X"); a broken one is {}."""
        for _ in range(32):
            if not isinstance(node, dict) or "$ref" not in node:
                return node
            target: Any = doc
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            node = target
        return {}

    def flatten(self, doc: dict, node: Any, depth: int = 0) -> dict:
        """The schema with its ``$ref`` resolved and its ``allOf`` parts merged into it."""
        node = self.resolve(doc, node)
        if not isinstance(node, dict):
            return {}
        if "allOf" not in node or depth > 16:
            return node
        merged = {key: value for key, value in node.items() if key != "allOf"}
        properties = dict(merged.get("properties") or {})
        required = set(merged.get("required") or ())
        for part in node["allOf"]:
            part = self.flatten(doc, part, depth + 1)
            for key, value in part.items():
                if key == "properties":
                    for name, schema in value.items():
                        properties.setdefault(name, schema)
                elif key == "required":
                    required.update(value)
                else:
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        if required:
            merged["required"] = sorted(required)
        return merged

    # --- paths, operations, parameters, bodies, responses ----------------------------------

    def paths(self) -> None:
        new_paths = self.new.get("paths") or {}
        for path, old_item in (self.old.get("paths") or {}).items():
            new_item = new_paths.get(path)
            if new_item is None:
                self.report(path, "path removed")
                continue
            for method in METHODS:
                if method not in old_item:
                    continue
                where = f"{method.upper()} {path}"
                if method not in new_item:
                    self.report(where, "operation removed")
                    continue
                self.operation(where, old_item, new_item, method)

    def operation(self, where: str, old_item: dict, new_item: dict, method: str) -> None:
        old_op, new_op = old_item[method], new_item[method]
        self.parameters(where, self._parameters(self.old, old_item, old_op),
                        self._parameters(self.new, new_item, new_op))
        self.request_body(where, old_op.get("requestBody"), new_op.get("requestBody"))
        self.responses(where, old_op.get("responses") or {}, new_op.get("responses") or {})

    def _parameters(self, doc: dict, item: dict, operation: dict) -> dict[tuple[str, str], dict]:
        found = {}
        for parameter in [*(item.get("parameters") or ()), *(operation.get("parameters") or ())]:
            parameter = self.resolve(doc, parameter)
            found[(parameter.get("in", ""), parameter.get("name", ""))] = parameter
        return found

    def parameters(self, where: str, old: dict, new: dict) -> None:
        for (place, name), old_parameter in old.items():
            label = f"{place} parameter `{name}`"
            new_parameter = new.get((place, name))
            if new_parameter is None:
                self.report(where, f"{label} removed")
                continue
            if new_parameter.get("required") and not old_parameter.get("required"):
                self.report(where, f"{label} is now required")
            self.schema(f"{where}, {label}", old_parameter.get("schema"),
                        new_parameter.get("schema"), REQUEST)
        for (place, name), new_parameter in new.items():
            if (place, name) not in old and new_parameter.get("required"):
                self.report(where, f"new required {place} parameter `{name}`")

    def request_body(self, where: str, old: Any, new: Any) -> None:
        old, new = self.resolve(self.old, old), self.resolve(self.new, new)
        if not old:
            if new and new.get("required"):
                self.report(where, "a request body is now required")
            return
        if not new:
            self.report(where, "the request body is no longer accepted")
            return
        if new.get("required") and not old.get("required"):
            self.report(where, "the request body is now required")
        self.contents(where, "request body", old, new, REQUEST)

    def responses(self, where: str, old: dict, new: dict) -> None:
        for status, old_response in old.items():
            if status not in new:
                self.report(where, f"response {status} removed")
                continue
            self.contents(where, f"response {status}", self.resolve(self.old, old_response),
                          self.resolve(self.new, new[status]), RESPONSE)

    def contents(self, where: str, what: str, old: dict, new: dict, direction: str) -> None:
        """Every media type of a body or response is still there, its schema compared."""
        new_content = new.get("content") or {}
        for media, old_media in (old.get("content") or {}).items():
            if media not in new_content:
                self.report(where, f"{what} is no longer {media}")
                continue
            self.schema(f"{where}, {what} ({media})", old_media.get("schema"),
                        new_content[media].get("schema"), direction)

    # --- schemas ------------------------------------------------------------------------------

    def schema(self, where: str, old: Any, new: Any, direction: str, field: str = "") -> None:
        if old is None:
            return  # the snapshot promised nothing here
        old_node, new_node = self.resolve(self.old, old), self.resolve(self.new, new or {})
        key = (id(old_node), id(new_node), direction)
        if key in self._visiting:  # a recursive schema: this pair is being compared already
            return
        self._visiting.add(key)
        try:
            self._compare(where, self.flatten(self.old, old_node),
                          self.flatten(self.new, new_node), direction, field)
        finally:
            self._visiting.discard(key)

    def _compare(self, where: str, old: dict, new: dict, direction: str, field: str) -> None:
        at = f"{where} `{field}`" if field else where
        if not self._same_kind(at, old, new, direction):
            return  # a changed type: what is inside no longer compares
        old_enum, new_enum = old.get("enum"), new.get("enum")
        if old_enum is not None and new_enum is not None:
            removed = [value for value in old_enum if value not in new_enum]
            if removed:
                self.report(at, f"enum value(s) removed: {', '.join(map(repr, removed))}")
        elif direction == REQUEST and new_enum is not None:
            self.report(at, f"now limited to the values {', '.join(map(repr, new_enum))}")
        if direction == REQUEST:
            self._bounds(at, old, new)
        self._properties(where, old, new, direction, field)
        if "items" in old:
            self.schema(where, old["items"], new.get("items") or {}, direction, f"{field}[]")
        for key in ("oneOf", "anyOf"):
            old_choices, new_choices = old.get(key) or [], new.get(key) or []
            if (direction == REQUEST and len(new_choices) < len(old_choices)) or (
                    direction == RESPONSE and old_choices and len(new_choices) > len(old_choices)):
                self.report(at, f"{key} went from {len(old_choices)} to {len(new_choices)} "
                                "alternatives")
            for old_choice, new_choice in zip(old_choices, new_choices, strict=False):
                self.schema(where, old_choice, new_choice, direction, field)

    def _same_kind(self, at: str, old: dict, new: dict, direction: str) -> bool:
        """Types, null and format: what the client sends must still be accepted; what it
        receives must be what was promised. False when the type changed."""
        old_types, new_types = _types(old), _types(new)
        if direction == REQUEST:
            narrowed = new_types is not None and (old_types is None
                                                  or _missing(old_types, new_types))
        else:
            narrowed = old_types is not None and (new_types is None
                                                  or _missing(new_types, old_types))
        if narrowed:
            self.report(at, f"type changed from {_name(old_types)} to {_name(new_types)}")
            return False
        if direction == REQUEST and _nullable(old) and not _nullable(new):
            self.report(at, "null is no longer accepted")
        if direction == RESPONSE and _nullable(new) and not _nullable(old):
            self.report(at, "may now be null")
        old_format, new_format = old.get("format"), new.get("format")
        if old_format != new_format and not (
                (direction == REQUEST and new_format is None)
                or (direction == RESPONSE and old_format is None)):
            self.report(at, f"format changed from {old_format or 'none'} to "
                            f"{new_format or 'none'}")
        return True

    def _bounds(self, at: str, old: dict, new: dict) -> None:
        for key, tighter in _BOUNDS.items():
            if key in new and (key not in old or tighter(new[key], old[key])):
                self.report(at, f"{key} tightened from {old.get(key, 'none')} to {new[key]}")
        for key in ("exclusiveMaximum", "exclusiveMinimum"):
            if new.get(key) is True and old.get(key) is not True:
                self.report(at, f"{key} is now set")

    def _properties(self, where: str, old: dict, new: dict, direction: str, field: str) -> None:
        old_properties, new_properties = old.get("properties") or {}, new.get("properties") or {}
        old_required, new_required = set(old.get("required") or ()), set(new.get("required") or ())
        prefix = f"{field}." if field else ""
        for name in old_properties:
            if name not in new_properties:
                self.report(f"{where} `{prefix}{name}`", "field removed")
        if direction == REQUEST:
            for name in sorted(new_required - old_required):
                self.report(f"{where} `{prefix}{name}`", "field is now required")
            if old.get("additionalProperties", True) is not False and \
                    new.get("additionalProperties", True) is False:
                self.report(f"{where} `{field}`" if field else where,
                            "other fields are no longer accepted")
        else:
            for name in sorted((old_required - new_required) & set(new_properties)):
                self.report(f"{where} `{prefix}{name}`", "may now be absent (no longer required)")
        for name, old_property in old_properties.items():
            if name in new_properties:
                self.schema(where, old_property, new_properties[name], direction, prefix + name)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.schema(where, old_extra, new_extra, direction, f"{prefix}*")


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m integrations.api.compat",
        description="Fail when the current OpenAPI schema drops or narrows anything in the "
                    "snapshot.")
    parser.add_argument("snapshot", help=f"the committed snapshot ({SNAPSHOT})")
    parser.add_argument("current", help="the generated schema (manage.py spectacular "
                                        "--format openapi-json --file ...)")
    args = parser.parse_args(argv)
    old, new = _load(args.snapshot), _load(args.current)
    problems = breaking_changes(old, new)
    if problems:
        print(f"The API schema drops or narrows {len(problems)} thing(s) that {args.snapshot} "
              "promises:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        print(f"If this break is intended, update the snapshot in the same change ({UPDATE}) "
              "and say why in CHANGELOG.md.", file=sys.stderr)
        return 1
    if old == new:
        print(f"The API schema matches {args.snapshot}.")
        return 0
    added = added_operations(old, new)
    print(f"The API schema keeps everything in {args.snapshot}; it has grown or changed in "
          f"ways that break nothing ({len(added)} new operation(s){': ' if added else ''}"
          f"{', '.join(added)}). Record it: {UPDATE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
