"""HTML for the chat window: answers, source cards, filters, the case browser.

Pure functions of the assistant's objects, no Gradio inside, so they are unit-tested directly.
Every piece of document or user text goes through html.escape (a document containing <script>
shows the tag as text); the only markup is what this module writes itself.

Chat messages are written as one HTML block without blank lines: the Chatbot's Markdown pass
then leaves them alone (a `*` or `#` from a policy document stays a character, not formatting).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape

from assistant.models import Answer, Case, Citation, Document

SECTION_PREVIEW_CHARS = 8000  # "show the whole section" beyond this is cut with a note
USER_PREVIEW_CHARS = 600  # a 20,000-character paste is shown shortened in the chat
_REF = re.compile(r"(?P<pre>[^\s\]])?\[(?P<n>\d{1,3})\](?P<post>[。；，、！？：.,;:!?”」）)])?")
_HEADING_NOISE = re.compile(r"[#*\s]")
_PROVIDER_SPLIT = re.compile(r"[、,，;；/]")


def esc(text: object) -> str:
    """Escape for HTML text and attribute values."""
    return escape("" if text is None else str(text), quote=True)


def _lines(escaped: str) -> str:
    """Line breaks as <br>, never a blank line (which would end the Markdown HTML block)."""
    return escaped.replace("\r\n", "\n").replace("\n", "<br>")


def text_html(text: str) -> str:
    return _lines(esc(text))


def answer_text_html(text: str) -> str:
    """Answer text with its [n] markers as citation chips (the marker text itself stays `[n]`).

    A marker stays on one line with the character before it and the punctuation after it
    ("…中心仓[1]。" never breaks before "[1]" or "。"). Pieces are escaped one by one.
    """
    out: list[str] = []
    last = 0
    for m in _REF.finditer(text or ""):
        out.append(esc(text[last:m.start()]))
        out.append(f'<span class="ftz-nowrap">{esc(m.group("pre") or "")}<sup class="ftz-ref">[{m.group("n")}]</sup>'
                   f'{esc(m.group("post") or "")}</span>')
        last = m.end()
    out.append(esc((text or "")[last:]))
    return _lines("".join(out))


# ---------------------------------------------------------------- chat messages


def user_message(question: str) -> str:
    text = question or ""
    if len(text) > USER_PREVIEW_CHARS:
        more = len(text) - USER_PREVIEW_CHARS
        return (f'<div class="ftz-user">{text_html(text[:USER_PREVIEW_CHARS])}… '
                f'<span class="ftz-muted">（另有 {more} 字未显示 / {more} more characters not shown）</span></div>')
    return f'<div class="ftz-user">{text_html(text)}</div>'


def pending_message() -> str:
    return ('<div class="ftz-answer ftz-pending"><span class="ftz-spinner"></span>'
            '正在检索资料… / Searching the documents…</div>')


def streaming_message(partial: str) -> str:
    return f'<div class="ftz-answer ftz-streaming"><div class="ftz-answer-text">{answer_text_html(partial)}</div></div>'


def error_message(message: str) -> str:
    return f'<div class="ftz-answer ftz-error"><span class="ftz-error-icon">!</span>{text_html(message)}</div>'


def notices_html(notices: Iterable[str]) -> str:
    return "".join(f'<div class="ftz-notice">⚠ {text_html(n)}</div>' for n in notices if n)


def answer_message(answer: Answer, filters_line: str = "") -> str:
    """The final answer bubble: text with [n], a plain refusal badge, notices, the filters used."""
    parts = ['<div class="ftz-answer' + (' ftz-refused' if answer.refused else '') + '">']
    if answer.refused:
        parts.append('<div class="ftz-badge ftz-badge-refused">未找到依据 · Not found in the documents</div>')
    parts.append(f'<div class="ftz-answer-text">{answer_text_html(answer.text)}</div>')
    parts.append(notices_html(answer.notices))
    if filters_line:
        parts.append(f'<div class="ftz-answer-filters">{filters_line}</div>')
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- sources panel


def sources_placeholder() -> str:
    return ('<div class="ftz-sources"><div class="ftz-sources-head">来源 · Sources</div>'
            '<div class="ftz-empty">提问后，这里列出回答所引用的案例、文件、章节和原文摘录。<br>'
            'Each [n] of an answer appears here with its case, document, section and the verbatim quote.</div></div>')


def sources_pending() -> str:
    return ('<div class="ftz-sources"><div class="ftz-sources-head">来源 · Sources</div>'
            '<div class="ftz-empty"><span class="ftz-spinner"></span>正在查找来源… / Finding sources…</div></div>')


def evidence_panel(hits) -> str:
    """The passages retrieval found, shown while a slow model is still writing the answer."""
    parts = ['<div class="ftz-sources"><div class="ftz-sources-head">检索到的资料 · Retrieved passages</div>',
             '<div class="ftz-muted"><span class="ftz-spinner"></span>回答生成中，完成后显示引用 / '
             'Answer in progress; citations follow when it is done.</div>']
    for i, hit in enumerate(hits, 1):
        parts += [
            '<div class="ftz-card ftz-card-closest">',
            f'<div class="ftz-card-head"><span class="ftz-n">{i}</span>'
            f'<span class="ftz-card-title">{esc(hit.case.title)}</span></div>',
            '<div class="ftz-card-meta">', _provider_chip(hit.case.provider),
            f'<span class="ftz-doc"><span class="ftz-doc-tag">文件</span>{esc(hit.case.document_title)}</span></div>',
            f'<div class="ftz-section"><span class="ftz-label">章节 / Section</span> {esc(hit.chunk.section or "—")}</div>',
            f'<blockquote class="ftz-quote">{text_html(hit.chunk.text[:240])}</blockquote>',
            "</div>",
        ]
    parts.append("</div>")
    return "".join(parts)


def _provider_chip(provider: str | None) -> str:
    if not provider:
        return ""
    return f'<span class="ftz-chip ftz-chip-provider" title="提供方 / Provider">{esc(provider)}</span>'


def _page_chip(page: int | None) -> str:
    if not page:
        return ""
    return f'<span class="ftz-chip ftz-chip-page" title="页码 / Page">第 {int(page)} 页 · p. {int(page)}</span>'


def _highlight(section: str, quote: str) -> str:
    """Escaped section text with the quote marked where it occurs verbatim."""
    cut = ""
    if len(section) > SECTION_PREVIEW_CHARS:
        pos = section.find(quote) if quote else -1
        start = max(0, min(pos - 200, len(section) - SECTION_PREVIEW_CHARS)) if pos > SECTION_PREVIEW_CHARS - len(quote) else 0
        section = section[start : start + SECTION_PREVIEW_CHARS]
        cut = '<div class="ftz-muted">（节选，原文过长 / excerpt: the section is longer）</div>'
    pos = section.find(quote) if quote else -1
    if pos < 0:
        return text_html(section) + cut
    return (text_html(section[:pos]) + f"<mark>{text_html(quote)}</mark>"
            + text_html(section[pos + len(quote):]) + cut)


def citation_card(citation: Citation, section_text: str | None = None) -> str:
    """One source card: [n], case title, provider, document, section path, quote, whole section."""
    section = citation.section or "（案例正文 / case text）"
    parts = [
        f'<div class="ftz-card" id="ftz-src-{citation.n}" data-n="{citation.n}">',
        '<div class="ftz-card-head">',
        f'<span class="ftz-n">[{citation.n}]</span>',
        f'<span class="ftz-card-title">{esc(citation.case_title)}</span>'
        + (f'<span class="ftz-card-title-en">{esc(citation.case_title_en)}</span>' if citation.case_title_en else ""),
        "</div>",
        '<div class="ftz-card-meta">',
        _provider_chip(citation.provider),
        f'<span class="ftz-doc" title="文件 / Document"><span class="ftz-doc-tag">文件</span>{esc(citation.document_title)}</span>',
        _page_chip(citation.page),
        "</div>",
        f'<div class="ftz-section"><span class="ftz-label">章节 / Section</span> {esc(section)}</div>',
    ]
    if citation.quote:
        parts.append(f'<blockquote class="ftz-quote">{text_html(citation.quote)}</blockquote>')
    if section_text and section_text.strip():
        summary = "查看整节 / Show whole section" if citation.section else "查看全文 / Show the case text"
        parts.append(f'<details class="ftz-details"><summary>{summary}</summary>'
                     f'<div class="ftz-section-text">{_highlight(section_text, citation.quote)}</div></details>')
    parts.append("</div>")
    return "".join(parts)


def case_card(case: Case, case_text: str | None = None) -> str:
    """A closest-case card for a refused answer."""
    parts = [
        '<div class="ftz-card ftz-card-closest">',
        f'<div class="ftz-card-head"><span class="ftz-card-title">{esc(case.title)}</span></div>',
        '<div class="ftz-card-meta">',
        _provider_chip(case.provider),
        f'<span class="ftz-doc"><span class="ftz-doc-tag">文件</span>{esc(case.document_title)}</span>',
        "</div>",
    ]
    if case_text and case_text.strip():
        text = case_text[:SECTION_PREVIEW_CHARS]
        more = '<div class="ftz-muted">（节选 / excerpt）</div>' if len(case_text) > SECTION_PREVIEW_CHARS else ""
        parts.append(f'<details class="ftz-details"><summary>查看案例原文 / Show the case text</summary>'
                     f'<div class="ftz-section-text">{text_html(text)}{more}</div></details>')
    parts.append("</div>")
    return "".join(parts)


def sources_panel(answer: Answer, catalog=None) -> str:
    """Cards for every citation of the answer ([n] ↔ card one-to-one); closest cases when refused."""
    head = '<div class="ftz-sources">'
    if answer.refused:
        parts = [head, '<div class="ftz-sources-head">来源 · Sources</div>',
                 '<div class="ftz-refusal"><b>资料中没有能回答这个问题的内容。</b><br>'
                 'The documents do not answer this question.</div>']
        if answer.closest_cases:
            parts.append('<div class="ftz-subhead">最接近的案例 · Closest cases</div>')
            for case in answer.closest_cases:
                parts.append(case_card(case, _case_text(catalog, case)))
        parts.append("</div>")
        return "".join(parts)
    if not answer.citations:
        return sources_placeholder()
    parts = [head, f'<div class="ftz-sources-head">来源 · Sources <span class="ftz-count">{len(answer.citations)}</span></div>']
    for citation in sorted(answer.citations, key=lambda c: c.n):
        parts.append(citation_card(citation, _section_text(catalog, citation)))
    parts.append("</div>")
    return "".join(parts)


def _section_text(catalog, citation: Citation) -> str | None:
    if catalog is None:
        return None
    case = catalog.cases.get(citation.case_id)
    if case is None:
        return None
    try:
        return catalog.section_text(case, citation.section)
    except Exception:  # noqa: BLE001 - a missing section only hides the expander
        return None


def _case_text(catalog, case: Case) -> str | None:
    if catalog is None:
        return None
    live = catalog.cases.get(case.id, case)
    try:
        return catalog.case_text(live)
    except Exception:  # noqa: BLE001
        return None


# ---------------------------------------------------------------- filters


def build_filters(files: Iterable[str] | None, providers: Iterable[str] | None) -> dict[str, list[str]]:
    """The filters dict for stream_answer(); empty selections are left out ({} = everything)."""
    out: dict[str, list[str]] = {}
    chosen_files = [f for f in (files or []) if isinstance(f, str) and f]
    chosen_providers = [p for p in (providers or []) if isinstance(p, str) and p]
    if chosen_files:
        out["source_file"] = list(dict.fromkeys(chosen_files))
    if chosen_providers:
        out["provider"] = list(dict.fromkeys(chosen_providers))
    return out


def filters_text(filters: dict, titles: dict[str, str] | None = None) -> str:
    """Escaped, human-readable description of a filters dict (document titles, providers)."""
    titles = titles or {}
    bits = []
    if filters.get("source_file"):
        bits.append("文件 / Documents: " + "；".join(esc(titles.get(f, f)) for f in filters["source_file"]))
    if filters.get("provider"):
        bits.append("提供方 / Providers: " + "、".join(esc(p) for p in filters["provider"]))
    return " · ".join(bits)


def active_filters_line(filters: dict, titles: dict[str, str] | None = None) -> str:
    text = filters_text(filters, titles)
    if not text:
        return ('<div class="ftz-active-filters"><span class="ftz-label">当前筛选 / Active filters:</span> '
                '全部资料 / all documents</div>')
    return (f'<div class="ftz-active-filters ftz-on"><span class="ftz-label">当前筛选 / Active filters:</span> '
            f'{text}<span class="ftz-muted">（用于下一个问题 / applies to the next question）</span></div>')


def document_choices(documents: Iterable[Document]) -> list[tuple[str, str]]:
    """(title, source_file) pairs for the document multiselect, in file order."""
    return [(d.title, d.source_file) for d in sorted(documents, key=lambda d: d.source_file)]


def provider_choices(cases: Iterable[Case]) -> list[str]:
    """Every provider named in the catalog; '北京市、重庆市' counts for both (filters match substrings)."""
    found: set[str] = set()
    for case in cases:
        for part in _PROVIDER_SPLIT.split(case.provider or ""):
            part = part.strip()
            if part:
                found.add(part)
    return sorted(found)


# ---------------------------------------------------------------- case browser


def _without_heading(body: str, headings: list[str]) -> str:
    """Drop the section's own heading lines from its body (the label above already shows them)."""
    wanted = {_HEADING_NOISE.sub("", h) for h in headings if h}
    while body:
        first, _, rest = body.partition("\n")
        if _HEADING_NOISE.sub("", first) not in wanted:
            break
        body = rest.strip()
    return body


