"""The fenced code blocks of the user docs, and what each one is marked to be.

Every fenced block's info string is its language, then one marker:

- ``run``: the runner (``python -m portal.docs_run``) executes it on the reader's side, in a fresh
  venv with only the SDK's wheel, against a live portal. ``console`` blocks are commands after
  ``$ `` (a line ending in ``\\`` continues on the next), each followed by the output it prints;
  ``sh``/``bash`` blocks run as one script; ``python`` blocks run as a file.
- ``run=portal``: the same, on the portal's machine, in the portal's checkout (for example
  ``python manage.py create_api_token ...``), as someone who runs the portal does.
- ``file=NAME``: the reader saves the block as NAME; the runner writes it into the working folder.
- ``output``: what the runnable block just before prints; the runner compares it.
- ``norun: REASON``: not executed, with the reason (``norun: needs a deployed service``).

Expected output is compared line by line, trailing spaces ignored, after the portal's address is
replaced by ``$CAIO_URL``. Placeholders: ``...`` inside a line matches any text on that line; a line
that is only ``...`` matches any number of lines (none included). Ids, times and tokens are
written as ``...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
# The user docs, in reading order: the runner runs them in this order.
USER_DOCS: tuple[str, ...] = (
    "sdk/docs/INTEGRATION_GUIDE.md",
    "sdk/docs/SDK_REFERENCE.md",
    "sdk/docs/CLI_REFERENCE.md",
    "sdk/docs/API_REFERENCE.md",
    "sdk/README.md",
)
PLACEHOLDER_URL = "$CAIO_URL"
QUICK_START_HEADING = "Quick start"

_parser = MarkdownIt("commonmark")


class MarkError(ValueError):
    """A block without a valid marker."""


@dataclass(frozen=True)
class Block:
    file: str
    line: int  # 1-based line of the opening fence
    lang: str
    mode: str  # run, run=portal, file, output, norun
    arg: str  # the file name (file) or the reason (norun)
    text: str
    section: str  # the last level-2 heading above it

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.mode in ("run", "run=portal", "file")


def parse_marker(info: str) -> tuple[str, str, str]:
    """(lang, mode, arg) from a fence's info string; MarkError when it is not marked."""
    lang, _, rest = info.strip().partition(" ")
    rest = rest.strip()
    if not lang:
        raise MarkError("no language and no marker")
    if rest in ("run", "run=portal", "output"):
        return lang, rest, ""
    if rest.startswith("file="):
        name = rest[len("file="):].strip()
        if not re.fullmatch(r"[\w.-]+", name):
            raise MarkError(f"file= needs a plain file name, not {name!r}")
        return lang, "file", name
    if rest.startswith("norun:"):
        reason = rest[len("norun:"):].strip()
        if not reason:
            raise MarkError("norun: needs a reason")
        return lang, "norun", reason
    raise MarkError(f"unmarked block ({info.strip()!r}): add run, run=portal, file=NAME, output "
                    "or norun: REASON")


def _heading_text(tokens, index: int) -> str:
    return tokens[index + 1].content.strip() if index + 1 < len(tokens) else ""


def read_blocks(relative: str, *, root: Path = ROOT) -> tuple[list[Block], list[str]]:
    """The blocks of one file and the problems (unmarked blocks, misplaced outputs)."""
    text = (root / relative).read_text(encoding="utf-8")
    blocks: list[Block] = []
    problems: list[str] = []
    section = ""
    tokens = _parser.parse(text)
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            section = _heading_text(tokens, index)
        if token.type == "code_block":
            problems.append(f"{relative}:{token.map[0] + 1}: an indented code block: fence it "
                            "and mark it")
        if token.type != "fence":
            continue
        line = token.map[0] + 1
        try:
            lang, mode, arg = parse_marker(token.info)
        except MarkError as exc:
            problems.append(f"{relative}:{line}: {exc}")
            continue
        if mode == "output" and not (blocks and blocks[-1].mode in ("run", "run=portal")
                                     and blocks[-1].lang != "console"):
            problems.append(f"{relative}:{line}: an output block must follow a runnable "
                            "python or sh block")
        blocks.append(Block(relative, line, lang, mode, arg, token.content, section))
    return blocks, problems


def all_blocks(root: Path = ROOT) -> tuple[list[Block], list[str]]:
    blocks, problems = [], []
    for relative in USER_DOCS:
        found, wrong = read_blocks(relative, root=root)
        blocks += found
        problems += wrong
    return blocks, problems


# --- console blocks and expected output ---------------------------------------------------------

@dataclass(frozen=True)
class Command:
    command: str
    expected: str  # empty: the doc shows no output, so none is compared


def console_commands(text: str) -> list[Command]:
    """The ``$ `` commands of a console block, each with the output shown after it."""
    commands: list[Command] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.startswith("$ "):
            raise MarkError(f"a console block must start with '$ ', not {line!r}")
        command = line[2:]
        while command.endswith("\\") and index + 1 < len(lines):
            index += 1
            command = command + "\n" + lines[index]
        index += 1
        output: list[str] = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        commands.append(Command(command, "\n".join(output).strip("\n")))
    return commands


def expected_pattern(expected: str) -> re.Pattern[str]:
    parts = []
    for line in expected.rstrip("\n").split("\n"):
        line = line.rstrip()
        if line == "...":
            parts.append(r"(?:[^\n]*\n)*?")
            continue
        pieces = [re.escape(piece) for piece in line.split("...")]
        parts.append("[^\n]*".join(pieces) + r"[ \t]*\n")
    return re.compile("".join(parts))


def output_matches(expected: str, actual: str, *, url: str = "") -> bool:
    """Whether ``actual`` is what the doc shows (placeholders as the module docstring says)."""
    if url:
        actual = actual.replace(url, PLACEHOLDER_URL)
    actual = "\n".join(line.rstrip() for line in actual.strip("\n").split("\n")) + "\n"
    return expected_pattern(expected).fullmatch(actual) is not None


# The spellings of the portal's address in the docs: `$CAIO_URL`, `${CAIO_URL}`, and the legacy
# example host. The docs site (portal/docs.py) renders them with this same function.
PLACEHOLDERS = re.compile(r"\$\{CAIO_URL\}|\$CAIO_URL\b|https://portal\.example\.com")


def substitute_url(text: str, url: str) -> str:
    """What the portal renders: the placeholder replaced by its own address."""
    return PLACEHOLDERS.sub(url.rstrip("/"), text)
