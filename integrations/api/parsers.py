"""Request parsers: JSON that refuses pathological nesting, and raw YAML bodies."""

from __future__ import annotations

from rest_framework import parsers
from rest_framework.exceptions import ParseError

from integrations.api.errors import PayloadTooLarge

MAX_BODY_BYTES = 2 * 1024 * 1024  # a 256 KiB contract, JSON-escaped, fits with room to spare


def check_body_size(request) -> None:
    """413 before parsing when the declared body is larger than the API accepts."""
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The request body is {length:,} bytes; the API accepts at most "
                              f"{MAX_BODY_BYTES:,} bytes.", details={"limit": MAX_BODY_BYTES})


class SafeJSONParser(parsers.JSONParser):
    """DRF's JSON parser; deeply nested JSON is a 400, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None


class YAMLTextParser(parsers.BaseParser):
    """A raw contract body (``Content-Type: text/yaml``): its bytes, checked by the validator."""

    media_type = "text/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(MAX_BODY_BYTES + 1) if stream is not None else b""
        return {"contract": data}


class XYAMLTextParser(YAMLTextParser):
    media_type = "application/yaml"


class XYAMLLegacyParser(YAMLTextParser):
    media_type = "application/x-yaml"


class PlainTextParser(YAMLTextParser):
    media_type = "text/plain"
