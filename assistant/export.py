"""Answers exported for briefings: Markdown or a Word (.docx) file with every source and its verbatim quote.

Pure functions over a list of (question, Answer) turns; the CLI (`ask --export`), the HTTP API
(`POST /api/export`) and the chat window's Export buttons only choose the turns and the format.
The .docx sets an East-Asian font on every run and style (w:eastAsia: 宋体 for text, 黑体 for headings):
without it Word and WPS pick a Latin font for Chinese text and fall back glyph by glyph.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from assistant.models import Answer, Citation

Format = Literal["docx", "md"]
FORMATS: tuple[Format, ...] = ("docx", "md")
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
}
TITLE = "自贸案例问答 · FTZ Case Assistant"
REFUSED = "未找到依据 · Not found in the documents"
BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East-Asian); 宋体 is SimSun, the name Word itself writes
HEADING_FONT = ("Arial", "黑体")  # SimHei
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019]")

Turn = tuple[str, Answer]


def _question(turn: Turn) -> str:
    question, answer = turn
    return (question or answer.question or "").strip()


def _source_lines(c: Citation) -> list[tuple[str, str]]:
    """(label, value) rows describing one source, in the order a reader checks them."""
    return [
        ("案例 / Case", f"《{c.case_title}》（{c.case_id}）" + (f" {c.case_title_en}" if c.case_title_en else "")),
        ("提供方 / Provider", c.provider or "—"),
        ("文件 / Document", f"《{c.document_title}》（{c.source_file}）"),
        ("章节 / Section", c.section or "—"),
    ]


def suggested_filename(fmt: str, conversation: bool = False, now: datetime | None = None) -> str:
    """An ASCII file name for a download: ftzqa-answer-20250101-093000.docx."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return f"ftzqa-{'conversation' if conversation else 'answer'}-{stamp}.{fmt}"


def render(turns: Sequence[Turn], fmt: str) -> bytes:
    """The export in `fmt` ("docx" or "md") as bytes."""
    if fmt == "docx":
        return to_docx(turns)
    if fmt == "md":
        return to_markdown(turns).encode("utf-8")
    raise ValueError(f"unknown export format {fmt!r}; use 'docx' or 'md'")


# ---------------------------------------------------------------- Markdown


def _quote_block(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def to_markdown(turns: Sequence[Turn]) -> str:
    """The turns as Markdown: question, answer with [n], then each source with its verbatim quote."""
    out = [f"# {TITLE}", ""]
    many = len(turns) > 1
    for i, turn in enumerate(turns, 1):
        answer = turn[1]
        heading = f"第 {i} 问 / Question {i}" if many else "问题 / Question"
        out += [f"## {heading}", "", _question(turn), ""]
        out += ["### 回答 / Answer", ""]
        if answer.refused:
            out += [f"**{REFUSED}**", ""]
        out += [answer.text.strip(), ""]
        for notice in answer.notices:
            out += [f"> ⚠ {notice}", ""]
        if answer.citations:
            out += ["### 来源 / Sources", ""]
            for c in answer.citations:
                out.append(f"**[{c.n}] 《{c.case_title}》**")
                out.append("")
                out += [f"- {label}: {value}" for label, value in _source_lines(c)]
                out += ["- 原文 / Quote:", "", _quote_block(c.quote), ""]
        if answer.refused and answer.closest_cases:
            out += ["### 最接近的案例 / Closest cases", ""]
            out += [f"- 《{case.title}》 · {case.provider or '—'} · 《{case.document_title}》"
                    for case in answer.closest_cases]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------- Word


def _set_fonts(element, fonts: tuple[str, str], cjk_hint: bool = False) -> None:
    """Explicit Latin and East-Asian fonts on a run's or style's rPr; theme fonts removed (they would win)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(theme), None)
    latin, east_asian = fonts
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asian)
    if cjk_hint:  # “”‘’ are shared code points: the hint makes Word draw them with the Chinese font
        rfonts.set(qn("w:hint"), "eastAsia")


def _style_fonts(document) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = document.styles["Normal"]
    normal.font.size = Pt(11)
    _set_fonts(normal.element, BODY_FONT)
    rpr = normal.element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_fonts(document.styles[name].element, HEADING_FONT)


def _run(paragraph, text: str, fonts: tuple[str, str] = BODY_FONT, *, bold: bool = False, italic: bool = False):
    run = paragraph.add_run(text)
    run.bold = bold or None
    run.italic = italic or None
    _set_fonts(run._element, fonts, cjk_hint=bool(_CJK.search(text)))
    return run


def _heading(document, text: str, level: int) -> None:
    paragraph = document.add_heading(level=level)
    _run(paragraph, text, HEADING_FONT)


def _paragraphs(document, text: str, **run_kw) -> None:
    for block in (text or "").strip().split("\n\n") or [""]:
        _run(document.add_paragraph(), block.strip("\n"), **run_kw)


def to_docx(turns: Sequence[Turn]) -> bytes:
    """The turns as a .docx: question, answer with [n], then each source (case, provider, document,
    section) and its verbatim quote."""
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    _style_fonts(document)
    document.core_properties.title = TITLE
    document.core_properties.author = "FTZ Case Assistant"
    title = document.add_heading(level=0)
    _run(title, TITLE, HEADING_FONT)
    many = len(turns) > 1
    for i, turn in enumerate(turns, 1):
        answer = turn[1]
        _heading(document, f"第 {i} 问 / Question {i}" if many else "问题 / Question", 1)
        _paragraphs(document, _question(turn))
        _heading(document, "回答 / Answer", 2)
        if answer.refused:
            _run(document.add_paragraph(), REFUSED, bold=True)
        _paragraphs(document, answer.text)
        for notice in answer.notices:
            _run(document.add_paragraph(), f"⚠ {notice}", italic=True)
        if answer.citations:
            _heading(document, "来源 / Sources", 2)
        for c in answer.citations:
            head = document.add_paragraph()
            head.paragraph_format.space_before = Pt(8)
            _run(head, f"[{c.n}] 《{c.case_title}》", HEADING_FONT, bold=True)
            for label, value in _source_lines(c):
                row = document.add_paragraph()
                row.paragraph_format.space_after = Pt(0)
                _run(row, f"{label}：", bold=True)
                _run(row, value)
            _run(document.add_paragraph(), "原文 / Quote：", bold=True)
            quote = document.add_paragraph()
            quote.paragraph_format.left_indent = Cm(0.75)
            _run(quote, c.quote).font.color.rgb = RGBColor(0x1E, 0x29, 0x3B)
        if answer.refused and answer.closest_cases:
            _heading(document, "最接近的案例 / Closest cases", 2)
            for case in answer.closest_cases:
                _run(document.add_paragraph(style="List Bullet"),
                     f"《{case.title}》 · {case.provider or '—'} · 《{case.document_title}》")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
