"""What a question asks: its concepts (as groups of Chinese alternatives), the places, years, batches and
quoted names a case must state, and the attributes it asks for (a rate, a cost, a headcount…)."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon import glossary
from assistant.lexicon.wordlists import Attribute, attributes, english_stopwords, generic_terms, places
from store.tokenize import tokenize

YEAR = re.compile(r"(?:19|20)\d{2}")
# Editions: 第二批 is not the 第一批 the corpus has, and a 2.0版 list is not its 1.0.
BATCH = re.compile(r"第[一二三四五六七八九十\d]+[批版期]|\d+\.\d+\s*版")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")


def gazetteer() -> frozenset[str]:
    """Provinces and cities questions name, whether or not the corpus does (温州 is a near-miss)."""
    return places()


def key_terms(question: str, language: str) -> tuple[list[str], list[str]]:
    """(content terms, required terms) of a question, in Chinese where the evidence is Chinese."""
    groups, _ = term_groups(question, language)
    return terms_and_required(question, groups)


def terms_and_required(question: str, groups: list[list[str]]) -> tuple[list[str], list[str]]:
    terms = list(dict.fromkeys(t for g in groups for t in g))
    required = [p for p in gazetteer() if p in question or p in terms]
    required = [r for r in required if not any(r != o and r in o for o in required)]
    required += YEAR.findall(question) + _QUOTED.findall(question)
    required += BATCH.findall(question) + [t for t in terms if BATCH.fullmatch(t)]
    return terms, list(dict.fromkeys(required))


def term_groups(question: str, language: str) -> tuple[list[list[str]], list[str]]:
    """Concepts of a question as groups of alternatives, and English words no glossary entry knows."""
    generic, stop = generic_terms(), english_stopwords()
    if language == "en":
        groups, rest = glossary.expand_groups(question)
        groups = [[t for t in g if t not in generic] for g in groups]
        groups = [g for g in groups if g]
        groups += [[a] for a in re.findall(r"\b[A-Z]{2,}[A-Z0-9]*\b", question) if a.lower() not in generic]
        unknown = [w for w in re.findall(r"[a-z]{3,}", rest) if w not in stop and w not in generic]
        return groups, list(dict.fromkeys(unknown))
    tokens = [t for t in tokenize(question) if t not in generic and (len(t) >= 2 or t.isdigit())]
    return [[t] for t in dict.fromkeys(tokens)], []




# ---------------------------------------------------------------- asked-for attributes
# Near-miss questions name real cases and ask for something those cases never state ("what coupon rate
# did Hainan's blue bond pay?"); what the question asks for is checked against the evidence in ground/.

# How much / how many, in either language: the answer must be a figure.
_WANTS_FIGURE = re.compile(r"多少|几[个家项名人次年天倍]|多大|多高|多长|多久|比例|比重|how (?:many|much)|what (?:\w+ )?"
                           r"(?:rate|price|cost|amount|share|percentage|number|value|size)|at what price", re.I)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], Attribute]]:
    return [(re.compile(rf"(?<![a-z]){re.escape(a.phrase)}(?:s|es)?(?![a-z])"), a) for a in attributes()]


def asked(question: str, language: str) -> list[Attribute]:
    """Attributes the question asks for (each concept once, the most specific phrase winning)."""
    found: list[Attribute] = []
    if language == "en":
        text = glossary.names_removed(question)
        for pattern, attribute in _patterns():
            if pattern.search(text):
                text = pattern.sub(" ", text)
                found.append(attribute)
    else:
        for attribute in sorted(attributes(), key=lambda a: -len(a.chinese)):
            if attribute.chinese in question and not any(attribute.chinese in a.chinese for a in found):
                found.append(attribute)  # 票面利率 asked: 利率 is part of it, not a second attribute
    return list({a.chinese: a for a in found}.values())


# "建成多少个公共海外仓" counts 海外仓s: the thing counted is asked for as much as any listed attribute.
# (English "how many X" is left to the listed attributes: glossary terms for X are too coarse to tell
# whether a sentence counts X — "298艘次 remote re-inspections" names no 船舶.)
# The counted noun ends the clause; "多少件提升到了…" is a verb phrase, not a noun.
_COUNTED_ZH = re.compile(r"(?:多少|几)[个家项名位条座所只辆艘列次件]((?:(?![多少几到至为了是和与及])[\u4e00-\u9fff]){2,8})"
                         r"(?=[？?，,。；、]|的|和|与|$)")


def counted(question: str, language: str) -> list[Attribute]:
    """What a Chinese how-many question counts, named by its head noun (公共海外仓 → 海外仓)."""
    if language != "zh":
        return []
    found = []
    for noun in _COUNTED_ZH.findall(question):
        words = tokenize(noun.split("的")[0])
        head = words[-1] if words and len(words[-1]) >= 2 else "".join(words[-2:])
        if len(head) >= 2:
            found.append(Attribute(head, (head,)))
    return found


def wants_figure(question: str) -> bool:
    return bool(_WANTS_FIGURE.search(question))


