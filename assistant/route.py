"""Catalog questions ("列出…所有案例", "which cases did 重庆 provide", counts) are answered from the
case catalog with complete lists: top-k passages cannot list 25 cases."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant import glossary
from assistant.evidence import BATCH, YEAR
from assistant.models import Case, Document

_LIST_ZH = re.compile(r"(列出|列举|所有|全部|哪些|哪几个|几个|多少个|多少项|多少条|共有|一共|清单|目录)")
_UNIT_ZH = re.compile(r"(案例|方案|做法|经验|新闻|条目)")
_LIST_EN = re.compile(r"\b(list|all|which|what|how many|enumerate|name)\b.*\b(cases|plans|practices|items|examples)\b", re.I)


@dataclass
class CatalogQuery:
    cases: list[Case]
    scope: str  # what was matched: a provider or a document title
    count_only: bool


# "是哪些城市提供的" asks for the provider of one case, not for a list of cases.
_ASKS_WHO_ZH = re.compile(r"(哪些|哪个|哪几个|哪)(城市|片区|地区|省份?|自贸试验区|单位|部门)")
_ASKS_WHO_EN = re.compile(r"\b(which|what)\s+(cities|city|areas?|zones?|provinces?|regions?)\b.*\b(provided?|submitted|behind)\b", re.I)


# "Which of the five city plans mentions X?" asks for one of them, not for the list.
_ONE_OF_EN = re.compile(r"\bwhich (?:one )?of (?:the|these|its)\b[^?]*?\b(?:mentions|is|has|does|provides|covers|describes|"
                        r"sets|targets|focuses|deals|aims|talks|proposes|calls)\b", re.I)


def is_catalog_question(question: str, language: str) -> bool:
    if (_ASKS_WHO_ZH if language == "zh" else _ASKS_WHO_EN).search(question):
        return False
    if language == "en" and _ONE_OF_EN.search(question):
        return False
    if language == "zh":
        return bool(_LIST_ZH.search(question) and _UNIT_ZH.search(question))
    return bool(_LIST_EN.search(question))


def provider_keys(provider: str) -> list[str]:
    """'四川自贸试验区' → ['四川自贸试验区', '四川']; '北京市、重庆市' → each city and its stem."""
    keys: list[str] = []
    for part in re.split(r"[、,，]", provider):
        part = part.strip()
        if not part:
            continue
        keys.append(part)
        stem = re.sub(r"(自由贸易试验区|自贸试验区|自贸区|片区|综合保税区|市|省|新区)$", "", part)
        stem = re.sub(r"(自由贸易试验区|自贸试验区)$", "", stem)
        if len(stem) >= 2:
            keys.append(stem)
    return keys


def match_catalog(question: str, language: str, cases: list[Case], documents: list[Document]) -> CatalogQuery | None:
    """Resolve a listing/count question to the complete set of cases it asks about."""
    if not is_catalog_question(question, language):
        return None
    text = question if language == "zh" else question + " " + " ".join(glossary.expand(question))
    listed = [c for c in cases if c.kind == "case"]
    quoted = {re.sub(r"\s", "", q) for q in re.findall(r"[“\"「]([^”\"」]{4,40})[”\"」]", question)}
    if quoted & {re.sub(r"[\s“”]", "", c.title) for c in listed}:
        return None  # a question about one named case
    by_provider: dict[str, list[Case]] = {}
    for case in listed:
        for key in provider_keys(case.provider or ""):
            if key in text:
                by_provider.setdefault(key, []).append(case)
    count_only = bool(re.search(r"(几个|多少|how many)", question, re.I))
    if by_provider:
        longest = max(by_provider, key=len)  # "四川自贸试验区" over "四川"
        chosen = [c for key, cs in by_provider.items() if key in longest or longest in key for c in cs]
        chosen = sorted({c.id: c for c in chosen}.values(), key=lambda c: (c.source_file, c.number))
        return CatalogQuery(chosen, longest, count_only)
    doc = _match_document(text, documents)
    if doc and not _edition_conflict(text, doc.title):
        chosen = sorted((c for c in listed if c.document_id == doc.id), key=lambda c: c.number)
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
