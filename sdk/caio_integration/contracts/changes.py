"""What changed between two versions of a contract, and which changes break its consumers.

A pure function of two parsed contracts (dicts, as `validate_text(...).data` and the portal's
`ContractRevision.data` hold them), with no database access, so the portal's review admin, the
developer's panel, the catalogue's version history and the CLI all give the same verdict:

    >>> changes = compare(old_data, new_data)
    >>> is_breaking(changes)

Breaking means:
- a capability removed;
- a guarantee weakened: a higher p95 or p99 latency, a lower minimum accuracy or availability
  target, or a guarantee dropped altogether;
- a constraint narrowed: fewer supported languages, a lower max_tokens or max_images, or a limit
  introduced where there was none;
- a price raised: any cost field up (or newly charged), or the currency changed;
- and, on top of those, any breaking change without a major version bump (for 0.x versions a
  minor bump counts as major, as SemVer allows anything to change before 1.0.0).
Everything else (name, description, tags, endpoint, a new capability, a better guarantee...) is
listed as a change that does not break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from .semver import major_bumped

# Kinds of change. Breaking ones first.
CAPABILITY_REMOVED = "capability_removed"
GUARANTEE_WEAKENED = "guarantee_weakened"
GUARANTEE_DROPPED = "guarantee_dropped"
CONSTRAINT_NARROWED = "constraint_narrowed"
PRICE_RAISED = "price_raised"
CURRENCY_CHANGED = "currency_changed"
MAJOR_BUMP_MISSING = "major_bump_missing"
# Not breaking.
CAPABILITY_ADDED = "capability_added"
GUARANTEE_IMPROVED = "guarantee_improved"
GUARANTEE_ADDED = "guarantee_added"
CONSTRAINT_WIDENED = "constraint_widened"
PRICE_LOWERED = "price_lowered"
VERSION_CHANGED = "version_changed"
FIELD_CHANGED = "field_changed"
FIELD_ADDED = "field_added"
FIELD_REMOVED = "field_removed"

BREAKING_KINDS = frozenset({
    CAPABILITY_REMOVED, GUARANTEE_WEAKENED, GUARANTEE_DROPPED, CONSTRAINT_NARROWED,
    PRICE_RAISED, CURRENCY_CHANGED, MAJOR_BUMP_MISSING,
})


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two contracts. `path` is a JSON pointer into the contract."""

    kind: str
    path: str
    old: Any
    new: Any
    breaking: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# Guarantees: (path, label, True when a higher number is worse for consumers).
_GUARANTEES: tuple[tuple[tuple[str, ...], str, bool], ...] = (
    (("guarantees", "latency", "p95_ms"), "Latency p95 (ms)", True),
    (("guarantees", "latency", "p99_ms"), "Latency p99 (ms)", True),
    (("guarantees", "accuracy", "min"), "Minimum accuracy", False),
    (("guarantees", "availability", "target"), "Availability target (%)", False),
)
_LIMITS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("constraints", "max_tokens"), "Maximum tokens"),
    (("constraints", "max_images"), "Maximum images"),
)
_LANGUAGES = ("constraints", "supported_languages")
_COSTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("cost", "per_request"), "Cost per request"),
    (("cost", "per_token"), "Cost per token"),
    (("cost", "per_image"), "Cost per image"),
)
_CURRENCY = ("cost", "currency")
_DEFAULT_CURRENCY = "USD"

_HANDLED = {
    ("capabilities",), ("version",), _LANGUAGES, _CURRENCY,
    *(p for p, _l, _h in _GUARANTEES), *(p for p, _l in _LIMITS), *(p for p, _l in _COSTS),
}


