"""Search over the documentation: one small in-process index, built from the Markdown.

The index is built in memory from the guides' Markdown (and the contract reference's field
list) the first time someone searches, and again when a file changes. It needs no database, so
it works the same on SQLite and PostgreSQL. Each section (a heading and the text under it) is
one entry; a query's words must all appear in a section (the last word may be a prefix, so the
results follow the typing), and sections whose heading holds them rank first.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from caio_integration.contracts import CAPABILITY_DESCRIPTIONS, field_specs
from markdown_it.token import Token

from portal.docs import GUIDES_DIR, PAGES, DocPage, annotated_tokens

MAX_QUERY = 200
MAX_TERMS = 8
MAX_RESULTS = 20
HEADING_WEIGHT = 5
_WORD = re.compile(r"[a-z0-9]+(?:[-_.][a-z0-9]+)*")


@dataclass(frozen=True)
class Section:
    page: DocPage
    anchor: str
    heading: str
    text: str


@dataclass(frozen=True)
class Result:
    section: Section
    score: int
    snippet: tuple[tuple[str, bool], ...]  # (text, is a match)

    @property
    def url(self) -> str:
        anchor = f"#{self.section.anchor}" if self.section.anchor else ""
        return f"/docs/{self.section.page.slug}/{anchor}"


def words(text: str) -> list[str]:
    """Lower-case words; `p95_ms` and `unknown-key` count whole and by their parts."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        out.append(word)
        parts = re.split(r"[-_.]", word)
        if len(parts) > 1:
            out.extend(part for part in parts if part)
    return out


def _text(inline: Token) -> str:
    """The words of an inline token, without Markdown's markup."""
    return "".join(" " if child.type in ("softbreak", "hardbreak") else child.content
                   for child in inline.children or ())


def _markdown_sections(page: DocPage) -> list[Section]:
    text = (GUIDES_DIR / page.file).read_text(encoding="utf-8")
    tokens = annotated_tokens(text)
    found: list[Section] = []
    anchor, heading, body = "", page.title, []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            if body or anchor:
                found.append(Section(page, anchor, heading, " ".join(body)))
            anchor, heading, body = str(token.attrGet("id")), _text(tokens[index + 1]), []
        elif token.type == "inline" and (index == 0 or tokens[index - 1].type != "heading_open"):
            body.append(_text(token))
        elif token.type in ("fence", "code_block"):
            body.append(token.content)
    found.append(Section(page, anchor, heading, " ".join(body)))
    return found


def _contract_sections(page: DocPage) -> list[Section]:
    fields = " ".join(f"{spec.path[1:].replace('/', '.')} {spec.title}. {spec.description}"
                      for spec in field_specs())
    vocabulary = " ".join(f"{name}: {text}" for name, text in CAPABILITY_DESCRIPTIONS.items())
    return [Section(page, "", page.title, fields),
            Section(page, "capabilities", "Capability vocabulary", vocabulary)]


def _all_sections() -> list[Section]:
    out: list[Section] = []
    for page in PAGES:
        out.extend(_markdown_sections(page) if page.file else _contract_sections(page))
    return out


@dataclass(frozen=True)
class Index:
    sections: tuple[Section, ...]
    postings: dict[str, dict[int, int]]  # word -> {section number: weight}
    vocabulary: tuple[str, ...]  # sorted words, for prefixes


@lru_cache(maxsize=2)
def _build(_version: tuple[float, ...]) -> Index:
    sections = tuple(_all_sections())
    postings: dict[str, dict[int, int]] = {}
    for number, section in enumerate(sections):
        weights = Counter(words(section.text))
        for word in words(section.heading):
            weights[word] += HEADING_WEIGHT
        for word, weight in weights.items():
            postings.setdefault(word, {})[number] = weight
    return Index(sections, postings, tuple(sorted(postings)))


def index() -> Index:
    """The index of the current files (rebuilt when one of them changes)."""
    version = tuple((GUIDES_DIR / page.file).stat().st_mtime for page in PAGES if page.file)
    return _build(version)


def _matches(idx: Index, term: str, prefix: bool) -> dict[int, int]:
    if not prefix:
        return idx.postings.get(term, {})
    out: Counter[int] = Counter()
    for word in idx.vocabulary[bisect_left(idx.vocabulary, term):]:  # sorted: prefixes are a run
        if not word.startswith(term):
            break
        out.update(idx.postings[word])
    return dict(out)


def _snippet(text: str, terms: list[str], width: int = 220) -> tuple[tuple[str, bool], ...]:
    flat = " ".join(text.split())
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})", re.IGNORECASE)
    first = pattern.search(flat)
    start = max(0, first.start() - 60) if first else 0
    piece = flat[start:start + width]
    prefix = "…" if start else ""
    suffix = "…" if start + width < len(flat) else ""
    parts: list[tuple[str, bool]] = []
    cursor = 0
    for match in pattern.finditer(piece):
        parts.append((piece[cursor:match.start()], False))
        parts.append((match[0], True))
        cursor = match.end()
    parts.append((piece[cursor:] + suffix, False))
    if prefix:
        parts.insert(0, (prefix, False))
    return tuple(part for part in parts if part[0])


def search(query: str) -> list[Result]:
    """The sections holding every word of ``query`` (the last one as a prefix), best first."""
    terms = list(dict.fromkeys(words(query[:MAX_QUERY])))[:MAX_TERMS]
    if not terms:
        return []
    idx = index()
    scores: dict[int, int] | None = None
    for position, term in enumerate(terms):
        prefix = position == len(terms) - 1 and len(term) >= 2
        found = _matches(idx, term, prefix)
        scores = (dict(found) if scores is None
                  else {n: s + found[n] for n, s in scores.items() if n in found})
        if not scores:
            return []
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:MAX_RESULTS]
    return [Result(idx.sections[n], score, _snippet(idx.sections[n].text, terms))
            for n, score in ranked]
