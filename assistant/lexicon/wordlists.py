"""Word lists read from lexicon/data/: places, generic question words, English stop words, generic
title words and the attributes a question can ask for. Each file's header says what it is for."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only the type: the pinyin machinery loads when an index is built, not with the word lists
    from assistant.lexicon.propernouns import NameIndex

from assistant.models import Attribute

DATA = Path(__file__).with_name("data")


def _words(name: str) -> list[str]:
    words: list[str] = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            words.extend(line.split())
    return words


@lru_cache(maxsize=1)
def places() -> frozenset[str]:
    """Provinces and cities of China questions name, whether or not the documents do (温州 is a near-miss)."""
    return frozenset(_words("places.txt"))


def gazetteer(names: NameIndex | None) -> frozenset[str]:
    """The country-level place list united with the documents' administrative place names (钦州港片区, 青田县…).

    These are the places a case must state when a question names them. A document's other place-like
    nouns — countries, continents, train brands (长安号) — are left out: "China–Europe trains" does not
    make 欧洲 a place the answer has to mention."""
    if names is None:
        return places()
    from assistant.lexicon.propernouns import split_suffix  # with the index, the pinyin machinery is loaded anyway

    return places() | frozenset(p for p in names.places() if split_suffix(p) is not None)


@lru_cache(maxsize=1)
def generic_terms() -> frozenset[str]:
    """Words every question in this domain contains; they say nothing about which case answers it."""
    return frozenset(_words("generic_terms.txt"))


@lru_cache(maxsize=1)
def english_stopwords() -> frozenset[str]:
    return frozenset(_words("english_stopwords.txt"))


@lru_cache(maxsize=1)
def title_generic_words() -> tuple[str, ...]:
    """Words many case titles share; longest first so a regex alternation prefers them."""
    return tuple(sorted(_words("title_generic_words.txt"), key=len, reverse=True))


@lru_cache(maxsize=1)
def attributes() -> tuple[Attribute, ...]:
    """Attributes a question can ask for (a rate, a price, a headcount…), longest English phrase first."""
    rows = []
    for line in (DATA / "attributes.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, _, forms = line.partition("\t")
        rows.append(Attribute(phrase=phrase.strip(), forms=tuple(f for f in forms.strip().split("|") if f)))
    rows.sort(key=lambda a: -len(a.phrase))  # "cost to develop" before "cost"
    return tuple(rows)


@lru_cache(maxsize=1)
def units() -> dict[str, tuple[str, ...]]:
    """English counted/measured nouns → the Chinese measure words a figure of them is stated with."""
    table: dict[str, tuple[str, ...]] = {}
    for line in (DATA / "units.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            word, _, forms = line.partition("\t")
            table[word.strip()] = tuple(f for f in forms.strip().split("|") if f)
    return table


@lru_cache(maxsize=1)
def section_roles() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(role, heading words) pairs: what a section of a case is for (background, practice, result, lessons)."""
    rows = []
    for line in (DATA / "section_roles.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            role, _, words = line.partition("\t")
            rows.append((role.strip(), tuple(w for w in words.strip().split("|") if w)))
    return tuple(rows)


@lru_cache(maxsize=1)
def _contrast_rows() -> tuple[tuple[str, ...], ...]:
    rows = []
    for line in (DATA / "contrasts.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(tuple(cell.strip() for cell in line.split("\t")))
    return tuple(rows)


@lru_cache(maxsize=1)
def contrasts() -> dict[str, frozenset[str]]:
    """Word → the words naming its opposite side (出口 → {进口}), both directions."""
    out: dict[str, set[str]] = {}
    for a, b, *_ in _contrast_rows():
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return {k: frozenset(v) for k, v in out.items()}


def contrast_english(word: str) -> str:
    """The English of a contrast word (出口 → 'export'); "" for a word not in the list."""
    for row in _contrast_rows():
        for zh, en in ((row[0], row[2]), (row[1], row[3])) if len(row) >= 4 else ():
            if zh == word:
                return en
    return ""


def section_role(label: str) -> str:
    """The role of a section by its heading path ('' when the heading says nothing about it). The outermost
    heading that says something decides: under "二、实践效果", "（一）构建…解决机制" is a result, not a practice."""
    for part in label.split("›"):
        for role, words in section_roles():
            if any(w in part for w in words):
                return role
    return ""