CASE_COLUMNS = ["文件 / Document", "编号 / No.", "案例 / Case", "提供方 / Provider"]


def sorted_cases(cases: Iterable[Case]) -> list[Case]:
    return sorted(cases, key=lambda c: (c.source_file, c.number))


def case_matches_query(case: Case, query: str) -> bool:
    query = (query or "").strip().lower()
    if not query:
        return True
    hay = " ".join([case.title, case.provider or "", case.document_title, case.source_file, str(case.number), case.id]).lower()
    return all(word in hay for word in query.split())


def case_rows(cases: Iterable[Case], query: str = "") -> list[list[object]]:
    return [[c.document_title, c.number, c.title, c.provider or "—"] for c in sorted_cases(cases)
            if case_matches_query(c, query)]


def case_label(case: Case) -> str:
    provider = f"（{case.provider}）" if case.provider else ""
    return f"{case.source_file[:3]} · {case.number:02d} · {case.title}{provider}"


def case_view(case: Case | None, catalog=None) -> str:
    """A case's text by sections (escaped), for the case browser."""
    if case is None:
        return ('<div class="ftz-case ftz-empty">在上表中选择一个案例查看全文。<br>'
                'Select a case in the table (or the list) to read it by sections.</div>')
    parts = ['<div class="ftz-case">',
             f'<div class="ftz-case-title">{esc(case.title)}</div>',
             '<div class="ftz-card-meta">', _provider_chip(case.provider),
             f'<span class="ftz-doc"><span class="ftz-doc-tag">文件</span>{esc(case.document_title)}</span>',
             f'<span class="ftz-chip">编号 / No. {case.number}</span></div>']
    text = catalog.texts.get(case.document_id, "") if catalog is not None else ""
    if not text:
        parts.append('<div class="ftz-empty">原文不可用 / The text is not available.</div>')
    elif not case.sections:
        parts.append(f'<div class="ftz-case-section"><div class="ftz-section-text">{text_html(text[case.start:case.end].strip())}</div></div>')
    else:
        first = min(s.start for s in case.sections)
        intro = text[case.start:first].strip()
        if intro:
            parts.append(f'<div class="ftz-case-section"><div class="ftz-section-text">{text_html(intro)}</div></div>')
        for section in case.sections:
            body = _without_heading(text[section.start:section.end].strip(), section.path)
            parts.append('<div class="ftz-case-section">'
                         f'<div class="ftz-case-section-label">{esc(section.label or "—")}</div>'
                         f'<div class="ftz-section-text">{text_html(body)}</div></div>')
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- documents tab

