"""Run the user docs' runnable blocks against a live portal (portal/docs_blocks.py says how a block
is marked). Used by ``.ci/docs``, which starts the portal (runserver + a worker) first:

    python -m portal.docs_run --url http://127.0.0.1:PORT --work DIR [--seed "CMD"]

1. **The quick-start walk.** The blocks of INTEGRATION_GUIDE.md's "Quick start" section run in
   order, as the page shows them, in an empty folder with no token in the environment: the
   reader's own commands install the SDK from the portal's /sdk/ into a new venv, and the token
   comes the way the text says (its ``run=portal`` block, ``manage.py create_api_token``). What a
   reader copies from one command's output into the next (the token pasted at ``caio login``'s
   prompt) is the *clipboard*: the last ``caio_...`` token printed, given on standard input.
2. ``--seed`` (a portal-side command, e.g. ``manage.py seed_demo``) adds the demo catalogue.
3. **Every other runnable block** of every user doc, page by page, each page in its own folder,
   with the walk's venv on PATH, ``CAIO_URL`` and ``CAIO_TOKEN`` set (the docs say to set them).

It fails on the first block that fails or shows other output than the doc, and prints how many
blocks ran. Commands run with ``COLUMNS=100``, as ``manage.py docs_generate`` renders --help.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from portal.docs_blocks import (
    QUICK_START_HEADING,
    ROOT,
    Block,
    all_blocks,
    console_commands,
    output_matches,
    substitute_url,
)

TIMEOUT = 300
TOKEN_RE = re.compile(r"\bcaio_[A-Za-z0-9_-]{20,}")


class DocFailure(Exception):
    pass


class Runner:
    """One reader's terminal: a working folder, an environment kept from command to command."""

    def __init__(self, *, url: str, work: Path, env: dict[str, str], portal_env: dict[str, str],
                 failures: list[str] | None = None):
        self.url, self.work = url, work
        # None: stop at the first difference; a list: note each difference there and go on.
        self.failures = failures
        self.keep_going = failures is not None
        self.work.mkdir(parents=True, exist_ok=True)
        self.state = work / ".docs-shell-state"
        self.state.write_text("", encoding="utf-8")
        self.env, self.portal_env = env, portal_env
        self.clipboard = ""
        self.count = {"blocks": 0, "commands": 0, "outputs compared": 0}

    def fail(self, message: str) -> None:
        """A block that disagrees with the product: stop, or (--keep-going) note it and go on."""
        if not self.keep_going:
            raise DocFailure(message)
        print(f"\nDOCS DIFFER: {message}\n", flush=True)
        self.failures.append(message)

    def _shell(self, command: str, *, portal: bool) -> subprocess.CompletedProcess[str]:
        if portal:  # the portal's checkout, its venv; no state kept on that side
            return subprocess.run(["bash", "-c", command], cwd=ROOT, env=self.portal_env,
                                  input="", capture_output=True, text=True, timeout=TIMEOUT)
        script = (f"source {shlex.quote(str(self.state))}\n{command}\nstatus=$?\n"
                  f"export -p > {shlex.quote(str(self.state))}\nexit $status\n")
        stdin = self.clipboard + "\n" if self.clipboard else ""
        return subprocess.run(["bash", "-c", script], cwd=self.work, env=self.env, input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=TIMEOUT)

    def _check(self, block: Block, what: str, done: subprocess.CompletedProcess[str],
               expected: str) -> None:
        output = done.stdout + (done.stderr or "")
        if expected:
            self.count["outputs compared"] += 1
            if not output_matches(expected, output, url=self.url):
                self.fail(f"{block.where}: {what}\n--- the doc shows\n{expected}\n"
                                 f"--- it printed (exit {done.returncode})\n{output}")
        elif done.returncode != 0:
            self.fail(f"{block.where}: {what} exited {done.returncode}:\n{output}")
        tokens = TOKEN_RE.findall(done.stdout)
        if tokens:
            self.clipboard = tokens[-1]

    def run(self, block: Block, expected_output: str = "") -> None:
        portal = block.mode == "run=portal"
        if block.mode == "file":
            (self.work / block.arg).write_text(substitute_url(block.text, self.url),
                                               encoding="utf-8")
        elif block.lang == "console":
            for command in console_commands(block.text):
                print(f"  $ {command.command}", flush=True)
                done = self._shell(command.command, portal=portal)
                self.count["commands"] += 1
                self._check(block, f"$ {command.command}", done, command.expected)
        elif block.lang in ("sh", "bash"):
            done = self._shell(block.text, portal=portal)
            self._check(block, "the script", done, expected_output)
        elif block.lang == "python":
            script = self.work / f".docs-block-{block.line}.py"
            script.write_text(substitute_url(block.text, self.url), encoding="utf-8")
            done = self._shell(f"python {shlex.quote(script.name)}", portal=portal)
            self._check(block, "the Python block", done, expected_output)
        else:
            raise DocFailure(f"{block.where}: cannot run a {block.lang!r} block")
        self.count["blocks"] += 1


