"""The SDK's wheel: built quietly from sdk/, holding only caio_integration, served at /sdk/."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from caio_integration import __version__
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
WHEEL = f"caio_integration_sdk-{__version__}-py3-none-any.whl"


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    """`make install`'s command, run on a clean copy of sdk/ (the tree's build/ stays untouched)."""
    folder = tmp_path_factory.mktemp("sdk-build")
    source = folder / "sdk"
    shutil.copytree(ROOT / "sdk", source, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".hypothesis", ".ruff_cache", ".pytest_cache"))
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps",
         str(source), "-w", str(folder / "dist")],
        capture_output=True, text=True, timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return folder / "dist" / WHEEL, run.stdout + run.stderr


@pytest.fixture
def wheel_dir(settings, tmp_path):
    settings.SDK_WHEEL_DIR = tmp_path / "sdk"
    settings.SDK_WHEEL_DIR.mkdir()
    return settings.SDK_WHEEL_DIR


def test_the_wheel_holds_only_the_caio_integration_package(build):
    wheel, _output = build
    names = zipfile.ZipFile(wheel).namelist()
    assert {name.split("/")[0] for name in names} == {
        "caio_integration", f"caio_integration_sdk-{__version__}.dist-info"}
    for shipped in ("caio_integration/py.typed", "caio_integration/schemas/contract-v1.json",
                    "caio_integration/templates/simple_service.yaml", "caio_integration/cli/__init__.py",
                    "caio_integration/contracts/validation.py"):
        assert shipped in names
    assert not [n for n in names if "/tests/" in n]
    # caio_integration/examples/ holds the SDK's example contracts (YAML), not sdk/examples/
    assert not [n for n in names if "/examples/" in n and not n.endswith(".yaml")]


def test_the_wheel_declares_its_licence_as_an_spdx_expression_and_builds_without_warnings(build):
    wheel, output = build
    metadata = zipfile.ZipFile(wheel).read(
        f"caio_integration_sdk-{__version__}.dist-info/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    assert "Classifier: License ::" not in metadata
    assert "Warning" not in output and "deprecated" not in output.lower(), output


def test_make_install_builds_the_wheel_into_the_folder_the_portal_serves(tmp_path, settings):
    """The Makefile and settings both put it in PORTAL_VAR_DIR/sdk unless SDK_WHEEL_DIR says."""
    env = {k: v for k, v in os.environ.items() if k not in ("SDK_WHEEL_DIR", "PORTAL_VAR_DIR")}
    dry = subprocess.run(["make", "-n", "install", f"PORTAL_VAR_DIR={tmp_path}"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert dry.returncode == 0, dry.stderr
    assert f"-m pip wheel --quiet --disable-pip-version-check --no-deps ./sdk -w {tmp_path}/sdk" \
        in dry.stdout
    if "SDK_WHEEL_DIR" not in os.environ:
        assert Path(settings.SDK_WHEEL_DIR) == Path(settings.VAR_DIR) / "sdk"


def test_the_wheel_is_served_at_its_stable_url_as_a_download(anonymous, wheel_dir, build):
    shutil.copy(build[0], wheel_dir)
    response = anonymous.get(f"/sdk/{WHEEL}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == f'attachment; filename="{WHEEL}"'
    assert b"".join(response.streaming_content) == build[0].read_bytes()
    assert anonymous.head(f"/sdk/{WHEEL}").status_code == 200
    assert anonymous.post(f"/sdk/{WHEEL}").status_code == 405


@pytest.mark.django_db
def test_sdk_page_shows_version_sha256_and_a_pip_line_with_the_portals_own_address(
        anonymous, wheel_dir, build):
    shutil.copy(build[0], wheel_dir)
    response = anonymous.get(reverse("portal:sdk"), HTTP_HOST="localhost:8123")
    assert response.status_code == 200
    body = response.content.decode()
    sha256 = hashlib.sha256(build[0].read_bytes()).hexdigest()
    assert f"pip install http://localhost:8123/sdk/{WHEEL}</pre>" in body
    assert f"caio-integration-sdk @ http://localhost:8123/sdk/{WHEEL}#sha256={sha256}" in body
    assert f"<td>{__version__}</td>" in body and f"<code>{sha256}</code>" in body
    assert "pip install ./sdk" in body


@pytest.mark.django_db
def test_without_a_built_wheel_the_sdk_page_says_how_to_build_it(anonymous, wheel_dir):
    response = anonymous.get(reverse("portal:sdk"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "has not been built on this portal yet" in body
    assert "make install" in body and "pip wheel --no-deps ./sdk -w var/sdk/" in body
    assert "pip install http" not in body
    assert anonymous.get(f"/sdk/{WHEEL}").status_code == 404


def test_only_sdk_wheels_in_the_wheel_folder_are_served(anonymous, wheel_dir, settings):
    (wheel_dir / "notes.txt").write_text("private")
    (wheel_dir / "caio_integration_sdk-0.9.0-py3-none-any.whl.part").write_bytes(b"x")
    (settings.SDK_WHEEL_DIR.parent / "db.sqlite3").write_bytes(b"secret")
    for name in ("notes.txt", "caio_integration_sdk-0.9.0-py3-none-any.whl.part",
                 "caio_integration_sdk-9.9.9-py3-none-any.whl", "..%2Fdb.sqlite3",
                 "other_package-1.0.0-py3-none-any.whl"):
        assert anonymous.get(f"/sdk/{name}").status_code == 404, name


@pytest.mark.django_db
def test_the_home_page_sends_developers_to_the_sdk_page(anonymous):
    body = anonymous.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("portal:sdk")}"' in body


def test_no_page_or_guide_gives_a_pip_install_line_that_fails():
    """The package is on no index: `pip install caio-integration-sdk` would fail for everyone."""
    files = [*ROOT.glob("docs/*.md"), ROOT / "README.md", *ROOT.glob("sdk/**/*.md"),
             *ROOT.glob("templates/**/*.html")]
    offending = [str(f.relative_to(ROOT)) for f in files
                 if "pip install caio-integration-sdk" in f.read_text(encoding="utf-8")]
    assert offending == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_visitor_finds_the_pip_line_from_the_home_page_and_copies_it(page, live_server, wheel_dir,
                                                                     build):
    from playwright.sync_api import expect

    from tests.api.test_browser_tokens import serious_violations

    shutil.copy(build[0], wheel_dir)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/")
    page.get_by_role("link", name="install the SDK from this portal").click()
    page.wait_for_url("**/sdk/")
    line = f"pip install {live_server.url}/sdk/{WHEEL}"
    assert page.locator("#sdk-pip-line").inner_text() == line
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status").filter(has_text="Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == line
    assert serious_violations(page) == []
