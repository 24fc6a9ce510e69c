"""The caio command, run as a real subprocess: output formats and exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from caio_integration.contracts import read_template

LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info) "
                  r"(?P<code>[a-z0-9-]+): (?P<msg>.+)$")


def caio(*args: str, cwd: Path | None = None, stdin: bytes | None = None):
    return subprocess.run([sys.executable, "-m", "caio_integration.cli", *args], cwd=cwd,
                          input=stdin, capture_output=True, timeout=60)


def filled_in() -> str:
    """The simple template with its placeholder texts replaced."""
    return (read_template("simple_service").replace("my-service", "acme-summarizer")
            .replace("My AI Service", "Acme Summarizer")
            .replace("A short sentence on what the service does.", "Summaries of long texts."))


@pytest.fixture
def files(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(filled_in())
    warn = tmp_path / "warn.yaml"
    warn.write_text(filled_in().replace("text_embedding", "text_embeding"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("service_id: Bad\nname: A\nversion: 1.0\ncapabilities: [ocr]\nnmae: x\n")
    return good, warn, bad


def test_a_valid_file_exits_zero_with_a_summary(files):
    good, _, _ = files
    run = caio("validate", str(good))
    assert run.returncode == 0, run.stderr
    assert run.stdout.decode() == "1 file checked, all valid: 0 errors, 0 warnings.\n"


def test_warnings_alone_still_exit_zero(files):
    _, warn, _ = files
    run = caio("validate", str(warn))
    assert run.returncode == 0
    first = run.stdout.decode().splitlines()[0]
    match = LINE.match(first)
    assert match and match["sev"] == "warning" and match["code"] == "unknown-capability"
    assert (match["file"], match["line"]) == (str(warn), "16")


def test_errors_print_one_compiler_style_line_each_and_exit_one(files):
    good, _, bad = files
    run = caio("validate", str(good), str(bad))
    assert run.returncode == 1
    lines = run.stdout.decode().splitlines()
    links = lines.index(next(line for line in lines if line.startswith("What the codes mean")))
    parsed = [LINE.match(line) for line in lines[:links]]
    assert all(parsed), lines
    assert [(m["file"], m["line"], m["col"], m["code"]) for m in parsed] == [
        (str(bad), "1", "13", "pattern"),
        (str(bad), "3", "10", "ambiguous-scalar"),
        (str(bad), "5", "1", "unknown-key"),
    ]
    assert lines[-1] == "2 files checked, 1 invalid: 3 errors, 0 warnings."


def test_each_code_that_came_up_links_to_its_entry_on_the_portal_before_the_summary(files,
                                                                                   tmp_path):
    _, _, bad = files
    env = {**os.environ, "CAIO_URL": "https://caio.test", "CAIO_CONFIG": str(tmp_path / "none")}
    run = subprocess.run([sys.executable, "-m", "caio_integration.cli", "validate", str(bad)],
                         capture_output=True, timeout=60, env=env)
    lines = run.stdout.decode().splitlines()
    start = lines.index("What the codes mean:")
    assert lines[start + 1:-1] == [
        "  pattern: https://caio.test/docs/diagnostics/#pattern",
        "  ambiguous-scalar: https://caio.test/docs/diagnostics/#ambiguous-scalar",
        "  unknown-key: https://caio.test/docs/diagnostics/#unknown-key",
    ]
    assert lines[-1].startswith("1 file checked, 1 invalid")


def test_without_a_portal_the_links_are_the_anchors_of_the_reference_page(files, tmp_path):
    _, _, bad = files
    env = {k: v for k, v in os.environ.items() if k != "CAIO_URL"}
    env["CAIO_CONFIG"] = str(tmp_path / "none")
    run = subprocess.run([sys.executable, "-m", "caio_integration.cli", "validate", "--format",
                          "json", str(bad)], capture_output=True, timeout=60, env=env)
    first = json.loads(run.stdout)[0]["diagnostics"][0]
    assert (first["code"], first["docs_url"]) == ("pattern", "/docs/diagnostics/#pattern")


def test_json_output_is_a_list_of_file_verdicts(files):
    good, warn, bad = files
    run = caio("validate", "--format", "json", str(good), str(warn), str(bad))
    assert run.returncode == 1
    out = json.loads(run.stdout)
    assert [(o["file"], o["valid"]) for o in out] == [(str(good), True), (str(warn), True),
                                                       (str(bad), False)]
    assert out[0]["diagnostics"] == []
    assert set(out[2]["diagnostics"][0]) == {"severity", "code", "message", "path", "line",
                                             "column", "hint", "docs_url"}
    assert out[2]["diagnostics"][0]["path"] == "/service_id"


@pytest.mark.parametrize("content,code", [
    (b"name: caf\xe9\n", "encoding"),
    (b"a: [1, 2\n", "syntax"),
    (b"", "empty"),
    (b"- a\n", "not-a-mapping"),
    (b"a: 1\n---\nb: 2\n", "multiple-documents"),
])
def test_unreadable_contents_exit_one(tmp_path, content, code):
    path = tmp_path / "c.yaml"
    path.write_bytes(content)
    run = caio("validate", "--format", "json", str(path))
    assert run.returncode == 1
    assert [d["code"] for d in json.loads(run.stdout)[0]["diagnostics"]] == [code]


def test_an_oversized_file_exits_one(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (300 * 1024) + b"\n")
    run = caio("validate", str(path))
    assert run.returncode == 1
    assert " error too-large: " in run.stdout.decode()


def test_a_path_that_cannot_be_opened_exits_two_but_others_are_still_checked(files, tmp_path):
    good, _, bad = files
    run = caio("validate", str(tmp_path / "missing.yaml"), str(good))
    assert run.returncode == 2
    assert "cannot open" in run.stderr.decode()
    assert run.stdout.decode() == ("2 files checked, 1 could not be opened: 0 errors, "
                                   "0 warnings.\n")
    assert caio("validate", str(tmp_path)).returncode == 2  # a directory
    assert caio("validate", str(tmp_path / "missing.yaml"), str(bad)).returncode == 2


def test_a_missing_file_is_never_called_valid(tmp_path):
    missing = str(tmp_path / "missing.yaml")
    run = caio("validate", missing)
    assert run.returncode == 2
    assert "all valid" not in run.stdout.decode()
    assert run.stdout.decode() == "1 file checked, 1 could not be opened: 0 errors, 0 warnings.\n"
    run = caio("validate", "--format", "json", missing)
    assert run.returncode == 2
    assert json.loads(run.stdout) == [{"file": missing, "valid": False, "diagnostics": [],
                                       "error": "cannot open: No such file or directory"}]


@pytest.mark.parametrize("args", [[], ["validate"], ["validate", "--format", "xml", "x.yaml"],
                                  ["frobnicate"], ["init"]])
def test_usage_errors_exit_two(args):
    run = caio(*args)
    assert run.returncode == 2
    assert b"usage:" in run.stderr


def test_validate_reads_standard_input_for_a_dash():
    run = caio("validate", "-", stdin=read_template("advanced_service").encode())
    assert run.returncode == 0
    assert caio("validate", "-", stdin=b"a: [").returncode == 1


def test_templates_lists_templates_and_examples():
    run = caio("templates")
    assert run.returncode == 0
    out = run.stdout.decode()
    for name in ["simple_service", "advanced_service", "openai_compatible_chat",
                 "anthropic_compatible", "custom_llm", "embedding_service", "code_generation"]:
        assert f"  {name} " in out
    assert "OpenAI-compatible chat - A chat service" in out


def test_init_writes_a_template_that_validates(tmp_path):
    run = caio("init", "--template", "advanced_service", "-o", "mine.yaml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "mine.yaml").read_text() == read_template("advanced_service")
    assert caio("validate", str(tmp_path / "mine.yaml")).returncode == 0


def test_init_defaults_to_contract_yaml_and_refuses_to_overwrite(tmp_path):
    assert caio("init", "--template", "custom_llm", cwd=tmp_path).returncode == 0
    target = tmp_path / "contract.yaml"
    target.write_text("mine")
    run = caio("init", "--template", "simple_service", cwd=tmp_path)
    assert run.returncode == 2 and b"--force" in run.stderr
    assert target.read_text() == "mine"
    assert caio("init", "--template", "simple_service", "--force", cwd=tmp_path).returncode == 0
    assert target.read_text() == read_template("simple_service")


def test_init_with_a_name_and_description_leaves_no_placeholder_warning(tmp_path):
    run = caio("init", "--service-id", "acme-mail", "--name", "Acme Mail: replies",
               "--description", "Drafts replies to customer emails.", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    data = yaml.safe_load((tmp_path / "contract.yaml").read_text())
    assert (data["name"], data["description"]) == ("Acme Mail: replies",
                                                   "Drafts replies to customer emails.")
    checked = caio("validate", str(tmp_path / "contract.yaml"))
    assert checked.returncode == 0 and b"0 warnings" in checked.stdout, checked.stdout


def test_init_replaces_a_block_description_whole_and_refuses_an_empty_name(tmp_path):
    run = caio("init", "-t", "advanced_service", "--description", "One line.", "-o", "a.yaml",
               cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert yaml.safe_load((tmp_path / "a.yaml").read_text())["description"] == "One line."
    run = caio("init", "--service-id", "acme-b", "--name", "  ", "-o", "b.yaml", cwd=tmp_path)
    assert run.returncode == 2 and b"--name cannot be empty" in run.stderr
    assert not (tmp_path / "b.yaml").exists()


def test_init_refuses_an_unknown_template_and_can_print_to_stdout(tmp_path):
    run = caio("init", "--template", "../../etc/passwd", cwd=tmp_path)
    assert run.returncode == 2 and b"unknown template" in run.stderr
    assert list(tmp_path.iterdir()) == []
    run = caio("init", "--template", "simple_service", "-o", "-")
    assert run.stdout.decode() == read_template("simple_service")


def test_the_installed_console_script_works(files):
    exe = shutil.which("caio", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the caio console script is not installed next to this Python")
    good, _, bad = files
    assert subprocess.run([exe, "validate", str(good)], capture_output=True).returncode == 0
    assert subprocess.run([exe, "validate", str(bad)], capture_output=True).returncode == 1
