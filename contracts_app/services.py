"""Contracts: create, check, save revisions, delete, reassign. Views and admin call these."""

from __future__ import annotations

import hashlib
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from caio_integration.contracts import MAX_BYTES, read_template, validate_text
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from contracts_app.diagnostics import severity_counts
from contracts_app.models import Contract, ContractRevision, service_id_validator

logger = logging.getLogger(__name__)

#: Words the contract URLs use, so they cannot be service ids.
RESERVED_IDS = frozenset({"new", "check-id", "edit", "history", "admin", "api", "compare"})
VERDICT_CACHE_SECONDS = 600
UPLOAD_SUFFIXES = (".yaml", ".yml")
_SERVICE_ID_LINE = re.compile(r"^service_id[ \t]*:", re.MULTILINE)


class ContractError(Exception):
    """A request the rules refuse; ``message`` says why, in words a developer can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ServiceIdTaken(ContractError):
    """The service id belongs to another contract (the API answers 409 ``service_id_taken``)."""


class UploadError(ContractError):
    """An uploaded file that cannot be read as a contract.

    ``code`` says why: ``too_large``, ``wrong_type``, ``not_utf8`` or ``nul``.
    """

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


class RevisionConflict(ContractError):
    """Someone saved a newer revision since the one this text was edited from."""

    def __init__(self, *, latest: ContractRevision | None, base_number: int | None):
        number = latest.number if latest else 0
        super().__init__(
            f"Revision {number} was saved after revision {base_number or 0}, the one you edited. "
            "Nothing was overwritten: compare the two below, then save again to keep your text "
            f"as the revision after {number}.")
        self.latest = latest
        self.base_number = base_number


@dataclass(frozen=True)
class Verdict:
    """The validator's verdict on one text, for one contract (its fixed service id)."""

    valid: bool
    diagnostics: list[dict[str, Any]]
    data: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def error_count(self) -> int:
        return severity_counts(self.diagnostics)["error"]

    @property
    def warning_count(self) -> int:
        return severity_counts(self.diagnostics)["warning"]


@dataclass(frozen=True)
class SaveResult:
    revision: ContractRevision
    created: bool


# --- service ids and starting points --------------------------------------------------------


def _service_id_refusal(service_id: str) -> ContractError | None:
    if not service_id:
        return ContractError("Choose a service ID.")
    try:
        service_id_validator(service_id)
    except ValidationError:
        return ContractError("A service ID has 3 to 63 characters: lowercase letters, digits and "
                             "hyphens, starting with a letter (for example my-service).")
    if service_id in RESERVED_IDS:
        return ContractError(f"'{service_id}' is reserved by the portal; choose another service ID.")
    if Contract.objects.filter(service_id=service_id).exists():
        return _taken(service_id)
    return None


def _taken(service_id: str) -> ServiceIdTaken:
    return ServiceIdTaken(f"The service ID '{service_id}' is already taken; choose another one.")


def service_id_problem(service_id: str) -> str | None:
    """Why ``service_id`` cannot be used for a new contract, or None when it is free."""
    refusal = _service_id_refusal((service_id or "").strip())
    return refusal.message if refusal else None


def service_id_check(service_id: str) -> str:
    """``service_id`` stripped, when a new contract may use it.

    Raises ServiceIdTaken when another contract has it, ContractError when it is malformed or
    reserved.
    """
    service_id = (service_id or "").strip()
    refusal = _service_id_refusal(service_id)
    if refusal:
        raise refusal
    return service_id


def starting_text(*, template: str, service_id: str) -> str:
    """The template or example ``template`` (an SDK name), carrying ``service_id``."""
    from contracts_app.yaml_form import apply_values

    text = read_template(template)  # KeyError for a name the SDK does not ship
    return apply_values(text, {"service_id": service_id})


def contract_create_from_text(*, owner, service_id: str, text: str) -> tuple[Contract, SaveResult]:
    """A new contract for ``owner`` whose revision 1 is ``text`` (saved even when invalid).

    Raises ServiceIdTaken, or ContractError when the id is malformed or reserved, or the text is
    over the SDK's size limit.
    """
    service_id = service_id_check(service_id)
    try:
        with transaction.atomic():
            contract = Contract.objects.create(owner=owner, service_id=service_id)
            saved = contract_save_revision(contract=contract, text=text, author=owner,
                                           base_number=None)
    except IntegrityError:
        raise _taken(service_id) from None
    return contract, saved


