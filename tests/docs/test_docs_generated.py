"""The generated parts of the user docs match the code, the CLI and the OpenAPI schema."""

from __future__ import annotations

import re
import shutil

import pytest
from django.core.management import call_command

from portal.docs_blocks import ROOT
from portal.docs_generate import PARTS, anchor, api_endpoints, regenerate


def test_the_generated_parts_of_the_docs_match_the_code_the_cli_and_the_schema():
    stale = [name for name, (current, new) in regenerate().items() if current != new]
    assert stale == [], "run: python manage.py docs_generate"


def test_a_stale_part_is_found_and_rewritten(tmp_path):
    for relative in {file for file, _ in PARTS.values()}:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    page = tmp_path / "sdk/docs/CLI_REFERENCE.md"
    page.write_text(page.read_text(encoding="utf-8").replace("--service-id ID", "--id ID"),
                    encoding="utf-8")
    files = regenerate(root=tmp_path)
    current, new = files["sdk/docs/CLI_REFERENCE.md"]
    assert current != new and "--service-id ID" in new
    assert all(a == b for name, (a, b) in files.items() if name != "sdk/docs/CLI_REFERENCE.md")


def test_docs_generate_check_passes_when_nothing_changed(capsys):
    call_command("docs_generate", "--check")
    assert "up to date" in capsys.readouterr().err


def test_a_missing_marker_is_an_error(tmp_path):
    for relative in {file for file, _ in PARTS.values()}:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / relative, tmp_path / relative)
    page = tmp_path / "sdk/docs/SDK_REFERENCE.md"
    page.write_text(page.read_text(encoding="utf-8").replace("generated:sdk-api", "sdk-api"),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="generated:sdk-api"):
        regenerate(root=tmp_path)


def test_every_api_endpoint_has_a_hand_written_curl_and_sdk_example():
    text = (ROOT / "sdk/docs/API_REFERENCE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| \[`(\w+) (\S+)`\]\(#([\w-]+)\)", api_endpoints(), re.M)
    assert len(rows) >= 15
    sections = re.split(r"^### ", text, flags=re.M)
    for method, path, link in rows:
        heading = f"`{method} {path}`"
        section = next((s for s in sections if s.startswith(heading + "\n")), None)
        assert section is not None, f"no section {heading}"
        assert link == anchor(method, path)
        runnable = re.findall(r"```console run\n(.*?)```", section, re.S)
        assert any("$ curl " in block for block in runnable), f"{heading}: no runnable curl"
        assert "```python run" in section or "\nSDK: none;" in section, f"{heading}: no SDK example"
