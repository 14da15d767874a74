"""Hybrid retrieval: dense (Chroma) + jieba BM25, fused by weighted reciprocal rank, diversified by case.

BM25 only runs on Chinese text: for English questions it runs on the glossary's Chinese expansion
(and on acronyms/figures such as RCEP, FTF, SPV), because naive fusion of English BM25 lowers recall.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Literal

from assistant import service
from assistant.config import Settings, get_settings
from assistant.models import Case, Evidence, Hit, Query
from assistant.query.analyse import build_query
from assistant.query.normalise import normalise_question
from assistant.retrieval.evidence import evidence_hits, select
from assistant.retrieval.fusion import diversify, weighted_rrf
from assistant.retrieval.rerank import rerank_by_coverage
from assistant.retrieval.signals import chunks_of, provider_cases, titled_cases
from assistant.text import detect_language, has_chinese
from store.embeddings import get_embedding

Mode = Literal["hybrid", "dense", "bm25"]
_ACRONYM_OR_FIGURE = re.compile(r"\b(?:[A-Z]{2,}[A-Z0-9]*|\d{3,}(?:\.\d+)?)\b")
MAX_QUERY_CHARS = 500


@dataclass
class RetrievalTrace:
    """What retrieval did, for answer timings and the benchmarks."""

    query: str = ""
    language: str = "zh"
    expansion: list[str] = field(default_factory=list)
    carried_cases: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    top_similarity: float | None = None  # cosine of the question to its nearest passage (dense modes)
    vector: list[float] | None = None  # the question's embedding (dense modes), reused for evidence


def case_matches(case: Case, filters: dict | None) -> bool:
    if not filters:
        return True
    files = filters.get("source_file") or []
    providers = filters.get("provider") or []
    if isinstance(files, str):
        files = [files]
    if isinstance(providers, str):
        providers = [providers]
    if files and case.source_file not in files:
        return False
    if providers and not any(p and p in (case.provider or "") for p in providers):
        return False
    return True


def search(query: Query, k: int | None = None, filters: dict | None = None, *, mode: Mode = "hybrid",
           settings: Settings | None = None, trace: RetrievalTrace | None = None) -> list[Hit]:
    """The k best passages for an analysed question, diversified by case (hybrid, or one retriever alone)."""
    settings = settings or get_settings()
    cfg = settings.retrieval
    k = k or cfg.k
    trace = trace if trace is not None else RetrievalTrace()
    index = service.index(settings)
    catalog = index.catalog
    if not catalog.chunks:
        return []
    text = query.standalone[:MAX_QUERY_CHARS]
    language = query.language
    expansion = query.expansion
    trace.query, trace.language, trace.expansion = text, language, expansion
    carried = query.carried_cases or _previous_lead_case(query, filters, settings)
    trace.carried_cases = carried

    allowed = {cid for cid, c in catalog.cases.items() if case_matches(c, filters)}
    where = None
    if filters and filters.get("source_file"):
        files = filters["source_file"]
        where = {"source_file": {"$in": [files] if isinstance(files, str) else list(files)}}
    n = cfg.candidates if not filters else max(cfg.candidates, len(catalog.chunks))
    rankings: list[tuple[float, list[str]]] = []

    def live(pairs: list[tuple[str, float]]) -> list[str]:
        return [cid for cid, _ in pairs if cid in catalog.chunks and catalog.chunks[cid].case_id in allowed][: cfg.candidates]

    if mode in ("hybrid", "dense"):
        t = time.perf_counter()
        embedder = get_embedding(settings.embedding.model, settings.embedding.threads)
        vector = embedder.get_query_embedding(text)
        trace.vector = vector
        trace.timings["embed"] = time.perf_counter() - t
        t = time.perf_counter()
        nearest = index.vectors.query(vector, n, where)
        trace.top_similarity = nearest[0][1] if nearest else None
        rankings.append((cfg.dense_weight, live(nearest)))
        if expansion and mode == "hybrid":
            zh_vector = embedder.get_query_embedding(" ".join(expansion))
            rankings.append((cfg.expansion_dense_weight, live(index.vectors.query(zh_vector, n, where))))
        trace.timings["dense"] = time.perf_counter() - t

    if mode in ("hybrid", "bm25"):
        t = time.perf_counter()
        bm25 = index.bm25()
        if has_chinese(text) or mode == "bm25":
            weight = cfg.bm25_weight_zh if language == "zh" else max(cfg.bm25_weight_en, 0.5 if mode == "bm25" else 0)
            rankings.append((weight, live(bm25.search(text, n))))
        if expansion:
            rankings.append((cfg.glossary_weight, live(bm25.search(" ".join(expansion), n))))
        tokens = _ACRONYM_OR_FIGURE.findall(text) if language == "en" else []
        if tokens:
            rankings.append((cfg.acronym_weight, live(bm25.search(" ".join(tokens), n))))
        trace.timings["bm25"] = time.perf_counter() - t

    t = time.perf_counter()
    if mode == "hybrid" and rankings:
        # Named cases and providers: a question quoting a title or naming a zone points at its cases.
        order = rankings[0][1] + [c for _, ids in rankings[1:] for c in ids]
        named_text = text + " " + " ".join(expansion)
        title_weight = cfg.title_weight if language == "zh" else cfg.title_weight_en
        for weight, case_ids in ((title_weight, titled_cases(named_text, catalog)),
                                 (cfg.provider_weight, provider_cases(named_text, catalog))):
            if case_ids:
                rankings.append((weight, chunks_of(case_ids, order, catalog, allowed)[: cfg.candidates]))
    if mode == "hybrid" and language == "en" and cfg.card_weight:
        # English case cards: the question against each case's English title, gist and names.
        card_index = service.cards(settings)
        n_cards = cfg.candidates // 4
        order = [c for _, ids in rankings for c in ids]
        for case_ids in (card_index.dense(trace.vector, n_cards), card_index.lexical(text, n_cards)):
            if case_ids:
                rankings.append((cfg.card_weight, chunks_of(case_ids, order, catalog, allowed)[: cfg.candidates]))
    if carried:
        # A follow-up keeps talking about the cases of the previous turn.
        chunks = [cid for cid, ch in catalog.chunks.items() if ch.case_id in carried]
        rankings.append((cfg.carried_weight, [c for c in chunks if catalog.chunks[c].case_id in allowed][: cfg.candidates]))
    fused = weighted_rrf(rankings, k=cfg.rrf_k)
    ranked = sorted(fused, key=lambda cid: -fused[cid])
    group = {cid: catalog.chunks[cid].case_id for cid in ranked}
    chosen = diversify(ranked, group, k, cfg.max_per_case)
    per_retriever = {name: {cid: 1.0 / (cfg.rrf_k + r) for r, cid in enumerate(ids, 1)}
                     for name, (_, ids) in zip((f"r{i}" for i in range(len(rankings))), rankings)}
    hits = [
        Hit(chunk=catalog.chunks[cid], case=catalog.cases[catalog.chunks[cid].case_id], score=fused[cid],
            scores={name: s[cid] for name, s in per_retriever.items() if cid in s})
        for cid in chosen
    ]
    if mode == "hybrid":
        hits = rerank_by_coverage(query, hits, cfg, settings.ground.unknown_word_weight)
    trace.timings["fusion"] = time.perf_counter() - t
    return hits


def _previous_lead_case(query: Query, filters: dict | None, settings: Settings) -> list[str]:
    """A follow-up whose previous answer named no case: the case the previous question leads to."""
    if not query.follow_up or not query.previous_question:
        return []
    previous = analyse_text(query.previous_question, None, settings)
    if previous is None:
        return []
    hits = search(previous, 3, filters, settings=settings)
    return [hits[0].case.id] if hits else []


def analyse_text(question: object, history: list[dict] | None, settings: Settings | None = None) -> Query | None:
    """The Query of a raw question (None when it has nothing to search for)."""
    settings = settings or get_settings()
    text = normalise_question(question if isinstance(question, str) else "")[:MAX_QUERY_CHARS]
    if not re.search(r"[\w\u4e00-\u9fff]", text):
        return None
    catalog = service.index(settings).catalog
    return build_query(text, detect_language(text), history, list(catalog.cases.values()), service.names(settings),
                       settings.retrieval.dictionary_weight)


def search_text(question: str, k: int | None = None, history: list[dict] | None = None, filters: dict | None = None,
                *, mode: Mode = "hybrid", settings: Settings | None = None,
                trace: RetrievalTrace | None = None) -> list[Hit]:
    """search() from a raw question and its history (what the evals, baselines and benchmarks call)."""
    t = time.perf_counter()
    query = analyse_text(question, history, settings)
    if trace is not None:
        trace.timings["query"] = time.perf_counter() - t
    return search(query, k, filters, mode=mode, settings=settings, trace=trace) if query else []


def retrieve_with_evidence(query: Query, k: int | None = None, filters: dict | None = None, *,
                           settings: Settings | None = None, trace: RetrievalTrace | None = None
                           ) -> tuple[list[Hit], Evidence]:
    """search(), then the sentences that answer each ask inside the chosen case(s); the passages holding those
    sentences lead the hits (retrieval found the case, the answer is in a particular passage of it)."""
    settings = settings or get_settings()
    trace = trace if trace is not None else RetrievalTrace()
    hits = search(query, k, filters, settings=settings, trace=trace)
    t = time.perf_counter()
    index = service.index(settings)
    evidence = select(query, hits, index, settings.evidence, settings.embedding.model, trace.vector)
    answering, numbers = evidence_hits(evidence, index.catalog)
    # The passages of each ask's best sentence first, then those of the other evidence sentences; still
    # diversified: the answering case may give lead_case_passages, any other case max_per_case.
    best = [numbers[f.sentence] for f in evidence.findings if f.sentence is not None and numbers[f.sentence]]
    order = list(dict.fromkeys(best + [n for n in numbers if n]))
    per_case: dict[str, int] = {}
    ranked: list[Hit] = []
    for hit in [answering[n - 1] for n in order] + hits:
        cap = settings.retrieval.lead_case_passages if evidence.cases and hit.case.id == evidence.cases[0].id \
            else settings.retrieval.max_per_case
        if hit.chunk.id in {h.chunk.id for h in ranked} or per_case.get(hit.case.id, 0) >= cap:
            continue
        ranked.append(hit)
        per_case[hit.case.id] = per_case.get(hit.case.id, 0) + 1
    hits = ranked
    trace.timings["evidence"] = time.perf_counter() - t
    return hits[: k or settings.retrieval.k], evidence


def retrieve(question: str, k: int = 8, history: list[dict] | None = None, filters: dict | None = None) -> list[Hit]:
    """The k best passages for a Chinese or English question: those that answer it first, then the rest of
    hybrid retrieval (diversified by case)."""
    query = analyse_text(question, history)
    return retrieve_with_evidence(query, k, filters)[0] if query else []


def cases(include_preambles: bool = False) -> list[Case]:
    """Every case in the index, in document and number order (preambles such as 002's notice on request)."""
    catalog = service.index().catalog
    found = [c for c in catalog.cases.values() if include_preambles or c.kind != "preamble"]
    return sorted(found, key=lambda c: (c.source_file, c.number))
