"""An English question as groups of Chinese alternatives, one group per concept, for a Chinese corpus.

Three sources, in this order of trust: the domain glossary (phrases a dictionary lacks: 保税燃料油,
中欧班列), the documents' own proper nouns found by their pinyin ("Qinzhou Port Area" → 钦州港片区), and
CC-CEDICT for every other word ("container" → 集装箱). Question framing and stop words are skipped; the
words nothing could translate are returned so the caller can count them against coverage.
"""

from __future__ import annotations

import re

from assistant.lexicon import dictionary, glossary
from assistant.lexicon.propernouns import NameIndex, split_suffix
from assistant.lexicon.wordlists import english_stopwords, generic_terms

_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:\.\d+)?")
_BREAK = re.compile(r"[^\sA-Za-z'’\-]")  # punctuation ends a phrase: "ports, containers" is two concepts
_MAX_PHRASE = 3
_MAX_ALTERNATIVES = 4
# Suffixes the documents write either way: 杭州综保区 / 杭州综合保税区.
_SAME_SUFFIX = (("综合保税区", "综保区"), ("自由贸易试验区", "自贸试验区", "自贸区"))


def english_terms(question: str, names: NameIndex | None) -> tuple[list[list[str]], list[str]]:
    """(groups of Chinese alternatives, one per English concept: glossary phrases first, then the
    documents' proper names, then dictionary words and phrases; English words nothing could translate)."""
    groups, _, unknown = english_concepts(question, names)
    return groups, unknown


def english_concepts(question: str, names: NameIndex | None) -> tuple[list[list[str]], list[str], list[str]]:
    """english_terms() with where each group came from ("glossary", "name" or "dictionary"), so a caller can
    trust a dictionary sense less than a domain term or a name the documents use."""
    question = re.sub(r"[‐‑‒–—―]", "-", question)  # "China–Europe" as the glossary writes it
    taken = [False] * len(question)
    glossary_spans = glossary.spans(question)
    name_spans = names.find_spans(question) if names is not None else []
    # A name wins over the glossary phrases inside it ("Qinzhou Port Area" is one name, not port + area),
    # a glossary phrase as long as the name wins over it ("Yellow River" → 黄河流域|黄河, the domain's use).
    kept_names: list[tuple[int, int, str]] = []
    for start, end, name in name_spans:
        inside = [g for g in glossary_spans if g[0] < end and start < g[1]]
        if any(_words(question[g[0] : g[1]]) >= _words(question[start:end]) for g in inside):
            continue
        glossary_spans = [g for g in glossary_spans if g not in inside]
        kept_names.append((start, end, name))
    glossary_groups: list[list[str]] = []
    for start, end, _, terms in sorted(glossary_spans):
        taken[start:end] = [True] * (end - start)
        glossary_groups.append(list(terms))
    name_groups: list[list[str]] = []
    for start, end, name in kept_names:
        taken[start:end] = [True] * (end - start)
        if names is not None:
            # "Liangjiang Area" spells both 两江新区 and 两江片区: the same place with either suffix is meant (but not
            # 泰州 for 台州, another place spelled the same).
            split = split_suffix(name)  # only a name written with its suffix ("Area"), not a bare "Zhejiang"
            spelled = [name] + ([n for n in names.lookup(question[start:end])
                                 if n != name and (split_suffix(n) or ("",))[0] == split[0]] if split else [])
            name_groups.append(list(dict.fromkeys(t for n in spelled[:3] for t in _name_group(n, names)))[
                : _MAX_ALTERNATIVES + 2])
    word_groups, unknown = _dictionary_groups(question, taken, names)
    groups: list[list[str]] = []
    sources: list[str] = []
    for source, found in (("glossary", glossary_groups), ("name", name_groups), ("dictionary", word_groups)):
        for group in found:
            if group and group not in groups:
                groups.append(group)
                sources.append(source)
    return groups, sources, unknown


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _name_group(chinese: str, names: NameIndex) -> list[str]:
    """The name, the same name with the other suffix the documents use, and the longer names it is part
    of (两江 → 两江新区)."""
    group = [chinese]
    split = split_suffix(chinese)
    for same in _SAME_SUFFIX:
        if split and split[1] in same:
            group.extend(split[0] + other for other in same if other != split[1])
    noun = names.names().get(chinese)
    if noun is not None and noun.parts:
        group.append(noun.parts[-1])  # 重庆两江新区 → 两江新区
    group.extend(names.longer_names(chinese, limit=2))
    return list(dict.fromkeys(group))[: _MAX_ALTERNATIVES + 1]


