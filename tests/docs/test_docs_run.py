"""The docs runner on its own (no portal): it fails when a page and what it runs disagree."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from portal.docs_blocks import Block
from portal.docs_run import DocFailure, Runner

pytestmark = pytest.mark.smoke

URL = "http://127.0.0.1:9"


def block(text: str, lang: str = "console", mode: str = "run", arg: str = "") -> Block:
    return Block("page.md", 1, lang, mode, arg, text, "Quick start")


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
           "HOME": str(tmp_path), "CAIO_URL": URL, "PYTHONUNBUFFERED": "1"}
    return Runner(url=URL, work=tmp_path / "reader", env=env, portal_env=dict(env))


def test_output_as_the_page_shows_it_passes_and_is_counted(runner):
    runner.run(block("$ python -c \"print('Logged in to $CAIO_URL as Ada.')\"\n"
                     "Logged in to $CAIO_URL as Ada.\n"))
    assert runner.count == {"blocks": 1, "commands": 1, "outputs compared": 1}


def test_other_output_than_the_page_shows_fails(runner):
    with pytest.raises(DocFailure, match="the doc shows"):
        runner.run(block("$ python -c \"print('Registered: other-service')\"\n"
                         "Registered: my-first-service\n"))


def test_a_command_that_fails_without_output_shown_fails(runner):
    with pytest.raises(DocFailure, match="exited 3"):
        runner.run(block("$ python -c \"raise SystemExit(3)\"\n"))


def test_exports_and_an_activated_venv_carry_over_to_the_next_command(runner):
    runner.run(block("$ export GREETING=hello\n$ python -c \"import os; print(os.environ['GREETING'])\"\n"
                     "hello\n"))
    runner.run(block("$ echo $GREETING\nhello\n"))


def test_a_printed_token_is_pasted_on_the_next_commands_standard_input(runner):
    token = "caio_" + "x" * 30
    runner.run(block(f"$ python -c \"print('{token}')\"\ncaio_...\n", mode="run=portal"))
    assert runner.clipboard == token
    runner.run(block("$ python -c \"import sys; print(len(sys.stdin.readline().strip()))\"\n35\n"))


def test_files_are_written_and_python_blocks_see_the_portals_address(runner):
    runner.run(block("name: $CAIO_URL\n", lang="yaml", mode="file", arg="contract.yaml"))
    assert (runner.work / "contract.yaml").read_text() == f"name: {URL}\n"
    runner.run(block("print(open('contract.yaml').read().strip())\n", lang="python"),
               expected_output="name: $CAIO_URL\n")
    with pytest.raises(DocFailure):
        runner.run(block("print('something else')\n", lang="python"),
                   expected_output="name: $CAIO_URL\n")
