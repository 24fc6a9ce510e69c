"""Assertions on refusals: the API's one JSON error shape, and the NUL guard's answers."""

from __future__ import annotations


def error_of(response, status: int, code: str | None = None) -> dict:
    """The `error` of a JSON answer in the one shape, after checking its status (and code)."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}
    if code is not None:
        assert error["code"] == code
    return error


def nul_refusal(response, location: str, field: str | None = None) -> dict:
    """The API's 400 for a NUL (portal/nul_guard.py), naming where it was."""
    error = error_of(response, 400, "nul_character")
    assert "NUL" in error["message"]
    assert error["details"]["location"] == location
    if field is not None:
        assert error["details"]["field"] == field
    return error


def nul_page(response, field: str | None = None) -> str:
    """A page's plain 400 for a NUL, naming the field."""
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert "NUL character" in body
    if field is not None:
        assert f"&#x27;{field}&#x27;" in body
    return body
