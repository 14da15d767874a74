"""The answer pipeline behind answer() / stream_answer(): condense → route → retrieve → prompt → generate → verify citations → refuse.

Every path returns one Answer; a question that cannot be used raises InvalidQuestion (a ValueError)
with a plain message, and no other exception escapes to the caller.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

from assistant import service
from assistant.answers import catalog as catalog_answers
from assistant.answers import citations, extractive
from assistant.answers.generate import budget, generator_for, messages_for, scrub_prompt_leak
from assistant.config import Settings, get_settings
from assistant.ground.coverage import Coverage, coverage
from assistant.ground.refusal import refusal_text
from assistant.llm.base import BackendError
from assistant.models import Answer, Case, Hit, Retrieved
from assistant.query.normalise import InvalidQuestion, clean_history, validate
from assistant.retrieval.hybrid import RetrievalTrace, case_matches, search
from assistant.retrieval.signals import with_lead_case_passages
from assistant.text import detect_language

__all__ = ["InvalidQuestion", "answer", "stream_answer"]

log = logging.getLogger(__name__)

_MODEL_REFUSAL = re.compile(r"(资料中未找到|未找到相关|没有提到|无法回答|do(?:es)? not cover|not (?:mentioned|covered)|no information)", re.I)


def answer(question: str, history: list[dict] | None = None, *, filters: dict | None = None,
           backend: str | None = None) -> Answer:
    """Answer a Chinese or English question with verified case citations."""
    final: Answer | None = None
    for item in stream_answer(question, history, filters=filters, backend=backend):
        if isinstance(item, Answer):
            final = item
    assert final is not None
    return final


def stream_answer(question: str, history: list[dict] | None = None, *, filters: dict | None = None,
                  backend: str | None = None, yield_sources: bool = False) -> Iterator[str | Retrieved | Answer]:
    """Yield text deltas as they are generated, then the final Answer (and, on request, a Retrieved
    with the evidence passages first)."""
    settings = get_settings()
    started = time.perf_counter()
    cleaned = validate(question)  # raises before anything is generated
    notices: list[str] = []
    limit = settings.ui.max_question_chars
    if len(cleaned) > limit:
        cleaned = cleaned[:limit]
        notices.append(f"问题过长，已截取前{limit}个字符。/ The question was too long; only its first {limit} characters were used.")
    language = detect_language(cleaned)
    backend_name = backend or settings.llm.backend
    base = dict(question=question if isinstance(question, str) else "", language=language, backend=backend_name,
                config_hash=settings.config_hash(backend_name), notices=notices)
    try:
        for item in _pipeline(cleaned, language, clean_history(history), filters, backend_name, settings, base,
                              started):
            if yield_sources or not isinstance(item, Retrieved):
                yield item
    except BackendError as exc:  # pragma: no cover - _pipeline falls back itself; last line of defence
        yield Answer(**base, text=str(exc), refused=True, route="error")


def _pipeline(question: str, language: str, history: list[dict], filters: dict | None, backend_name: str,
              settings: Settings, base: dict, started: float) -> Iterator[str | Retrieved | Answer]:
    timings: dict[str, float] = {}
    index = service.index(settings)
    catalog = index.catalog

    t = time.perf_counter()
    listing = catalog_answers.match_catalog(question, language, [c for c in catalog.cases.values()
                                                       if case_matches(c, filters)], list(catalog.documents.values()))
    timings["route"] = time.perf_counter() - t
    if listing and listing.cases:
        text = catalog_answers.list_cases(language, listing.scope, listing.cases, listing.count_only)
        cites = [catalog_answers.case_citation(i, c, index.catalog) for i, c in enumerate(listing.cases, 1)]
        yield text
        timings["total"] = time.perf_counter() - started
        yield Answer(**base, text=text, citations=cites, route="catalog", standalone_question=question, timings=timings)
        return

    trace = RetrievalTrace()
    hits = search(question, settings.retrieval.k, history, filters, settings=settings, trace=trace)
    timings.update({f"retrieve_{k}": v for k, v in trace.timings.items()})
    timings["retrieve"] = sum(trace.timings.values())
    standalone = trace.query
    cov = coverage(standalone, language, hits, case_text=catalog.case_text, similarity=trace.top_similarity)
    if not hits or not cov.strong:
        yield from _refuse(base, hits, timings, started, standalone, cov)
        return

    generator, fallback_notice = generator_for(backend_name, settings)
    if fallback_notice:
        base["notices"].append(fallback_notice)
    def quoted_evidence() -> Answer:
        evidence = with_lead_case_passages(hits, catalog)
        return _finish(extractive.compose(standalone, language, evidence), evidence, base, timings, started, standalone)

    if generator is None:
        final = quoted_evidence()
        if final.refused:
            yield from _refuse(base, hits, timings, started, standalone)
            return
        yield final.text
        yield final
        return

    focus = extractive.answering_hits(standalone, with_lead_case_passages(hits, catalog))
    evidence_excerpts = budget(standalone, language, focus, settings.llm.evidence_chars)
    evidence = [h for h, _ in evidence_excerpts]
    yield Retrieved(hits=evidence)
    messages = messages_for(question, language, evidence_excerpts, history)
    t = time.perf_counter()
    pieces: list[str] = []
    try:
        for delta in generator.stream(messages, max_tokens=settings.llm.max_tokens):
            if not pieces:
                timings["first_token"] = time.perf_counter() - t
            pieces.append(delta)
            yield delta
    except BackendError as exc:
        log.warning("generator %s failed: %s", backend_name, exc)
        base["notices"].append(f"{exc}（已改用摘录式回答 / showing an extractive answer instead）")
        pieces = []
    timings["generate"] = time.perf_counter() - t
    raw = "".join(pieces).strip()
    if not raw or _MODEL_REFUSAL.search(raw) and len(raw) < 80:
        if raw and not _very_strong(cov):
            yield from _refuse(base, hits, timings, started, standalone)
            return
        # Guard against false refusals (and a failed model): strong evidence gets the extractive answer.
        final = quoted_evidence()
    else:
        final = _finish(raw, evidence, base, timings, started, standalone)
    if not final.refused and detect_language(citations.strip_markers(final.text)) != language:
        # The small model sometimes copies its Chinese sources for an English question: the answer
        # must come in the question's language, so the quoted-evidence frame in that language replaces it.
        base["notices"].append("模型未用提问语言作答，以下为资料原文摘录。/ The model answered in the wrong "
                               "language; showing quoted evidence instead.")
        final = quoted_evidence()
    if final.refused:
        # Nothing the model said could be checked against the sources, yet the evidence covers the
        # question: quoted evidence serves the official better than a refusal.
        base["notices"].append("模型回答无法与资料核对，以下为资料原文摘录。/ The model's answer could not be "
                               "verified against the sources; showing quoted evidence instead.")
        final = quoted_evidence()
        if final.refused:
            yield from _refuse(base, hits, timings, started, standalone)
            return
    yield final


def _very_strong(cov: Coverage) -> bool:
    return cov.strong and cov.best_fraction >= 0.8


def _finish(raw: str, hits: list[Hit], base: dict, timings: dict, started: float, standalone: str) -> Answer:
    t = time.perf_counter()
    raw = scrub_prompt_leak(raw)
    checked, unsupported = citations.check(raw, hits)
    text, cites = citations.render(checked, hits)
    timings["verify"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return Answer(**base, text=text, citations=cites, refused=not cites, unsupported_sentences=unsupported,
                  route="rag", standalone_question=standalone, timings=timings)


def _refuse(base: dict, hits: list[Hit], timings: dict, started: float, standalone: str,
            cov: Coverage | None = None) -> Iterator[str | Answer]:
    closest: list[Case] = list({h.case.id: h.case for h in hits}.values())[:3]
    text = refusal_text(base["language"], cov, closest)
    timings["total"] = time.perf_counter() - started
    yield text
    yield Answer(**base, text=text, refused=True, closest_cases=closest, route="refusal",
                 standalone_question=standalone, timings=timings)