def run_blocks(runner: Runner, blocks: list[Block]) -> None:
    for index, block in enumerate(blocks):
        if not block.runnable:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        expected = following.text if following and following.mode == "output" else ""
        print(f"-- {block.where} ({block.lang} {block.mode})", flush=True)
        runner.run(block, expected)


def quick_start(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if b.file.endswith("INTEGRATION_GUIDE.md")
            and QUICK_START_HEADING.lower() in b.section.lower()]


def _base_env(url: str, home: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:  # a new reader's terminal: not inside the portal's venv
        env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                      if not p.startswith(venv))
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"), CAIO_URL=url,
               COLUMNS="100", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PYTHONUNBUFFERED="1")  # stdout and stderr in the order a terminal shows
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m portal.docs_run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="the live portal")
    parser.add_argument("--work", required=True, type=Path, help="an empty folder to work in")
    parser.add_argument("--seed", default="", help="a portal-side command to run after the walk")
    parser.add_argument("--skip-walk", nargs=2, metavar=("VENV_BIN", "TOKEN"),
                        help="(writing docs) no walk: the reader's venv bin folder and token")
    parser.add_argument("--page", action="append", default=[],
                        help="(writing docs) only this page, e.g. sdk/docs/API_REFERENCE.md")
    parser.add_argument("--keep-going", action="store_true",
                        help="report every block that differs, then fail (default: stop at the "
                             "first)")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    blocks, problems = all_blocks()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    portal_env = dict(os.environ, PATH=os.pathsep.join(
        [str(Path(sys.executable).parent), os.environ.get("PATH", "")]), COLUMNS="100")
    walk = quick_start(blocks)
    home = args.work / "home"
    failures: list[str] | None = [] if args.keep_going else None
    walker = Runner(url=url, work=args.work / "quick-start", env=_base_env(url, home),
                    portal_env=portal_env, failures=failures)
    totals = dict.fromkeys(walker.count, 0)
    try:
        if args.skip_walk:
            venv_bin, walker.clipboard = Path(args.skip_walk[0]), args.skip_walk[1]
        else:
            print(f"== the quick-start walk: {sum(b.runnable for b in walk)} blocks", flush=True)
            if not any(b.runnable for b in walk):
                raise DocFailure("INTEGRATION_GUIDE.md has no runnable quick-start block")
            run_blocks(walker, walk)
            venv_bin = walker.work / "caio-env" / "bin"
            if not (venv_bin / "caio").exists():
                raise DocFailure("the quick start did not leave caio-env/bin/caio behind")
            if not walker.clipboard:
                raise DocFailure("the quick start printed no token to paste")
        totals = {k: totals[k] + v for k, v in walker.count.items()}
        if args.seed and not args.skip_walk:
            print(f"== seed: {args.seed}", flush=True)
            subprocess.run(["bash", "-c", args.seed], cwd=ROOT, env=portal_env, check=True,
                           timeout=TIMEOUT)
        rest = [b for b in blocks if b not in walk and (not args.page or b.file in args.page)]
        for relative in dict.fromkeys(b.file for b in rest):
            page = [b for b in rest if b.file == relative]
            env = _base_env(url, home)
            env.update(CAIO_TOKEN=walker.clipboard,
                       PATH=os.pathsep.join([str(venv_bin), env["PATH"]]))
            runner = Runner(url=url, work=args.work / Path(relative).stem, env=env,
                            portal_env=portal_env, failures=failures)
            print(f"== {relative}: {sum(b.runnable for b in page)} blocks", flush=True)
            run_blocks(runner, page)
            totals = {k: totals[k] + v for k, v in runner.count.items()}
    except (DocFailure, subprocess.SubprocessError) as exc:
        print(f"\nDOCS FAILED: {exc}", file=sys.stderr)
        return 1
    if failures:
        print(f"\nDOCS FAILED: {len(failures)} blocks differ from what they show (above)",
              file=sys.stderr)
        return 1
    marked = sum(1 for b in blocks if b.mode == "norun")
    print(f"== docs: {totals['blocks']} blocks ran ({totals['commands']} commands, "
          f"{totals['outputs compared']} outputs compared; quick start "
          f"{walker.count['blocks']} blocks); {marked} blocks marked norun")
    return 0


if __name__ == "__main__":
    sys.exit(main())