def contract_create(*, owner, service_id: str, template: str) -> Contract:
    """Create a contract and its first revision from an SDK template or example.

    Raises ServiceIdTaken, or ContractError when the id is malformed or reserved, or the
    template unknown.
    """
    service_id = service_id_check(service_id)
    try:
        text = starting_text(template=template, service_id=service_id)
    except KeyError:
        raise ContractError(f"There is no template or example called '{template}'.") from None
    contract, _saved = contract_create_from_text(owner=owner, service_id=service_id, text=text)
    logger.info("contract %s created by user %s from %s", service_id, owner.pk, template)
    return contract


# --- uploads --------------------------------------------------------------------------------


def _too_large(what: str, size: int, then: str) -> str:
    return (f"{what} is {size:,} bytes; the limit is {MAX_BYTES:,} bytes "
            f"({MAX_BYTES // 1024} KiB). {then}")


def upload_check(upload) -> str:
    """The uploaded file's name, when its size and suffix are acceptable (nothing is read).

    Raises UploadError (``too_large``, then ``wrong_type``).
    """
    name = PurePath(upload.name or "").name
    if upload.size > MAX_BYTES:
        raise UploadError(_too_large(f"'{name}'", upload.size, "Nothing was loaded."),
                          code="too_large")
    if not name.lower().endswith(UPLOAD_SUFFIXES):
        raise UploadError(f"Only .yaml or .yml files can be uploaded; '{name}' is neither. "
                          "Rename it if it is a YAML contract.", code="wrong_type")
    return name


def upload_read(upload) -> bytes:
    """The uploaded file's bytes (at most one byte over the limit)."""
    return upload.read(MAX_BYTES + 1)


def upload_decode(raw: bytes, *, name: str) -> str:
    """An uploaded file's bytes as contract text: UTF-8, no NUL, no BOM, \n line endings.

    Raises UploadError (``not_utf8`` or ``nul``).
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise UploadError(f"'{name}' is not UTF-8 text: byte 0x{raw[exc.start]:02X} on line "
                          f"{line} cannot be read. Save the file as UTF-8 and upload it again.",
                          code="not_utf8") from None
    if "\x00" in text:
        raise UploadError(f"'{name}' contains NUL bytes, so it is not a text file.", code="nul")
    return normalize_text(text.removeprefix("\ufeff"))


def upload_text(upload) -> str:
    """An uploaded contract file's text (checked, read and decoded). Raises UploadError."""
    name = upload_check(upload)
    return upload_decode(upload_read(upload), name=name)


# --- validation -----------------------------------------------------------------------------


def _fixed_id_diagnostic(text: str, data: Any, service_id: str) -> dict[str, Any] | None:
    if not isinstance(data, dict) or "service_id" not in data:
        return None
    given = data.get("service_id")
    if given == service_id:
        return None
    match = _SERVICE_ID_LINE.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else None
    return {
        "severity": "error", "code": "service-id-fixed",
        "message": (f"The service ID is fixed: this contract is '{service_id}', but the text says "
                    f"'{given}'. A contract's service ID is chosen when it is created."),
        "path": "/service_id", "line": line, "column": 1 if line else None,
        "hint": f"Write service_id: {service_id}, or create a new contract for another ID.",
    }


def _verdict(text: str, service_id: str | None) -> Verdict:
    result = validate_text(text)
    diagnostics = [d.to_dict() for d in result.diagnostics]
    if service_id:
        fixed = _fixed_id_diagnostic(text, result.data, service_id)
        if fixed:
            diagnostics.append(fixed)
            diagnostics.sort(key=lambda d: (d["line"] or 0, d["column"] or 0))
    valid = not any(d["severity"] == "error" for d in diagnostics)
    # Diagnostics quote keys and values (a path, an unknown key's name): stored, they too must be.
    return Verdict(valid=valid, diagnostics=json_safe(diagnostics), data=json_safe(result.data))


