"""assistant.export (Markdown and .docx for briefings), `ftzqa ask --export` and the page's export files."""

from __future__ import annotations

import io

import docx
import pytest
from docx.oxml.ns import qn

from assistant.export import BODY_FONT, HEADING_FONT, render, suggested_filename, to_docx, to_markdown
from assistant.models import Answer, Case, Citation
from ui import downloads

QUOTE_1 = "打造跨境电商进出口退换货中心仓。"
QUOTE_2 = "“全球中心仓”已完成数字端的全球链接，\n实现一盘库存买全球、卖全球。"


def _answer(**kw) -> Answer:
    base = dict(
        question="哪个片区提供了“全球中心仓”案例？", language="zh", backend="extractive", config_hash="abc",
        text="《“全球中心仓”》由杭州片区提供[1]。\n根据资料：全球中心仓已完成数字端的全球链接[2]。",
        citations=[
            Citation(n=1, case_id="001#7", case_title="“全球中心仓”", provider="杭州片区", document_title="十佳案例",
                     source_file="001.txt", section="二、主要做法", quote=QUOTE_1, chunk_id="c1"),
            Citation(n=2, case_id="001#7", case_title="“全球中心仓”", provider=None, document_title="十佳案例",
                     source_file="001.txt", section="", quote=QUOTE_2, chunk_id="c2"),
        ],
        notices=["问题过长，已截取前2000个字符。"],
    )
    base.update(kw)
    return Answer(**base)


def _refusal() -> Answer:
    case = Case(id="004#24", number=24, title="探索“汇保通”汇率避险新模式", provider="重庆市", document_id="004",
                document_title="服务贸易案例", source_file="004.txt", start=0, end=1)
    return Answer(question="今天天气怎么样？", language="zh", text="资料中未找到能回答这个问题的内容。", refused=True,
                  closest_cases=[case], route="refusal")


def _docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    return document, "\n".join(p.text for p in document.paragraphs)


def test_docx_has_question_answer_and_every_source():
    answer = _answer()
    document, text = _docx_text(to_docx([("哪个片区提供了“全球中心仓”案例？", answer)]))
    assert "哪个片区提供了“全球中心仓”案例？" in text
    assert answer.text in text  # verbatim, [n] markers included
    for c in answer.citations:
        assert c.quote in text  # the quote verbatim, its line break kept
        assert f"[{c.n}] 《{c.case_title}》" in text
    for row in ("案例 / Case：《“全球中心仓”》（001#7）", "提供方 / Provider：杭州片区", "提供方 / Provider：—",
                "文件 / Document：《十佳案例》（001.txt）", "章节 / Section：二、主要做法", "章节 / Section：—"):
        assert row in text, row
    assert "问题过长" in text
    assert document.core_properties.title.startswith("自贸案例问答")


