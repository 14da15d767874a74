"""Rerank: the leading cases reordered by how much of the question each one's passages contain."""

from __future__ import annotations

from assistant.config import RetrievalSettings
from assistant.models import Case, Hit, Query

PREAMBLE_COVERAGE = 0.5  # a preamble lists every case title, so it "contains" every question about them


def rerank_by_coverage(query: Query, hits: list[Hit], settings: RetrievalSettings, unknown_word_weight: float) -> list[Hit]:
    """Reorder the leading cases by how much of the question each one's passages contain.

    Fusion ranks a case by how strongly some passage resembles the question; an official asks about
    the case that contains *all* of it (the urea-hedging case, not the FX-hedging one beside it).
    Measured on the eval set: hit@1 0.85 → 0.92, hit@5 unchanged (cases only move within the top six).
    """
    order = list(dict.fromkeys(h.case.id for h in hits))
    head = order[: settings.rerank_cases]
    fractions = fractions_of(query, evidence_by_case(hits), unknown_word_weight)
    for hit in hits:  # a preamble lists every case title, so it "contains" every question about them
        if hit.case.kind == "preamble":
            fractions[hit.case.id] = PREAMBLE_COVERAGE * fractions.get(hit.case.id, 0.0)
    head.sort(key=lambda c: -(fractions.get(c, 0.0) + settings.rerank_rank_weight / (order.index(c) + 1)))
    position = {case_id: i for i, case_id in enumerate(head + order[settings.rerank_cases :])}
    return sorted(hits, key=lambda h: position[h.case.id])  # stable: a case's passages keep fusion order


def _weight(term: str) -> float:
    return min(len(term), 4) if not term.isascii() else 2.0


def evidence_by_case(hits: list[Hit]) -> dict[str, tuple[Case, str]]:
    by_case: dict[str, tuple[Case, str]] = {}
    for hit in hits:
        case, text = by_case.get(hit.case.id, (hit.case, f"{hit.case.title} {hit.case.provider or ''} "
                                                         f"{hit.case.document_title} {hit.chunk.section}"))
        by_case[hit.case.id] = (case, text + " " + hit.chunk.text)
    return by_case


def fractions_of(query: Query, by_case: dict[str, tuple[Case, str]], unknown_word_weight: float) -> dict[str, float]:
    """Per case, the weighted share of the question's concepts its evidence contains."""
    groups = query.concepts
    weights = query.concept_weights or [1.0] * len(groups)
    # Unknown English words count against coverage: a translation gap must not look like evidence.
    total = sum(w * max(_weight(t) for t in g) for g, w in zip(groups, weights)) + unknown_word_weight * len(query.unknown_words)
    if not total:
        return {case_id: 0.0 for case_id in by_case}  # nothing specific asked: nothing to ground
    places = set(query.place_terms)
    fractions = {}
    for case_id, (case, text) in by_case.items():
        # A document title naming five cities (002's notice) does not put 衢州 into the 湖州 plan.
        own = text.replace(case.document_title, " ")
        found = sum(w * max(_weight(t) for t in g) for g, w in zip(groups, weights)
                    if any(t in (own if t in places else text) for t in g))
        fractions[case_id] = found / total
    return fractions