DOCUMENT_COLUMNS = ["文件 / File", "标题 / Title", "案例 / Cases", "片段 / Chunks", "添加时间 / Added", "来源 / Source",
                    "状态 / Status"]
_SOURCES = {"corpus": "内置 / shipped", "uploads": "上传 / uploaded", "other": "其他 / other"}


def document_status(doc) -> str:
    """A DocumentInfo's state in words: queued, indexing with its progress, ready, failed with the reason."""
    if doc.status == "indexing":
        return f"索引中 / indexing {doc.done}/{doc.total}" if doc.total else "读取中 / reading…"
    if doc.status == "failed":
        return f"失败 / failed: {doc.error or '—'}"
    if doc.status == "ready" and getattr(doc, "check", None):
        return f"就绪·请核对案例划分 / ready · check its cases: {doc.check}"
    if doc.status == "ready" and doc.cases and getattr(doc, "cards_en", doc.cases) < doc.cases:
        return f"就绪 / ready · 英文卡片 / English cards {doc.cards_en}/{doc.cases}"
    return {"queued": "排队中 / queued", "ready": "就绪 / ready", "removing": "删除中 / removing"}.get(doc.status,
                                                                                                   doc.status)


def document_rows(docs: Iterable) -> list[list[object]]:
    """Rows of the documents table (DocumentInfo objects; cells are plain text, the table escapes them)."""
    rows: list[list[object]] = []
    for d in docs:
        added = d.added.astimezone().strftime("%Y-%m-%d %H:%M") if d.added else "—"
        name = d.name if not d.original_name else f"{d.name}（{d.original_name}）"
        rows.append([name, d.title or "—", d.cases if d.status != "queued" else "—",
                     d.chunks if d.status != "queued" else "—", added, _SOURCES.get(d.source, d.source),
                     document_status(d)])
    return rows


def removable_choices(docs: Iterable) -> list[tuple[str, str]]:
    """(label, file name) of the documents an admin may remove here."""
    return [(f"{d.title or d.name} · {d.name}", d.name) for d in docs if d.removable]


def upload_results(lines: list[tuple[bool, str]]) -> str:
    """The outcome of each uploaded file, one line each (✓ queued / ✗ the reason)."""
    if not lines:
        return ""
    items = "".join(f'<li class="{"ftz-ok" if ok else "ftz-warn"}">{"✓" if ok else "✗"} {esc(text)}</li>'
                    for ok, text in lines)
    return f'<ul class="ftz-doc-results">{items}</ul>'
