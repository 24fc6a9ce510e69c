"""Request fields that take JSON as it is, and the rules they share with the contract schema.

DRF's own fields coerce: a FloatField takes ``true`` and ``"0.5"``, a BooleanField takes ``"yes"``
and ``1``, a CharField takes ``12``. The API's request fields take only the JSON type the OpenAPI
schema names, so what the schema calls invalid is refused (400) and what it calls valid is read.

Where a request field mirrors a contract field (a capability, a language, a currency, a service
id), its pattern and length come from the SDK's contract schema (``contract_rule``), never copied.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from caio_integration.contracts import contract_schema
from django.core.validators import RegexValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import ProhibitNullCharactersValidator

from integrations.catalogue import discovery


@cache
def _contract_schema() -> dict[str, Any]:
    return contract_schema()


def contract_rule(*path: str) -> dict[str, Any]:
    """The JSON Schema of one contract field, from the SDK: contract_rule("capabilities", "items")
    is the schema of one capability. Each name steps into ``properties`` ("items": into items)."""
    node = _contract_schema()
    for name in path:
        node = node["items"] if name == "items" else node["properties"][name]
    return node


class StringField(serializers.CharField):
    """A string and only a string (DRF's CharField would turn 12 into "12"), read as sent (DRF's
    would trim it, so that " en" passed a pattern that refuses it)."""

    default_error_messages = {"invalid": "Must be a string."}

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def contract_string(*path: str, **kwargs: Any) -> StringField:
    """A string field with the contract field's pattern and maximum length (``contract_rule``).
    (With ``allow_blank``, DRF takes "" before the pattern, and the schema says "" apart.)"""
    rule = contract_rule(*path)
    pattern = rule["pattern"]
    message = rule.get("x-hint") or rule.get("description") or "Invalid value."
    kwargs.setdefault("max_length", rule.get("maxLength"))
    kwargs.setdefault("help_text", rule.get("description"))
    return StringField(validators=[RegexValidator(pattern, message)], **kwargs)


class YamlTextField(StringField):
    """The contract's text: a string, kept as sent (no trimming)."""

    default_error_messages = {"invalid": "Must be a string: the contract's YAML text."}

    def __init__(self, *, allow_null_characters: bool = False, **kwargs):
        super().__init__(**kwargs)
        if allow_null_characters:  # only where nothing is stored: the validator reports them
            self.validators = [v for v in self.validators
                               if not isinstance(v, ProhibitNullCharactersValidator)]


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer (2.0 counts, as in JSON Schema); never a string or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float):
            if not data.is_integer():
                self.fail("invalid")
            data = int(data)
        return super().to_internal_value(data)


class StrictFloatField(serializers.FloatField):
    """A finite JSON number; never a string or a boolean."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if isinstance(data, float) and not math.isfinite(data):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """``true`` or ``false``; never "yes", 1 or "true"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


@extend_schema_field({"type": "string", "format": "binary", "minLength": 1})
class UploadedFileField(serializers.FileField):
    """A file part with at least one byte (an empty part reaches DRF as no file at all)."""


AMOUNT_PATTERN = r"^[0-9]{1,20}(\.[0-9]{1,20})?$"


@extend_schema_field({
    "oneOf": [{"type": "number", "minimum": 0},
              {"type": "string", "pattern": AMOUNT_PATTERN}],
    "description": "An amount of zero or more: a JSON number, or a decimal string such as "
                   "\"0.0015\" (exact)."})
class AmountField(serializers.Field):
    """An amount of money as a Decimal, from a JSON number (as the contract's cost fields are
    written) or a plain decimal string; zero or more, finite, any precision."""

    default_error_messages = {"invalid": "Must be a number of zero or more, or a decimal string "
                                         "such as \"0.0015\"."}

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, str):
            if not re.fullmatch(AMOUNT_PATTERN, data):
                self.fail("invalid")
        elif isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        elif data < 0 or (isinstance(data, float) and not math.isfinite(data)):
            self.fail("invalid")
        try:
            return Decimal(str(data))
        except InvalidOperation:
            self.fail("invalid")


@extend_schema_field(OpenApiTypes.STR)
class PlainDecimalField(serializers.Field):
    """A price as a plain decimal string ("0.0015", never "1.5E-3"), or null."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, allow_null=True, **kwargs)

    def to_representation(self, value: Decimal) -> str:
        return discovery.plain_value(value)