def test_docx_sets_east_asian_fonts_on_every_run_and_style():
    document, _ = _docx_text(to_docx([("问题", _answer()), ("q2", _refusal())]))
    runs = [r for p in document.paragraphs for r in p.runs if r.text]
    assert runs
    for run in runs:
        fonts = run._element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) in (BODY_FONT[1], HEADING_FONT[1]), run.text
        assert fonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override the explicit one
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert headings and all(r._element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体" for p in headings for r in p.runs)
    normal = document.styles["Normal"].element.rPr
    assert normal.rFonts.get(qn("w:eastAsia")) == "宋体"
    assert normal.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"
    quoted = next(r for p in document.paragraphs for r in p.runs if "“" in r.text)
    assert quoted._element.rPr.rFonts.get(qn("w:hint")) == "eastAsia"  # “” drawn with the Chinese font


def test_conversation_export_numbers_the_turns_and_shows_a_refusal():
    document, text = _docx_text(to_docx([("问一", _answer()), ("", _refusal())]))
    assert "第 1 问 / Question 1" in text and "第 2 问 / Question 2" in text
    assert "今天天气怎么样？" in text  # an empty question falls back to the answer's own
    assert "未找到依据" in text and "探索“汇保通”汇率避险新模式" in text and "重庆市" in text


def test_markdown_export():
    md = to_markdown([("哪个片区？", _answer()), ("第二问", _refusal())])
    assert md.startswith("# 自贸案例问答 · FTZ Case Assistant\n")
    assert "## 第 1 问 / Question 1" in md and "## 第 2 问 / Question 2" in md
    assert "**[1] 《“全球中心仓”》**" in md and "- 提供方 / Provider: 杭州片区" in md
    assert f"> {QUOTE_1}" in md
    assert "> “全球中心仓”已完成数字端的全球链接，\n> 实现一盘库存买全球、卖全球。" in md  # each quote line quoted
    assert "**未找到依据 · Not found in the documents**" in md and "### 最接近的案例 / Closest cases" in md
    assert render([("q", _answer())], "md") == to_markdown([("q", _answer())]).encode("utf-8")
    with pytest.raises(ValueError):
        render([("q", _answer())], "pdf")


def test_suggested_filename():
    from datetime import datetime

    when = datetime(2025, 3, 1, 9, 30, 5)
    assert suggested_filename("docx", now=when) == "ftzqa-answer-20250301-093005.docx"
    assert suggested_filename("md", conversation=True, now=when) == "ftzqa-conversation-20250301-093005.md"


# ---------------------------------------------------------------- the page's export files


def test_page_export_files_for_latest_selected_and_whole_chat(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads, "EXPORT_DIR", tmp_path / "exports")
    first, second = _answer(), _answer(question="它的主要做法是什么？")
    answers = [{"answer": first, "filters": {}}, None, {"answer": second, "filters": {}}]  # None: a failed turn
    one, whole, status = downloads.prepare(answers, None, "docx")
    assert "它的主要做法是什么？" in _docx_text(open(one, "rb").read())[1]
    assert "最新回答" in status
    _, text = _docx_text(open(whole, "rb").read())
    assert "第 2 问 / Question 2" in text and "第 3 问" not in text
    one, _, status = downloads.prepare(answers, 0, "md")
    assert one.endswith(".md") and "哪个片区提供了" in open(one, encoding="utf-8").read()
    assert "第 1 个回答" in status and "Markdown" in status
    assert downloads.prepare([], None, "docx") == (None, None, downloads.NOTHING)
    assert downloads.prepare([None], None, "docx") == (None, None, downloads.NOTHING)


def test_page_export_never_raises(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(downloads, "EXPORT_DIR", tmp_path / "exports")
    assert downloads.prepare([{"answer": "not an Answer"}], None, "docx") == (None, None, downloads.FAILED)
    assert "writing the export files failed" in caplog.text
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    monkeypatch.setattr(downloads, "EXPORT_DIR", blocked)
    assert downloads.prepare([{"answer": _answer()}], None, "docx")[2] == downloads.FAILED


# ---------------------------------------------------------------- ftzqa ask --export


@pytest.mark.parametrize("name", ["answer.docx", "answer.md", "sub/dir/answer"])
def test_cli_ask_export(shipped_index, tmp_path, name):
    from typer.testing import CliRunner

    from assistant.cli import app

    target = tmp_path / name
    result = CliRunner().invoke(app, ["ask", "哪个片区提供了“全球中心仓”案例？", "--export", str(target)])
    assert result.exit_code == 0, result.output
    written = target if target.suffix else target.with_suffix(".docx")
    assert written.exists()
    if written.suffix == ".md":
        text = written.read_text(encoding="utf-8")
    else:
        text = _docx_text(written.read_bytes())[1]
    assert "哪个片区提供了“全球中心仓”案例？" in text and "[1]" in text and "“全球中心仓”" in text


def test_cli_ask_export_rejects_other_formats(shipped_index, tmp_path):
    from typer.testing import CliRunner

    from assistant.cli import app

    result = CliRunner().invoke(app, ["ask", "哪个片区提供了“全球中心仓”案例？", "--export", str(tmp_path / "a.pdf")])
    assert result.exit_code == 2 and ".docx or .md" in result.output
    assert not (tmp_path / "a.pdf").exists()
