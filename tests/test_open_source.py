"""The open-source set-up: licences that match the packages' metadata, CONTRIBUTING, SECURITY,
and the two changelogs in the Keep a Changelog format."""

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.smoke
ROOT = Path(settings.BASE_DIR)
SECTIONS = {"Added", "Changed", "Deprecated", "Removed", "Fixed", "Security"}


def metadata(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))["project"]


def test_the_root_licence_is_the_full_apache_2_text_the_project_declares():
    assert metadata(ROOT / "pyproject.toml")["license"] == "Apache-2.0"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "9. Accepting Warranty or Additional Liability." in text  # the full text, to its end


def test_the_sdk_licence_is_the_mit_text_its_package_declares():
    project = metadata(ROOT / "sdk/pyproject.toml")
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "sdk/LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) ")
    assert "Permission is hereby granted, free of charge" in text


def test_contributing_gives_the_set_up_the_two_commands_tests_style_and_how_to_propose():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for needed in ("## Set-up", "make run", "make test", "## Tests", "## Style",
                   "## Proposing a change", "SECURITY.md"):
        assert needed in text, needed


def test_security_says_how_to_report_a_vulnerability_privately():
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    assert "## Reporting a vulnerability" in text and "privately" in text


@pytest.mark.parametrize("path", ["CHANGELOG.md", "sdk/CHANGELOG.md"])
def test_changelogs_follow_keep_a_changelog(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and "keepachangelog.com/en/1.1.0" in text
    releases = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert releases[0] == "[Unreleased]"
    for release in releases[1:]:
        assert re.fullmatch(r"\[\d+\.\d+\.\d+\] - \d{4}-\d{2}-\d{2}", release), release
    assert set(re.findall(r"^### (.+)$", text, re.MULTILINE)) <= SECTIONS


def test_the_files_the_docs_name_for_contributors_exist():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for name in re.findall(r"`((?:docs|sdk|tests|static|integrations|portal)/[\w./-]+\.\w+)`",
                           text):
        assert (ROOT / name).exists(), name
