"""SemVer 2.0.0: the one parser of contract versions (the portal and the CLI import it).

The contract schema's ``version`` pattern is :data:`SEMVER_PATTERN` (a test keeps them equal), so
the validator accepts exactly the versions :func:`semver_key` can order.
"""

from __future__ import annotations

import re
from typing import Any

_CORE = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
SEMVER_PATTERN = (
    rf"^{_CORE}"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
SEMVER = re.compile(SEMVER_PATTERN)
_CORE_PREFIX = re.compile(rf"^{_CORE}")


def semver_key(version: str) -> str:
    """A string whose lexical order is SemVer 2.0.0 precedence (build metadata ignored).

    Numbers are zero-padded; a release sorts after its pre-releases ("~" > any pre-release char).
    The portal stores these keys (``ServiceVersion.version_key``): they must never change.
    Raises ValueError for a string that is not a SemVer 2.0.0 version.
    """
    match = SEMVER.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a SemVer 2.0.0 version")
    major, minor, patch, pre, _build = match.groups()
    core = f"{int(major):010d}.{int(minor):010d}.{int(patch):010d}"
    if pre is None:
        return core + "~"
    parts = []
    for ident in pre.split("."):
        # Numeric identifiers sort before alphanumeric ones, and numerically among themselves.
        parts.append(f"0{int(ident):010d}" if ident.isdigit() else f"1{ident}")
    return core + "-" + ".".join(parts) + "."


def _major(version: Any) -> tuple[int, int] | None:
    """The part of a version that must grow for a breaking change: (major, minor-if-0.x).

    Read from the version's leading major.minor.patch, so a draft's malformed suffix does not
    hide a bump.
    """
    match = _CORE_PREFIX.match(version) if isinstance(version, str) else None
    if not match:
        return None
    major, minor = int(match.group(1)), int(match.group(2))
    return (0, minor) if major == 0 else (major, 0)


def major_bumped(old_version: Any, new_version: Any) -> bool:
    """True when new_version is a major release after old_version (a minor one, before 1.0.0)."""
    before, after = _major(old_version), _major(new_version)
    return before is not None and after is not None and after > before


def version_refusal(version: Any, *, current: str | None) -> str | None:
    """The version rule of registration: why `version` cannot follow `current` (the version
    registered now, or None), or None when it can.

    A version must be SemVer and strictly higher in precedence than the registered one: a
    downgrade or a repeat is refused. The portal's pipeline and the developer's panel both ask
    this function, so they always agree.
    """
    if not isinstance(version, str) or not version:
        return "The revision has no version; add a SemVer version such as 1.0.0."
    try:
        key = semver_key(version)
    except ValueError:
        return f"Version {version!r} is not a SemVer version (for example 1.2.3)."
    if current is not None and key <= semver_key(current):
        return (f"Version {version} is not higher than the current version {current}; a "
                "downgrade or a repeat is refused. Raise the version (SemVer), save a new "
                "revision and submit it.")
    return None
