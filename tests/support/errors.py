"""Assertions on refusals: the API's one JSON error shape."""

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

