"""Catalog questions ("列出…所有案例", "which cases did 重庆 provide", counts) are answered from the
case catalog with complete lists: top-k passages cannot list 25 cases."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.lexicon.names import english_name, provider_keys
from assistant.models import Case, Citation, Document, Query
from assistant.query.analyse import BATCH, YEAR
from assistant.text import quoted


@dataclass
class CatalogQuery:
    cases: list[Case]
    scope: str  # what was matched: a provider or a document title
    count_only: bool


def match_catalog(query: Query, cases: list[Case], documents: list[Document]) -> CatalogQuery | None:
    """Resolve a listing/count question (query.intent == "list") to the complete set of cases it asks about."""
    if query.intent != "list":
        return None
    # "那四川的呢？" after a list of 重庆's cases: what this question names comes first, then its context.
    texts = [query.question] + ([query.standalone] if query.follow_up else [])
    texts = [t if query.language == "zh" else t + " " + " ".join(query.expansion) for t in texts]
    listed = [c for c in cases if c.kind == "case"]
    quoted_names = {re.sub(r"\s", "", q) for q in re.findall(r"[“\"「]([^”\"」]{4,40})[”\"」]", query.question)}
    if quoted_names & {re.sub(r"[\s“”]", "", c.title) for c in listed}:
        return None  # a question about one named case
    count_only = query.count_only
    for text in texts:
        by_provider: dict[str, list[Case]] = {}
        for case in listed:
            for key in provider_keys(case.provider or ""):
                if key in text:
                    by_provider.setdefault(key, []).append(case)
        if by_provider:
            longest = max(by_provider, key=len)  # "四川自贸试验区" over "四川"
            chosen = [c for key, cs in by_provider.items() if key in longest or longest in key for c in cs]
            chosen = sorted({c.id: c for c in chosen}.values(), key=lambda c: (c.source_file, c.number))
            return CatalogQuery(chosen, longest, count_only)
    text = texts[-1]
    doc = _match_document(text, documents)
    if doc and not _edition_conflict(text, doc.title):
        chosen = sorted((c for c in listed if c.document_id == doc.id), key=lambda c: c.number)
        # "安徽合肥片区有哪些最佳实践案例？" shares its wording with Jiangsu's 最佳实践案例 collection, not its place.
        named = " ".join([doc.title] + [c.provider or "" for c in chosen])
        if any(p not in named for p in query.places):
            return None
        return CatalogQuery(chosen, doc.title, count_only)
    return None


def _edition_conflict(text: str, title: str) -> bool:
    """The question asks for another batch or year than the document is (2021年第二批 vs 2021年第一批):
    listing this document would answer a question nobody asked, so the question goes to retrieval,
    which refuses."""
    for edition in (BATCH, YEAR):
        asked, own = set(edition.findall(text)), set(edition.findall(title))
        if asked and own and asked - own:
            return True
    return False


def _match_document(text: str, documents: list[Document]) -> Document | None:
    """A document named by a distinctive piece of its title (a 4-char run no other title shares)."""
    best: tuple[int, Document] | None = None
    for doc in documents:
        others = "".join(d.title for d in documents if d.id != doc.id)
        title = re.sub(r"[（）()\s]", "", doc.title)
        grams = {title[i : i + 4] for i in range(len(title) - 3)}
        own = sum(1 for g in grams if g in text and g not in others)
        if own and (best is None or own > best[0]):
            best = (own, doc)
    return best[1] if best else None


def list_cases(language: str, scope: str, cases: list[Case], count_only: bool,
               titles_en: dict[str, str] | None = None) -> str:
    """A complete catalog answer, one line per case with its marker (n = position in `cases`); in English each
    case is named by its card's English title too, so an English reader can tell the cases apart."""
    if language == "zh":
        head = f"{scope}共有{len(cases)}个案例" + ("。" if count_only else "：")
        rows = [f"{i}. 《{c.title}》（{c.provider or c.document_title}）[{i}]" for i, c in enumerate(cases, 1)]
    else:
        head = f"The documents list {len(cases)} cases for {english_name(scope)}" + ("." if count_only else ":")
        titles_en = titles_en or {}
        named = {c.id: quoted(c.title) + (f" ({titles_en[c.id]})" if titles_en.get(c.id) else "") for c in cases}
        rows = [f"{i}. {named[c.id]}, provided by {english_name(c.provider) or 'the document'} [{i}]"
                if c.provider else f"{i}. {named[c.id]} [{i}]" for i, c in enumerate(cases, 1)]
    return "\n".join([head, *rows])


def case_citation(n: int, case: Case, catalog) -> Citation:
    """A catalog answer cites each case by its opening sentence."""
    chunks = [c for c in catalog.chunks.values() if c.case_id == case.id]
    first = min(chunks, key=lambda c: c.start) if chunks else None
    quote = ""
    if first:
        quote = re.split(r"(?<=[。！？；])", first.text, maxsplit=1)[0][:200]
    return Citation(n=n, case_id=case.id, case_title=case.title, provider=case.provider,
                    document_title=case.document_title, source_file=case.source_file,
                    section=first.section if first else "", quote=quote, chunk_id=first.id if first else "")
