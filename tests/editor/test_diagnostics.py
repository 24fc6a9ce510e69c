"""Counting diagnostics by severity (contracts_app/diagnostics.py, used by every page)."""

from contracts_app.diagnostics import severity_counts


def test_diagnostics_are_counted_by_severity_and_a_missing_severity_is_an_error():
    diagnostics = [{"severity": "error"}, {"severity": "warning"}, {"severity": "warning"},
                   {"severity": "info"}, {"code": "no-severity"}]
    assert severity_counts(diagnostics) == {"error": 2, "warning": 2, "info": 1}


def test_no_diagnostics_count_zero_of_each_severity():
    assert severity_counts(None) == severity_counts([]) == {"error": 0, "warning": 0, "info": 0}
