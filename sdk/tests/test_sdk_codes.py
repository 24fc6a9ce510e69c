"""The placeholder warning and the templates' titles (the registry of codes is code_docs.py,
checked by sdk/tests/test_sdk_code_docs.py)."""


import pytest
import yaml

from caio_integration.contracts import (
    WARNING,
    describe,
    examples,
    read_template,
    templates,
    validate_text,
)
from caio_integration.contracts.rules import PLACEHOLDER_TEXTS


def _placeholders(text):
    return [d for d in validate_text(text).diagnostics if d.code == "placeholder-text"]


def test_placeholder_text_is_a_warning_pinned_to_its_line():
    text = read_template("simple_service").replace("service_id: my-service", "service_id: real")
    result = validate_text(text)
    found = _placeholders(text)
    assert result.valid
    assert [(d.severity, d.path) for d in found] == [(WARNING, "/name"), (WARNING, "/description")]
    lines = text.splitlines()
    assert lines[found[0].line - 1].startswith("name: My AI Service")


def test_example_domains_in_addresses_are_placeholders_and_real_ones_are_not():
    base = "service_id: real\nname: Real\nversion: '1.0.0'\ncapabilities: [text_generation]\n"
    flagged = base + ("endpoint: https://API.Example.com:8443/v1\n"
                      "documentation_url: https://docs.acme.example/x\ncontact: me@example.org\n")
    clean = base + ("endpoint: https://api.example-ai.com/v1\n"
                    "documentation_url: https://notexample.com/docs\ncontact: me@acme.io\n")
    assert [d.path for d in _placeholders(flagged)] == ["/endpoint", "/documentation_url",
                                                        "/contact"]
    assert _placeholders(clean) == []


def test_a_reworded_placeholder_still_counts_but_a_real_text_does_not():
    base = "service_id: real\nversion: '1.0.0'\ncapabilities: [text_generation]\n"
    assert len(_placeholders(base + "name: '  my   AI service '\n")) == 1
    assert _placeholders(base + "name: My AI Service for lawyers\n") == []


@pytest.mark.parametrize("name", templates())
def test_each_templates_own_texts_are_listed_as_placeholders(name):
    data = yaml.safe_load(read_template(name))
    for key in ("service_id", "name", "description"):
        assert " ".join(data[key].split()).lower() in PLACEHOLDER_TEXTS[key]


@pytest.mark.parametrize("name", templates() + examples())
def test_each_template_and_example_has_a_title_and_a_summary(name):
    title, summary = describe(name)
    assert title and not title.startswith("CAIO")
    assert summary.endswith(".") and len(summary) > 20


def test_titles_are_distinct_and_spell_products_as_their_makers_do():
    titles = [describe(n)[0] for n in templates() + examples()]
    assert len(set(titles)) == len(titles)
    assert "OpenAI-compatible chat" in titles


def test_caio_validate_prints_the_placeholder_warnings_and_exits_zero(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "contract.yaml"
    path.write_text(read_template("simple_service"))
    run = subprocess.run([sys.executable, "-m", "caio_integration.cli", "validate", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert f"{path}:8:7: warning placeholder-text: Name is still the template's placeholder" \
        in run.stdout
