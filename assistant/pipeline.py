"""The answer pipeline behind answer() / stream_answer(): condense → route → retrieve → prompt → generate → verify citations → refuse.

Every path returns one Answer; a question that cannot be used raises InvalidQuestion (a ValueError)
with a plain message, and no other exception escapes to the caller.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator

from assistant import citations, extractive, glossary, route, service
from assistant.config import Settings, get_settings
from assistant.evidence import Coverage, coverage
from assistant.language import detect_language, normalise_question
from assistant.llm.base import BackendError
from assistant.models import Answer, Case, Citation, Hit, Retrieved
from assistant.prompts import load as load_prompt
from assistant.retrieval import RetrievalTrace, case_matches, search, with_lead_case_passages

log = logging.getLogger(__name__)

REFUSAL = {
    "zh": "资料中未找到能回答这个问题的内容。",
    "en": "The documents do not cover this.",
}
_MODEL_REFUSAL = re.compile(r"(资料中未找到|未找到相关|没有提到|无法回答|do(?:es)? not cover|not (?:mentioned|covered)|no information)", re.I)


class InvalidQuestion(ValueError):
    """The question cannot be used (empty, not text); the message says so in plain words."""


def _validate(question: object) -> str:
    if not isinstance(question, str):
        raise InvalidQuestion("问题必须是文字 / The question must be text.")
    cleaned = normalise_question(question)
    if not re.search(r"[\w\u4e00-\u9fff]", cleaned):
        raise InvalidQuestion("请输入问题 / Please type a question.")
    return cleaned


def _clean_history(history: object) -> list[dict]:
    if not isinstance(history, list):
        return []
    out = []
    for turn in history[-8:]:
        if isinstance(turn, dict) and turn.get("role") in ("user", "assistant") and isinstance(turn.get("content"), str):
            out.append({"role": turn["role"], "content": normalise_question(turn["content"])[:2000]})
    return out


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
    cleaned = _validate(question)  # raises before anything is generated
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
        for item in _pipeline(cleaned, language, _clean_history(history), filters, backend_name, settings, base,
                              started):
            if yield_sources or not isinstance(item, Retrieved):
                yield item
    except BackendError as exc:  # pragma: no cover - _pipeline falls back itself; last line of defence
        yield Answer(**base, text=str(exc), refused=True, route="error")


def _pipeline(question: str, language: str, history: list[dict], filters: dict | None, backend_name: str,
              settings: Settings, base: dict, started: float) -> Iterator[str | Answer]:
    timings: dict[str, float] = {}
    index = service.index(settings)
    catalog = index.catalog

    t = time.perf_counter()
    listing = route.match_catalog(question, language, [c for c in catalog.cases.values()
                                                       if case_matches(c, filters)], list(catalog.documents.values()))
    timings["route"] = time.perf_counter() - t
    if listing and listing.cases:
        text = extractive.list_cases(language, listing.scope, listing.cases, listing.count_only)
        cites = [_case_citation(i, c, index) for i, c in enumerate(listing.cases, 1)]
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

    generator, fallback_notice = _generator(backend_name, settings)
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
    evidence_excerpts = _budget(standalone, language, focus, settings.llm.evidence_chars)
    evidence = [h for h, _ in evidence_excerpts]
    yield Retrieved(hits=evidence)
    messages = _messages(question, language, evidence_excerpts, history)
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


def _scrub_prompt_leak(raw: str) -> str:
    """Sentences that repeat our instructions never reach the user, whatever the question asked."""
    rules = [load_prompt(f"system_{lang}").text for lang in ("zh", "en")]
    kept = []
    for sentence in citations.split_sentences(raw):
        core = citations.strip_markers(sentence)
        if len(core) >= 8 and any(citations.support(core, rule) >= 0.7 and not citations.numbers_in(core)
                                  for rule in rules):
            continue
        kept.append(sentence)
    return "".join(kept)


def _finish(raw: str, hits: list[Hit], base: dict, timings: dict, started: float, standalone: str) -> Answer:
    t = time.perf_counter()
    raw = _scrub_prompt_leak(raw)
    checked, unsupported = citations.check(raw, hits)
    text, cites = citations.render(checked, hits)
    timings["verify"] = time.perf_counter() - t
    timings["total"] = time.perf_counter() - started
    return Answer(**base, text=text, citations=cites, refused=not cites, unsupported_sentences=unsupported,
                  route="rag", standalone_question=standalone, timings=timings)


def _refuse(base: dict, hits: list[Hit], timings: dict, started: float, standalone: str,
            cov: Coverage | None = None) -> Iterator[str | Answer]:
    closest: list[Case] = list({h.case.id: h.case for h in hits}.values())[:3]
    language = base["language"]
    text = REFUSAL[language] + _unstated(cov, language)
    if closest:
        if language == "zh":
            text += "最接近的案例：" + "；".join(f"《{c.title}》（{c.provider or c.document_title}）" for c in closest) + "。"
        else:
            text += " The closest cases are: " + "; ".join(
                f"“{c.title}” ({extractive.english_name(c.provider) or c.document_title})" for c in closest) + "."
    timings["total"] = time.perf_counter() - started
    yield text
    yield Answer(**base, text=text, refused=True, closest_cases=closest, route="refusal",
                 standalone_question=standalone, timings=timings)


def _unstated(cov: Coverage | None, language: str) -> str:
    """What the question asked for that the closest cases do not give — the official's next lead."""
    if cov is None:
        return ""
    unnamed = [a for a in cov.missing_attributes if a not in cov.unquantified]
    if language == "zh":
        missing = cov.missing_required + [a.chinese for a in unnamed]
        text = f"最相关的案例中未提及：{'、'.join(missing)}。" if missing else ""
        if cov.unquantified:
            text += f"最相关的案例未给出具体数字：{'、'.join(a.chinese for a in cov.unquantified)}。"
        return text
    missing = [glossary.reverse(r) or r for r in cov.missing_required] + [a.phrase for a in unnamed]
    text = f" The best-matching cases do not mention: {', '.join(missing)}." if missing else ""
    if cov.unquantified:
        text += f" They give no figure for: {', '.join(a.phrase for a in cov.unquantified)}."
    return text


