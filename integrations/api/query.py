"""Query parameters documented from a Django form, and read only as documented.

`FormQuery(form_class, descriptions)` gives each form field's OpenAPI parameter (its type, enum,
bounds, length and pattern, from the field itself), and `check(query_params)` refuses (400) what
the documented type refuses before the form reads it: Django's forms are lenient ("1.0" and " 5"
are whole numbers to them, "٣" too), the schema is not. Unknown parameters are refused as well.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from drf_spectacular.utils import OpenApiParameter

from integrations.api.errors import ApiError

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def _schema(field: forms.Field) -> dict[str, Any]:
    if isinstance(field, forms.ChoiceField):  # MultipleChoiceField too
        return {"type": "string", "enum": [value for value, _label in field.choices if value]}
    if isinstance(field, forms.DecimalField):
        return {"type": "string", "pattern": field.pattern}
    if isinstance(field, forms.IntegerField):  # FloatField too (a subclass, in Django)
        schema = {"type": "number" if isinstance(field, forms.FloatField) else "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
        return schema
    schema = {"type": "string"}
    if getattr(field, "max_length", None):
        schema["maxLength"] = field.max_length
    return schema


def _array(field: forms.MultipleChoiceField) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    for validator in field.validators:
        if isinstance(validator, MaxLengthValidator):
            schema["maxItems"] = validator.limit_value
    return schema


def _reads(schema: dict[str, Any], raw: str) -> bool:
    """Whether ``raw`` is a value of the documented type (the form then checks its range)."""
    if schema["type"] == "integer":
        return bool(_INTEGER.fullmatch(raw))
    if schema["type"] == "number":
        return bool(_NUMBER.fullmatch(raw))
    if "enum" in schema:  # the form would read "" as absent
        return raw in schema["enum"]
    if len(raw) > schema.get("maxLength", len(raw)):  # the form counts after trimming
        return False
    return "pattern" not in schema or bool(re.fullmatch(schema["pattern"], raw))


def _refusal(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return f"Must be one of {', '.join(schema['enum'][:10])}" + (
            "..." if len(schema["enum"]) > 10 else ".")
    if "pattern" in schema:
        return f"Must match {schema['pattern']}."
    if "maxLength" in schema:
        return f"At most {schema['maxLength']} characters."
    return f"Must be a{'n' if schema['type'] == 'integer' else ''} {schema['type']}."


class FormQuery:
    def __init__(self, form_class: type[forms.Form], descriptions: dict[str, str],
                 *, also: tuple[str, ...] = ()):
        self.schemas = {name: _schema(field) for name, field in form_class.base_fields.items()}
        self.many = {name: _array(field) for name, field in form_class.base_fields.items()
                     if isinstance(field, forms.MultipleChoiceField)}
        self.descriptions = descriptions
        self.known = set(self.schemas) | set(also)

    @property
    def parameters(self) -> list[OpenApiParameter]:
        return [OpenApiParameter(name, self.many[name] | {"items": schema}, explode=True,
                                 description=self.descriptions.get(name, ""))
                if name in self.many else
                OpenApiParameter(name, schema, description=self.descriptions.get(name, ""))
                for name, schema in self.schemas.items()]

    def check(self, params) -> None:
        """400 for an unknown parameter or a value that is not of its documented type."""
        unknown = sorted(set(params) - self.known)
        if unknown:
            raise ApiError(f"Unknown query parameter(s): {', '.join(unknown[:10])}.",
                           code="invalid_input")
        problems = {name: [_refusal(schema)]
                    for name, schema in self.schemas.items()
                    if any(not _reads(schema, raw) for raw in params.getlist(name))}
        if problems:
            raise ApiError("Invalid filters: " + "; ".join(
                f"{name}: {' '.join(msgs)}" for name, msgs in problems.items()),
                code="invalid_input", details=problems)
