"""The answer pipeline behind answer() / stream_answer(), one stage after another:

    query     normalise, resolve the follow-up, analyse → Query          (assistant/query/)
    list?     a catalog listing when the question asks for a list         (answers/catalog.py)
    retrieve  hybrid passages → the case(s) → sentences per ask → Evidence (assistant/retrieval/)
    ground    does the evidence state what each ask wants? else refuse     (assistant/ground/)
    answer    compose the sentences (extractive) or have a model rewrite them, each sentence checked
              against its source as it streams, figures in their role       (answers/)

Every path returns one Answer; a question that cannot be used raises InvalidQuestion (a ValueError)
with a plain message, and no other exception escapes to the caller. The text deltas yielded add up to
the final Answer.text exactly: only checked sentences are streamed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Generator as Steps
from collections.abc import Iterator
from dataclasses import dataclass, field

from assistant import service
from assistant.answers import catalog as catalog_answers
from assistant.answers import extractive
from assistant.answers.citations import CheckedSentence, Renderer, SentenceStream, check, check_sentence, strip_markers
from assistant.answers.generate import generator_for, messages_for, repeats_instructions
from assistant.config import Settings, get_settings
from assistant.ground.asks import Misfit, misfits, stated_asks
from assistant.ground.coverage import Coverage, coverage
from assistant.ground.refusal import refusal_text
from assistant.lexicon.names import english_name
from assistant.llm.base import BackendError, Generator
from assistant.models import Answer, Case, Evidence, Hit, Query, Retrieved
from assistant.query import condense
from assistant.query.analyse import build_query
from assistant.query.normalise import InvalidQuestion, clean_history, validate
from assistant.retrieval.evidence import evidence_hits, names_in
from assistant.retrieval.hybrid import RetrievalTrace, case_matches, retrieve_with_evidence
from assistant.text import detect_language, numbers_in, quoted, scaled_values
from store.catalog import Catalog
from store.tokenize import person_names

__all__ = ["InvalidQuestion", "answer", "stream_answer"]

log = logging.getLogger(__name__)

_MODEL_REFUSAL = re.compile(r"(资料中未找到|未找到相关|没有提到|未提及|无法回答|do(?:es)? not (?:cover|mention|state)|"
                            r"not (?:mentioned|covered|stated)|no information)", re.I)


@dataclass
class Turn:
    """One question on its way to an Answer: each stage adds its part, none re-derives an earlier one."""

    question: str  # as the caller gave it
    language: str
    backend: str
    config_hash: str
    started: float
    notices: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    query: Query | None = None
    titles_en: dict[str, str] = field(default_factory=dict)  # case id → English title, for English answers

    def answer(self, text: str, **fields) -> Answer:
        self.timings["total"] = time.perf_counter() - self.started
        return Answer(question=self.question, language=self.language, text=text, backend=self.backend,
                      config_hash=self.config_hash, notices=self.notices, timings=self.timings,
                      standalone_question=self.query.standalone if self.query else "", **fields)

    def timed(self, stage: str, started: float) -> None:
        self.timings[stage] = time.perf_counter() - started


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
    """Yield text deltas as they are checked, then the final Answer (and, on request, a Retrieved with the
    evidence passages first)."""
    settings = get_settings()
    started = time.perf_counter()
    cleaned = validate(question)  # raises before anything is generated
    notices: list[str] = []
    limit = settings.ui.max_question_chars
    if len(cleaned) > limit:
        cleaned = cleaned[:limit]
        notices.append(f"问题过长，已截取前{limit}个字符。/ The question was too long; only its first {limit} characters were used.")
    backend_name = backend or settings.llm.backend
    turn = Turn(question if isinstance(question, str) else "", detect_language(cleaned), backend_name,
                settings.config_hash(backend_name), started, notices)
    try:
        for item in _run(turn, cleaned, clean_history(history), filters, settings):
            if yield_sources or not isinstance(item, Retrieved):
                yield item
    except BackendError as exc:  # pragma: no cover - _run falls back itself; last line of defence
        yield turn.answer(str(exc), refused=True, route="error")


def _run(turn: Turn, cleaned: str, history: list[dict], filters: dict | None,
         settings: Settings) -> Iterator[str | Retrieved | Answer]:
    index = service.index(settings)
    catalog = index.catalog
    cases = [c for c in catalog.cases.values() if case_matches(c, filters)]

    generator, fallback_notice = generator_for(turn.backend, settings)
    if fallback_notice:
        turn.notices.append(fallback_notice)
    t = time.perf_counter()
    names = service.names(settings)
    query = turn.query = build_query(cleaned, turn.language, history, list(catalog.cases.values()), names,
                                     settings.retrieval.dictionary_weight)
    resolved = query
    if query.follow_up and generator is not None:
        # A generator is at hand: it rewrites the follow-up into a standalone question; the rule-based
        # resolution keeps the conversation's case either way.
        rewritten = condense.rewrite(cleaned, history, turn.language, generator)
        if rewritten:
            again = build_query(rewritten, turn.language, None, list(catalog.cases.values()), names,
                                settings.retrieval.dictionary_weight)
            query = turn.query = again.model_copy(update={
                "question": query.question, "follow_up": True, "carried_cases": query.carried_cases,
                "previous_question": query.previous_question,
                "asks": again.asks if len(again.asks) >= len(query.asks) else query.asks})
    turn.timed("query", t)

    t = time.perf_counter()
    listing = catalog_answers.match_catalog(query, cases, list(catalog.documents.values()))
    turn.timed("route", t)
    # English answers name each case in English too (its card), beside the Chinese title the sources quote.
    turn.titles_en = ({cid: card.title_en for cid, card in service.cards(settings).cards.items()}
                      if turn.language == "en" else {})
    if listing and listing.cases:
        text = catalog_answers.list_cases(turn.language, listing.scope, listing.cases, listing.count_only,
                                          turn.titles_en)
        yield text
        yield turn.answer(text, citations=[catalog_answers.case_citation(i, c, catalog)
                                           for i, c in enumerate(listing.cases, 1)], route="catalog")
        return

    hits, evidence, cov, stated, found = _ground(turn, query, filters, catalog, settings)
    if (not hits or not cov.strong or not any(stated)) and resolved is not query:
        # The model's rewrite can bring words the documents do not use ("费用" for 成本); the rule-based
        # resolution (the previous question and case beside this one) is grounded before refusing.
        query = turn.query = resolved
        hits, evidence, cov, stated, found = _ground(turn, query, filters, catalog, settings)
    if not hits or not cov.strong or not any(stated):
        yield from _refuse(turn, hits, cov, query, stated, found)
        return

    ev_hits, numbers = evidence_hits(evidence, catalog)
    keep = [i for i, s in enumerate(evidence.sentences)
            if numbers[i] and (not s.asks or any(stated[k] for k in s.asks))]
    yield Retrieved(hits=ev_hits)
    if generator is not None:
        final = yield from _generate(turn, generator, evidence, keep, numbers, ev_hits, stated, history, settings)
        if final is not None:
            yield final
            return
    final = _extractive(turn, evidence, stated, numbers, ev_hits)
    if final.refused:
        yield from _refuse(turn, hits, cov, query, stated, found)
        return
    yield final.text
    yield final


def _ground(turn: Turn, query: Query, filters: dict | None, catalog: Catalog, settings: Settings
            ) -> tuple[list[Hit], Evidence, Coverage, list[bool], list[Misfit | None]]:
    """Retrieval, the evidence for each ask, whether the documents state it, and what they state instead."""
    trace = RetrievalTrace()
    hits, evidence = retrieve_with_evidence(query, settings.retrieval.k, filters, settings=settings, trace=trace)
    turn.timings.update({f"retrieve_{k}": v for k, v in trace.timings.items() if k != "evidence"})
    turn.timings["retrieve"] = sum(v for k, v in trace.timings.items() if k != "evidence")
    turn.timings["evidence"] = trace.timings.get("evidence", 0.0)
    cov = coverage(query, hits, settings.ground, case_text=catalog.case_text, similarity=trace.top_similarity,
                   off_topic_similarity=settings.off_topic_similarity())
    found = misfits(query, evidence, catalog.case_text)
    return hits, evidence, cov, stated_asks(query, evidence, settings.ground, found), found


def _extractive(turn: Turn, evidence: Evidence, stated: list[bool], numbers: list[int], hits: list[Hit]) -> Answer:
    assert turn.query is not None
    t = time.perf_counter()
    raw = extractive.compose(turn.query, evidence, stated, numbers, hits, turn.titles_en)
    checked, _ = check(raw, hits)
    renderer = Renderer(hits, titles_en=turn.titles_en)
    for sentence in checked:
        renderer.add(sentence)
    if renderer.citations:
        for _ in _unstated(turn.query, stated, evidence, renderer):
            pass
    turn.timed("verify", t)
    return turn.answer(renderer.text.strip(), citations=renderer.citations, refused=not renderer.citations,
                       unsupported_sentences=renderer.unsupported, route="rag")


def _generate(turn: Turn, generator: Generator, evidence: Evidence, keep: list[int], numbers: list[int],
              hits: list[Hit], stated: list[bool], history: list[dict], settings: Settings
              ) -> Steps[str, None, Answer | None]:
    """Stream the model's answer sentence by sentence, each checked against its source before it is shown;
    then add, quoted, any figure asked for that the model left out. None when the model's answer cannot be
    used at all (nothing shown yet): the caller answers extractively instead."""
    assert turn.query is not None
    query = turn.query
    messages = messages_for(query, evidence, keep, numbers, hits, history, settings.llm.evidence_chars)
    stream, renderer = SentenceStream(), Renderer(hits, titles_en=turn.titles_en)
    lead = _lead(query, evidence.cases[0], turn.titles_en) if evidence.cases else ""
    t = time.perf_counter()
    produced = False
    try:
        pieces = generator.stream(messages, max_tokens=settings.llm.max_tokens)
        try:
            for delta in pieces:
                if not produced:
                    turn.timings["first_token"] = time.perf_counter() - t
                    produced = True
                for raw in stream.feed(delta):
                    verdict = _accept(raw, hits, renderer, turn, lead)
                    if verdict is None:
                        return None
                    if verdict:
                        yield verdict
            for raw in stream.close():
                verdict = _accept(raw, hits, renderer, turn, lead)
                if verdict is None:
                    return None
                if verdict:
                    yield verdict
        finally:
            close = getattr(pieces, "close", None)
            if close:
                close()
    except BackendError as exc:
        log.warning("generator %s failed: %s", turn.backend, exc)
        turn.notices.append(f"{exc}（已改用摘录式回答 / showing an extractive answer instead）")
        if not renderer.text:
            return None
    turn.timed("generate", t)
    if not renderer.citations:
        if renderer.text:  # pragma: no cover - framing only; cannot happen once a claim is rendered
            return None
        turn.notices.append("模型回答无法与资料核对，以下为资料原文摘录。/ The model's answer could not be "
                            "verified against the sources; showing quoted evidence instead.")
        return None
    yield from _missing_figures(query, evidence, keep, numbers, hits, stated, renderer)
    yield from _unstated(query, stated, evidence, renderer)
    return turn.answer(renderer.text.strip(), citations=renderer.citations, unsupported_sentences=renderer.unsupported,
                       route="rag")


def _accept(raw: str, hits: list[Hit], renderer: Renderer, turn: Turn, lead: str = "") -> str | None:
    """The text one model sentence adds after checking: '' when dropped, None when the whole answer must go
    (a refusal or the wrong language before anything was shown). The first accepted sentence comes after the
    lead line naming the case."""
    core = strip_markers(raw)
    if not core or repeats_instructions(raw):
        return ""
    if len(core) >= 6 and detect_language(core) != turn.language:
        if not renderer.text:
            turn.notices.append("模型未用提问语言作答，以下为资料原文摘录。/ The model answered in the wrong "
                                "language; showing quoted evidence instead.")
            return None
        return ""
    if _MODEL_REFUSAL.search(core) and len(core) < 80:
        # The evidence states what was asked (the ground stage checked): a model's refusal is a false one.
        return None if not renderer.text else ""
    checked = check_sentence(raw, hits)
    if not checked:
        return ""
    opening = ""
    if lead and not renderer.text and (checked.cited or not checked.unsupported):
        opening = renderer.add(CheckedSentence(lead, break_after=True))
    return opening + renderer.add(checked)


def _unstated(query: Query, stated: list[bool], evidence: Evidence, renderer: Renderer) -> Iterator[str]:
    """After the answer, a line naming what the question asked and the documents do not state."""
    for line in extractive.unstated_lines(query, stated, evidence):
        yield renderer.newline() + renderer.add(CheckedSentence(line))


def _missing_figures(query: Query, evidence: Evidence, keep: list[int], numbers: list[int], hits: list[Hit],
                     stated: list[bool], renderer: Renderer) -> Iterator[str]:
    """Each stated ask that wants a figure, a date or a name gets one: when the model's answer has none of those
    its sentences state, the sentences are added verbatim with their citations."""
    added: set[int] = set()
    for k, ask in enumerate(query.asks):
        if not (k < len(stated) and stated[k] and ask.wants != "text"):
            continue
        idx = [i for i in keep if k in evidence.sentences[i].asks and i not in added]
        # A sentence can answer two asks ("283家企业…，数据5.42亿条"): the model's keeping one of its figures
        # does not show it kept the other, so each sentence whose figures the answer lacks is quoted.
        idx = [i for i in idx if _lacks(renderer.text, evidence.sentences[i].text, ask.wants)]
        for i in idx:
            added.add(i)
            sentence = evidence.sentences[i].text
            line = f"资料原文：{sentence}[{numbers[i]}]" if query.language == "zh" else f"The source says: “{sentence}” [{numbers[i]}]"
            checked = check_sentence(line, hits)
            if checked and checked.cited:
                yield renderer.newline() + renderer.add(checked)


def _lacks(answer_text: str, sentence: str, wants: str) -> bool:
    """Whether an answer leaves out something the sentence states for an ask of this kind: a name, or a figure —
    '5万件' counts as kept when the answer says 50,000 or 5万, not when it only says 30万."""
    if wants in ("name", "person"):
        tokens = _answer_tokens(sentence, wants)
        return bool(tokens) and not all(t in answer_text for t in tokens)
    plain = numbers_in(answer_text)
    values = scaled_values(answer_text) | {float(n) for n in plain if n.replace(".", "", 1).isdigit()}
    return any(n not in plain and n not in answer_text for n in numbers_in(sentence)) or any(
        all(abs(v - w) > 1e-6 * max(v, 1.0) for w in values) for v in scaled_values(sentence))


def _answer_tokens(sentence: str, wants: str) -> set[str]:
    """What in a sentence answers an ask of this kind: its figures (dates too), or the names it states."""
    if wants in ("name", "person"):
        return set(names_in(sentence)) | (set(person_names(sentence)) if wants == "person" else set())
    return numbers_in(sentence)


def _lead(query: Query, case: Case, titles_en: dict[str, str]) -> str:
    """The line a generated answer opens with: which case it is from (the model tends to leave that out)."""
    if query.language == "zh":
        return f"根据《{case.title}》" + (f"（{case.provider}）" if case.provider else "") + "："
    english = titles_en.get(case.id)
    named = f"{quoted(case.title)} ({english})" if english else quoted(case.title)
    return f"From the case {named}" + (f", provided by {english_name(case.provider)}" if case.provider else "") + ":"


def _refuse(turn: Turn, hits: list[Hit], cov: Coverage | None, query: Query | None,
            stated: list[bool] | None = None, misfit: list[Misfit | None] | None = None) -> Iterator[str | Answer]:
    closest: list[Case] = list({h.case.id: h.case for h in hits}.values())[:3]
    text = refusal_text(turn.language, cov, closest, query, stated, misfit)
    yield text
    yield turn.answer(text, refused=True, closest_cases=closest, route="refusal")
