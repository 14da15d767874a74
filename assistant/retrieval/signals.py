"""Signals from the catalog rather than from text similarity: cases whose title or provider a question
names, each case's passages, and the lead case's passages retrieval did not return."""

from __future__ import annotations

import re

from assistant.lexicon.names import provider_keys
from assistant.lexicon.wordlists import title_generic_words
from assistant.models import Chunk, Hit

_GENERIC_TITLE_WORDS: re.Pattern[str] | None = None


def _generic_title_words() -> re.Pattern[str]:
    global _GENERIC_TITLE_WORDS
    if _GENERIC_TITLE_WORDS is None:
        words = "|".join(re.escape(w) for w in title_generic_words())
        _GENERIC_TITLE_WORDS = re.compile(rf"{words}|[“”\"\s（）()]")
    return _GENERIC_TITLE_WORDS


def _longest_common(a: str, b: str) -> int:
    """Length of the longest common substring (titles are short; the quadratic scan is cheap)."""
    best = 0
    for i in range(len(a)):
        for j in range(i + best + 1, len(a) + 1):
            if a[i:j] in b:
                best = j - i
            else:
                break
    return best


_DERIVED: dict[tuple[int, str], tuple[list, list, dict]] = {}


def _derived(catalog) -> tuple[list[tuple[str, str]], list[tuple[list[str], str]], dict[str, list[str]]]:
    """Per catalog version, once: title keys, provider keys and each case's chunk ids (a per-query
    scan over every case cost ~45 ms at ×100 the corpus)."""
    key = (id(catalog), catalog.version)
    if key not in _DERIVED:
        titles = [(_generic_title_words().sub("", c.title), c.id) for c in catalog.cases.values() if c.kind == "case"]
        providers = [(provider_keys(c.provider or ""), c.id) for c in catalog.cases.values() if c.kind == "case"]
        chunks_by_case: dict[str, list[str]] = {}
        for cid, ch in catalog.chunks.items():
            chunks_by_case.setdefault(ch.case_id, []).append(cid)
        _DERIVED.clear()
        _DERIVED[key] = (titles, providers, chunks_by_case)
    return _DERIVED[key]


def titled_cases(text: str, catalog) -> list[str]:
    """Case ids whose distinctive title words appear in the text, best match first."""
    query = _generic_title_words().sub("", text)
    scored: list[tuple[float, str]] = []
    for title, case_id in _derived(catalog)[0]:
        if len(title) < 2:
            continue
        common = _longest_common(title, query)
        if common >= 4 or common >= 3 and common == len(title):
            scored.append((common / len(title) + common / 10, case_id))
    return [cid for _, cid in sorted(scored, reverse=True)[:5]]


def provider_cases(text: str, catalog) -> list[str]:
    """Case ids whose provider the text names (四川自贸试验区, 重庆市, 宁波片区 …)."""
    found = [case_id for keys, case_id in _derived(catalog)[1] if any(len(k) >= 2 and k in text for k in keys)]
    return found if len(found) <= 12 else []  # a whole document's worth says nothing about the case


def chunks_of(case_ids: list[str], order: list[str], catalog, allowed: set[str]) -> list[str]:
    """Chunks of the given cases, in the order retrieval ranked them, then the rest of each case."""
    wanted = [c for c in case_ids if c in allowed]
    wanted_set = set(wanted)
    ranked = [cid for cid in dict.fromkeys(order) if catalog.chunks[cid].case_id in wanted_set]
    seen = set(ranked)
    by_case = _derived(catalog)[2]
    rest = [cid for case_id in wanted for cid in by_case.get(case_id, []) if cid not in seen]
    return ranked + rest


def with_lead_case_passages(hits: list[Hit], catalog) -> list[Hit]:
    """The hits followed by the lead case's other passages (score 0.0): the sentence with the figure asked
    for is often in a passage of the right case that retrieval did not return (diversify keeps two per case)."""
    if not hits:
        return hits
    lead = hits[0].case
    have = {h.chunk.id for h in hits}
    extra = [Hit(chunk=catalog.chunks[cid], case=lead, score=0.0)
             for cid in _derived(catalog)[2].get(lead.id, []) if cid not in have]
    return hits + extra




def case_chunks(catalog, case_id: str) -> list[Chunk]:
    """A case's passages in document order."""
    return [catalog.chunks[cid] for cid in _derived(catalog)[2].get(case_id, [])]
