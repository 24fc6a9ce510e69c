"""The user docs' code blocks: each one marked run or norun, samples that hold, and the quick start
in the order the issue asks for. Running them against a live portal is .ci/docs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from portal.docs_blocks import (
    ROOT,
    USER_DOCS,
    MarkError,
    all_blocks,
    console_commands,
    output_matches,
    parse_marker,
    read_blocks,
)
from portal.docs_run import quick_start

pytestmark = pytest.mark.smoke

BLOCKS, PROBLEMS = all_blocks()


def test_every_code_block_in_the_user_docs_is_marked_run_or_norun():
    assert PROBLEMS == []
    assert {b.file for b in BLOCKS} == set(USER_DOCS)
    assert sum(b.runnable for b in BLOCKS) >= 50


def test_an_unmarked_block_and_an_indented_one_are_reported(tmp_path):
    (tmp_path / "page.md").write_text(
        "# Page\n\n```python\nprint(1)\n```\n\n```sh norun: a reason\nls\n```\n\n"
        "text\n\n    indented code\n", encoding="utf-8")
    blocks, problems = read_blocks("page.md", root=tmp_path)
    assert [b.mode for b in blocks] == ["norun"]
    assert len(problems) == 2
    assert "page.md:3: unmarked block" in problems[0]
    assert "indented code block" in problems[1]


@pytest.mark.parametrize("info", ["python", "", "python norun:", "python norun:   ",
                                  "python running", "yaml file=../etc/passwd"])
def test_a_block_without_a_valid_marker_is_refused(info):
    with pytest.raises(MarkError):
        parse_marker(info)


def test_markers_give_the_language_the_mode_and_its_argument():
    assert parse_marker("console run") == ("console", "run", "")
    assert parse_marker("console run=portal") == ("console", "run=portal", "")
    assert parse_marker("yaml file=contract.yaml") == ("yaml", "file", "contract.yaml")
    assert parse_marker("python norun: needs a deployed service") == (
        "python", "norun", "needs a deployed service")


def test_an_output_block_must_follow_a_runnable_python_block(tmp_path):
    (tmp_path / "page.md").write_text("```text output\n1\n```\n", encoding="utf-8")
    assert "must follow" in read_blocks("page.md", root=tmp_path)[1][0]


def test_console_blocks_split_into_commands_with_continuations_and_their_output():
    commands = console_commands("$ curl -s \\\n    -d x\n{\"a\": 1}\n$ caio --version\n")
    assert [c.command for c in commands] == ["curl -s \\\n    -d x", "caio --version"]
    assert [c.expected for c in commands] == ['{"a": 1}', ""]
    with pytest.raises(MarkError):
        console_commands("caio --version\n")


def test_dots_stand_for_ids_and_times_within_a_line_and_for_whole_lines():
    expected = "Submission ...: my-svc 1.0.0 is ...\n...\nRegistered: my-svc."
    assert output_matches(expected, "Submission 12: my-svc 1.0.0 is approved\nRegistered: my-svc.")
    assert output_matches(expected, "Submission 3: my-svc 1.0.0 is queued\na\nb\n"
                                    "Registered: my-svc.\n")


def test_output_that_differs_from_the_doc_does_not_match():
    assert not output_matches("Registered: my-svc.", "Registered: other.")
    assert not output_matches("1 file checked", "1 file checked\nand one more line")
    assert not output_matches("Submission ...: my-svc", "Submission 1: my-svc\nextra")


def test_the_portals_address_is_compared_as_the_placeholder():
    assert output_matches("Logged in to $CAIO_URL as Ada.",
                          "Logged in to http://127.0.0.1:8321 as Ada.", url="http://127.0.0.1:8321")


@pytest.mark.parametrize("relative", USER_DOCS)
def test_samples_need_only_curl_and_python_and_use_the_portals_own_address(relative):
    text = (ROOT / relative).read_text(encoding="utf-8")
    assert "uuidgen" not in text
    assert "portal.example.com" not in text
    assert "127.0.0.1:8000" not in text


def test_python_samples_define_every_name_they_use(tmp_path):
    """Also those not run: the old API page's sample used Path without importing it."""
    ruff = shutil.which("ruff") or str(Path(__import__("sys").executable).parent / "ruff")
    for block in BLOCKS:
        if block.lang != "python":
            continue
        done = subprocess.run([ruff, "check", "--isolated", "--select", "F821,F811",
                               "--stdin-filename", "block.py", "-"], input=block.text,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, f"{block.where}:\n{done.stdout}{done.stderr}"


def test_the_quick_start_walks_from_installing_to_the_catalogue_in_order():
    walk = quick_start(BLOCKS)
    assert walk and all(b.runnable for b in walk)
    commands = " ".join(b.text for b in walk)
    steps = [r"pip install (--quiet )?\$CAIO_URL/sdk/", r"create_api_token", r"caio login",
             r"caio init", r"caio validate", r"caio register \S+ --wait", r"caio discover",
             r"\$CAIO_URL/services/"]
    positions = [re.search(step, commands) for step in steps]
    assert all(positions), [s for s, p in zip(steps, positions, strict=True) if not p]
    assert [p.start() for p in positions] == sorted(p.start() for p in positions)


def test_the_quick_start_says_where_the_token_page_is():
    guide = (ROOT / "sdk/docs/INTEGRATION_GUIDE.md").read_text(encoding="utf-8")
    section = guide.split("## 3. Quick start", 1)[1].split("\n## ", 1)[0]
    assert "$CAIO_URL/accounts/tokens/" in section and "Create token" in section


def test_the_integration_guide_has_the_plans_sections():
    guide = (ROOT / "sdk/docs/INTEGRATION_GUIDE.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \d+\. (.+)$", guide, re.M)
    assert headings == ["Getting started", "Installation", "Quick start",
                        "Service implementation", "Contract creation", "Service registration",
                        "Service discovery", "Best practices", "Troubleshooting"]
    for trouble in ("401", "409", "429", "waits for review", "registration failed"):
        assert trouble in guide


@pytest.mark.django_db
def test_the_docs_pages_link_each_other_and_hide_the_generated_markers(anonymous):
    body = anonymous.get("/docs/integration-guide/").content.decode()
    assert 'href="/docs/sdk/"' in body and 'href="/docs/api/"' in body
    assert "SDK_REFERENCE.md" not in body
    sdk = anonymous.get("/docs/sdk/").content.decode()
    assert "generated:" not in sdk and "class CAIOClient" in sdk
