"""English → Chinese FTZ glossary: expands an English question into the corpus's own terms.

BM25 cannot match English words to Chinese text, and the cross-lingual encoder is weakest on
domain terms (保税燃料油, 中欧班列, 片区); a curated glossary is the cheapest reliable bridge.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

GLOSSARY_FILE = Path(__file__).with_name("data") / "glossary.tsv"


@lru_cache(maxsize=1)
def _entries() -> list[tuple[str, re.Pattern[str], list[str]]]:
    entries: list[tuple[str, list[str]]] = []
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, _, terms = line.partition("\t")
        entries.append((phrase.strip().lower(), [t for t in terms.strip().split("|") if t]))
    entries.sort(key=lambda e: -len(e[0]))  # longest phrase first: "bonded marine fuel" before "fuel"
    return [(p, re.compile(rf"(?<![a-z]){re.escape(p)}(?:s|es)?(?![a-z])"), terms) for p, terms in entries]


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
    for line in GLOSSARY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, _, terms = line.partition("\t")
        first = terms.split("|")[0].strip()
        if first and first not in out:
            out[first] = phrase.strip().title().replace("'S", "'s")
    return out


def reverse(chinese: str) -> str | None:
    """English name of a Chinese term the glossary knows (舟山 → Zhoushan)."""
    return _reverse().get(chinese)