def _dictionary_groups(question: str, taken: list[bool], names: NameIndex | None) -> tuple[list[list[str]], list[str]]:
    skip = english_stopwords() | generic_terms()
    groups: list[list[str]] = []
    unknown: list[str] = []
    for run in _runs(question, taken):
        i = 0
        while i < len(run):
            word = run[i]
            if word.lower() in skip or word[0].isdigit():
                i += 1
                continue
            phrase = _phrase_at(run, i, skip, names)
            if phrase:
                size, group = phrase
                groups.append(group)
                i += size
                continue
            group = _word_group(word, names)
            if group:
                groups.append(group)
            elif len(word) >= 3 and word.lower() not in unknown:
                unknown.append(word.lower())
            i += 1
    return groups, unknown


def _runs(question: str, taken: list[bool]) -> list[list[str]]:
    """Untaken words in runs that no glossary phrase, name or punctuation interrupts."""
    runs: list[list[str]] = [[]]
    last_end = 0
    for m in _WORD.finditer(question):
        between = question[last_end : m.start()]
        if any(taken[m.start() : m.end()]) or _BREAK.search(between) or any(taken[last_end : m.start()]):
            runs.append([])
        if not any(taken[m.start() : m.end()]):
            runs[-1].append(m.group().replace("’", "'"))
        last_end = m.end()
    return [r for r in runs if r]


def _phrase_at(run: list[str], i: int, skip: frozenset[str], names: NameIndex | None) -> tuple[int, list[str]] | None:
    """The longest phrase starting at run[i] that a dictionary gloss IS ("customs clearance" → 清关)."""
    for size in range(min(_MAX_PHRASE, len(run) - i), 1, -1):
        words = run[i : i + size]
        if words[-1].lower() in skip:
            continue
        matches = [m.chinese for m in dictionary.lookup(" ".join(words), limit=12) if m.exact]
        group = _alternatives(matches, names)
        if group:
            return size, group
    return None


def _word_group(word: str, names: NameIndex | None) -> list[str]:
    """A word's headwords: those whose gloss is the word, else those whose short gloss contains it."""
    matches = dictionary.lookup(word, limit=16)
    exact = _alternatives([m.chinese for m in matches if m.exact], names)
    return exact or _alternatives([m.chinese for m in matches if m.tier == 2 and len(m.gloss.split()) <= 3], names)


def _alternatives(chinese: list[str], names: NameIndex | None) -> list[str]:
    """The headwords worth searching for: those the documents use when an index says so (a translation
    no document contains finds nothing), multi-character ones before a lone character (库 matches anywhere)."""
    if names is not None:
        chinese = [c for c in chinese if names.uses(c)]
    longer = [c for c in chinese if len(c) > 1]
    return (longer or chinese)[:_MAX_ALTERNATIVES]


def content_words(question: str) -> list[str]:
    """An English question's own content words, normalised as dictionary glosses are (question framing, stop
    words and figures left out): "How much did the shared warehouse save importers?" → shared, warehouse, save,
    importer."""
    skip = english_stopwords() | generic_terms()
    words = [w for w in dictionary.english_words(question) if w not in skip and not w[0].isdigit() and len(w) > 1]
    return list(dict.fromkeys(words))