def _generator(name: str, settings: Settings):
    """The generator for a backend name, or (None, notice) when falling back to extractive."""
    from assistant.llm.registry import get_generator

    try:
        return get_generator(name, settings), None
    except BackendError as exc:
        if settings.llm.fallback != "extractive":
            raise
        return None, f"{exc}（已改用摘录式回答 / showing an extractive answer instead）"


def _budget(question: str, language: str, hits: list[Hit], chars: int) -> list[tuple[Hit, str]]:
    """3–5 passages cut to their most relevant sentences within the evidence budget.

    Prompt processing runs at ~60 tok/s on 2 cores, so every character of evidence costs time to
    first token; the model sees excerpts, while citations are still checked against whole chunks.
    """
    per_passage = max(160, chars // 4)
    chosen: list[tuple[Hit, str]] = []
    used = 0
    for hit in hits[:5]:
        excerpt = extractive.excerpt(question, language, hit.chunk.text, per_passage)
        if len(chosen) >= 3 and used + len(excerpt) > chars:
            break
        chosen.append((hit, excerpt))
        used += len(excerpt)
    return chosen


def _messages(question: str, language: str, evidence: list[tuple[Hit, str]], history: list[dict]
              ) -> list[dict[str, str]]:
    block = load_prompt("evidence_block")
    blocks = "\n\n".join(
        block.render(n=i, case_title=h.case.title, provider=h.case.provider or "—", text=text).strip()
        for i, (h, text) in enumerate(evidence, 1)
    )
    system = load_prompt(f"system_{language}").render()
    user = load_prompt(f"question_{language}").render(evidence=blocks, question=question)
    messages = [{"role": "system", "content": system}]
    for turn in history[-2:]:
        messages.append({"role": turn["role"], "content": turn["content"][:300]})
    messages.append({"role": "user", "content": user})
    return messages


def _case_citation(n: int, case: Case, index) -> Citation:
    """A catalog answer cites each case by its opening sentence."""
    chunks = [c for c in index.catalog.chunks.values() if c.case_id == case.id]
    first = min(chunks, key=lambda c: c.start) if chunks else None
    quote = ""
    if first:
        quote = re.split(r"(?<=[。！？；])", first.text, maxsplit=1)[0][:200]
    return Citation(n=n, case_id=case.id, case_title=case.title, provider=case.provider,
                    document_title=case.document_title, source_file=case.source_file,
                    section=first.section if first else "", quote=quote, chunk_id=first.id if first else "")