# What no text in the database can hold: NUL (PostgreSQL refuses it) and lone surrogates (no
# encoding has them). A request brings neither (portal/nul_guard.py); a YAML escape can.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def holds_unstorable(value: Any) -> bool:
    """Whether a text or key in `value` holds an UNSTORABLE character (json_safe replaces it)."""
    if isinstance(value, str):
        return UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(holds_unstorable(str(k)) or holds_unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(holds_unstorable(v) for v in value)
    return False


def json_safe(value: Any) -> Any:
    """The parsed data as JSON and PostgreSQL's jsonb can store it: non-finite numbers (.inf,
    .nan, 1e400) as None, and a NUL character or a lone surrogate in a text or a key as U+FFFD.

    The validator already reports them (`not-finite`; `invalid-character` for what a
    double-quoted YAML string can write as an escape, "\\0"); jsonb refuses them, and a draft
    must still save. The API's answers go through it too.
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value


def text_digest(text: str, service_id: str | None = None) -> str:
    return hashlib.sha256(f"{service_id or ''}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def check_text(*, text: str, service_id: str | None = None, with_data: bool = False) -> Verdict:
    """Validate ``text`` with the SDK, plus the fixed-service-id rule.

    Verdicts (without data) are cached by a hash of the text, so the same text typed again, or
    checked from another tab, is not validated twice. ``with_data`` skips the cache.
    """
    if with_data:
        return _verdict(text, service_id)
    key = f"contracts:verdict:v1:{text_digest(text, service_id)}"
    cached = cache.get(key)
    if cached is not None:
        return Verdict(valid=cached["valid"], diagnostics=cached["diagnostics"])
    verdict = _verdict(text, service_id)
    cache.set(key, {"valid": verdict.valid, "diagnostics": verdict.diagnostics},
              VERDICT_CACHE_SECONDS)
    return verdict


def normalize_text(text: str) -> str:
    """Line endings as \\n (browsers send \\r\\n from a textarea)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


# --- revisions ------------------------------------------------------------------------------


NOT_YOURS = ("Only the contract's owner can change it; staff review contracts without "
             "writing into them.")


def contract_write_check(*, contract: Contract, user) -> None:
    """PermissionDenied unless ``user`` owns ``contract`` (staff included: they only read)."""
    if not contract.is_editable_by(user):
        raise PermissionDenied(NOT_YOURS)


def contract_save_revision(*, contract: Contract, text: str, author,
                           base_number: int | None) -> SaveResult:
    """Save ``text`` as the next revision, unless it equals the latest one. Only the contract's
    owner may (PermissionDenied otherwise, staff included).

    ``base_number`` is the revision the text was edited from. If a newer revision exists, the
    save is refused with RevisionConflict (nothing is written). Invalid drafts are saved,
    marked invalid. Raises ContractError for a text over the SDK's size limit.
    """
    contract_write_check(contract=contract, user=author)
    text = normalize_text(text)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ContractError(_too_large("The contract", size, "Nothing was saved."))
    try:
        with transaction.atomic():
            locked = Contract.objects.select_for_update().get(pk=contract.pk)
            latest = locked.latest_revision
            latest_number = latest.number if latest else 0
            if latest is not None and latest.text == text:
                return SaveResult(latest, created=False)
            if (base_number or 0) != latest_number:
                raise RevisionConflict(latest=latest, base_number=base_number)
            verdict = check_text(text=text, service_id=locked.service_id, with_data=True)
            revision = ContractRevision.objects.create(
                contract=locked, number=latest_number + 1, text=text, data=verdict.data,
                is_valid=verdict.valid, diagnostics=verdict.diagnostics, author=author,
                base_number=base_number or None)
            locked.save(update_fields=["updated_at"])
    except IntegrityError:
        # Another save took the same number between our read and write.
        latest = contract.latest_revision
        raise RevisionConflict(latest=latest, base_number=base_number) from None
    return SaveResult(revision, created=True)


def contract_delete(*, contract: Contract, user) -> None:
    """Delete a contract that was never submitted. Only its owner may."""
    if user.pk != contract.owner_id:
        raise PermissionDenied("Only the contract's owner can delete it.")
    submissions = getattr(contract, "submissions", None)  # the reverse relation, if installed
    if submissions is not None and submissions.exists():
        raise ContractError("This contract was submitted for registration, so it is kept; "
                            "it cannot be deleted.")
    service_id = contract.service_id
    contract.delete()
    logger.info("contract %s deleted by user %s", service_id, user.pk)


def contract_reassign(*, contract: Contract, new_owner, by=None) -> Contract:
    """Give a contract to another owner (staff, from the admin). Its registered service, whose
    owner is read through the contract, follows it."""
    old = contract.owner_id
    if old == new_owner.pk:
        return contract
    Contract.objects.filter(pk=contract.pk).update(owner=new_owner)
    contract.owner = new_owner
    logger.info("contract %s reassigned from user %s to user %s by %s", contract.service_id,
                old, new_owner.pk, getattr(by, "pk", None))
    return contract