def _pointer(path: Iterable[str]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _get(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _number(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _as_list(value: Any) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "none"
    return "not set" if value is None else str(value)


def _guarantee_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for path, label, higher_is_worse in _GUARANTEES:
        before, after = _get(old, path), _get(new, path)
        b, a = _number(before), _number(after)
        if b == a:
            continue
        pointer = _pointer(path)
        if b is not None and a is None:
            changes.append(Change(GUARANTEE_DROPPED, pointer, before, after, True,
                                  f"{label} guarantee dropped (was {before})."))
        elif b is None and a is not None:
            changes.append(Change(GUARANTEE_ADDED, pointer, before, after, False,
                                  f"{label} guarantee added: {after}."))
        elif b is not None and a is not None:
            worse = a > b if higher_is_worse else a < b
            if worse:
                changes.append(Change(GUARANTEE_WEAKENED, pointer, before, after, True,
                                      f"{label} weakened from {before} to {after}."))
            else:
                changes.append(Change(GUARANTEE_IMPROVED, pointer, before, after, False,
                                      f"{label} improved from {before} to {after}."))
    return changes


def _constraint_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    for path, label in _LIMITS:
        before, after = _get(old, path), _get(new, path)
        b, a = _number(before), _number(after)
        if b == a:
            continue
        pointer = _pointer(path)
        if a is not None and (b is None or a < b):
            was = f"from {before}" if b is not None else "where there was no limit"
            changes.append(Change(CONSTRAINT_NARROWED, pointer, before, after, True,
                                  f"{label} lowered to {after} {was}."))
        else:
            now = f"to {after}" if a is not None else "(no limit now)"
            changes.append(Change(CONSTRAINT_WIDENED, pointer, before, after, False,
                                  f"{label} raised {now} from {before}."))
    before_langs, after_langs = _get(old, _LANGUAGES), _get(new, _LANGUAGES)
    b_set = {x for x in _as_list(before_langs) if isinstance(x, str)}
    a_set = {x for x in _as_list(after_langs) if isinstance(x, str)}
    pointer = _pointer(_LANGUAGES)
    if not b_set and a_set:
        changes.append(Change(CONSTRAINT_NARROWED, pointer, before_langs, after_langs, True,
                              f"Supported languages now limited to {_show(sorted(a_set))}; "
                              "no limit was declared before."))
    elif b_set - a_set and a_set:
        removed = sorted(b_set - a_set)
        changes.append(Change(CONSTRAINT_NARROWED, pointer, sorted(b_set), sorted(a_set), True,
                              f"Supported languages removed: {_show(removed)}."))
    if b_set and not a_set:
        changes.append(Change(CONSTRAINT_WIDENED, pointer, before_langs, after_langs, False,
                              "Supported languages no longer limited."))
    elif b_set and a_set - b_set:
        added = sorted(a_set - b_set)
        changes.append(Change(CONSTRAINT_WIDENED, pointer, sorted(b_set), sorted(a_set), False,
                              f"Supported languages added: {_show(added)}."))
    return changes


def _price_changes(old: dict, new: dict) -> list[Change]:
    changes = []
    old_currency = str(_get(old, _CURRENCY) or _DEFAULT_CURRENCY).upper()
    new_currency = str(_get(new, _CURRENCY) or _DEFAULT_CURRENCY).upper()
    if old_currency != new_currency:
        changes.append(Change(CURRENCY_CHANGED, _pointer(_CURRENCY), old_currency, new_currency,
                              True, f"Currency changed from {old_currency} to {new_currency}: "
                              "every price changes for consumers."))
    for path, label in _COSTS:
        before, after = _get(old, path), _get(new, path)
        b, a = _number(before), _number(after)
        if b == a:
            continue
        pointer = _pointer(path)
        if (a or 0) > (b or 0):
            changes.append(Change(PRICE_RAISED, pointer, before, after, True,
                                  f"{label} raised from {_show(before)} to {after}."))
        elif a is None:
            changes.append(Change(FIELD_REMOVED, pointer, before, after, False,
                                  f"{label} no longer stated (was {before})."))
        elif b is None:
            changes.append(Change(FIELD_ADDED, pointer, before, after, False,
                                  f"{label} stated as {after}."))
        else:
            changes.append(Change(PRICE_LOWERED, pointer, before, after, False,
                                  f"{label} lowered from {_show(before)} to {after}."))
    return changes


def _capability_changes(old: dict, new: dict) -> list[Change]:
    before, after = _as_list(old.get("capabilities")), _as_list(new.get("capabilities"))
    changes = [
        Change(CAPABILITY_REMOVED, "/capabilities", name, None, True,
               f"Capability {name} removed.")
        for name in before if name not in after
    ]
    changes += [
        Change(CAPABILITY_ADDED, "/capabilities", None, name, False, f"Capability {name} added.")
        for name in after if name not in before
    ]
    return changes


def _leaves(data: Any, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Every scalar or list under `data`, keyed by its path (lists are compared whole)."""
    if isinstance(data, dict):
        out: dict[tuple[str, ...], Any] = {}
        for key, value in data.items():
            out.update(_leaves(value, (*prefix, str(key))))
        return out
    return {prefix: data} if prefix else {}


def _other_changes(old: dict, new: dict) -> list[Change]:
    before, after = _leaves(old), _leaves(new)
    changes = []
    for path in sorted(set(before) | set(after)):
        if path in _HANDLED:
            continue
        b, a = before.get(path), after.get(path)
        if b == a:
            continue
        label = path[-1]
        pointer = _pointer(path)
        if path not in before:
            changes.append(Change(FIELD_ADDED, pointer, None, a, False, f"{label} added."))
        elif path not in after:
            changes.append(Change(FIELD_REMOVED, pointer, b, None, False, f"{label} removed."))
        else:
            changes.append(Change(FIELD_CHANGED, pointer, b, a, False, f"{label} changed."))
    return changes


def compare(old_data: dict | None, new_data: dict | None) -> list[Change]:
    """Every change from `old_data` (the registered contract) to `new_data`, breaking ones flagged.

    With no old contract (a first registration) there is nothing to compare: an empty list.
    """
    if not isinstance(old_data, dict) or not isinstance(new_data, dict):
        return []
    changes = [
        *_capability_changes(old_data, new_data),
        *_guarantee_changes(old_data, new_data),
        *_constraint_changes(old_data, new_data),
        *_price_changes(old_data, new_data),
    ]
    old_version, new_version = old_data.get("version"), new_data.get("version")
    if any(c.breaking for c in changes) and not major_bumped(old_version, new_version):
        changes.insert(0, Change(
            MAJOR_BUMP_MISSING, "/version", old_version, new_version, True,
            f"Breaking change without a major version bump: {_show(old_version)} to "
            f"{_show(new_version)}; consumers pinned to "
            f"{_show(old_version).split('.')[0]}.x would receive it.",
        ))
    elif old_version != new_version:
        changes.insert(0, Change(VERSION_CHANGED, "/version", old_version, new_version, False,
                                 f"Version {_show(old_version)} to {_show(new_version)}."))
    changes += _other_changes(old_data, new_data)
    return changes


def is_breaking(changes: Iterable[Change]) -> bool:
    return any(c.breaking for c in changes)


def breaking_changes(changes: Iterable[Change]) -> list[Change]:
    return [c for c in changes if c.breaking]
