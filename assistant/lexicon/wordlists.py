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
    """The country-level place list united with the place names of the ingested documents (临港, 钦州港片区…)."""
    return places() | names.places() if names is not None else places()


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
