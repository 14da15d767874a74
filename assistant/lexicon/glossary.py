"""English → Chinese domain glossary: the FTZ terms, programme names and acronyms no dictionary has.

General words come from CC-CEDICT (lexicon/dictionary.py) and the documents' own names from their pinyin
(lexicon/propernouns.py); what is left is small and says, row by row, why a dictionary cannot give it
(data/glossary.tsv: English phrase, Chinese terms, why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.lexicon import dictionary

GLOSSARY_FILE = Path(__file__).with_name("data") / "glossary.tsv"


@dataclass(frozen=True)
class Row:
    phrase: str  # lower case, matched as words (a plural -s/-es also matches)
    terms: tuple[str, ...]  # Chinese alternatives, the documents' usual term first
    why: str  # what a dictionary lacks


@lru_cache(maxsize=1)
def rows() -> tuple[Row, ...]:
    """The glossary's rows in file order."""
    return _read(GLOSSARY_FILE)


def _read(path: Path) -> tuple[Row, ...]:
    out: list[Row] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, terms, why = (line.split("\t") + ["", ""])[:3]
        out.append(Row(phrase.strip().lower(), tuple(t for t in terms.strip().split("|") if t), why.strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def _entries() -> list[tuple[str, re.Pattern[str], list[str]]]:
    entries = sorted(rows(), key=lambda r: -len(r.phrase))  # "bonded marine fuel" before "fuel"
    return [(r.phrase, re.compile(rf"(?<![a-z]){re.escape(r.phrase)}(?:s|es)?(?![a-z])"), list(r.terms))
            for r in entries]


def spans(question: str) -> list[tuple[int, int, str, list[str]]]:
    """(start, end, phrase, Chinese terms) of each glossary phrase in the question, longest phrase first,
    none overlapping a longer one. Offsets index the question as given."""
    text = question.lower().replace("’", "'")  # same length: offsets stay valid
    taken = [False] * len(text)
    found: list[tuple[int, int, str, list[str]]] = []
    for phrase, pattern, chinese in _entries():
        for m in pattern.finditer(text):
            if not any(taken[m.start() : m.end()]):
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
                found.append((m.start(), m.end(), phrase, chinese))
    return found


def expand_groups(question: str) -> tuple[list[list[str]], str]:
    """Per matched English phrase, its Chinese alternatives; and the question text left unmatched."""
    groups, text, _ = _match(question)
    return groups, text


def names_removed(question: str) -> str:
    """The lower-cased question without the multi-word glossary phrases it contains ("climate
    investment" is a pilot's name, not a question about investment)."""
    return _match(question)[2]


def _match(question: str) -> tuple[list[list[str]], str, str]:
    text = masked = question.lower().replace("’", "'")
    groups: list[list[str]] = []
    for phrase, pattern, chinese in _entries():
        if pattern.search(text):
            text = pattern.sub(" ", text)
            if " " in phrase:
                masked = pattern.sub(" ", masked)
            groups.append(chinese)
    return groups, text, masked


def expand(question: str) -> list[str]:
    """Chinese terms for the English phrases in the question (each phrase matched once, longest first)."""
    terms: list[str] = []
    for group in expand_groups(question)[0]:
        terms.extend(t for t in group if t not in terms)
    return terms


@lru_cache(maxsize=1)
def _reverse() -> dict[str, str]:
    out: dict[str, str] = {}
    for row in rows():
        if row.terms and row.terms[0] not in out:
            out[row.terms[0]] = row.phrase.title().replace("'S", "'s")
    return out


def reverse(chinese: str) -> str | None:
    """English name of a Chinese term: the glossary's, else CC-CEDICT's for a proper noun (舟山 → Zhoushan)."""
    found = _reverse().get(chinese)
    if found is None:
        names = dictionary.english_names(chinese)
        found = names[0] if names else None
    return found
