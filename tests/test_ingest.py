"""Cleaning, readers, incremental ingest and retrieval over the shipped corpus."""

from __future__ import annotations

import shutil

import pytest

from ingest.clean import clean
from tests.conftest import CORPUS

# ---------------------------------------------------------------- cleaning


def test_bookmark_artifact_removed_and_title_rejoined():
    doc = clean("抵港外国籍船舶“港口国监督远程复查”\n[bookmark: _Toc67735675]创新机制\n（宁波片区）\n")
    assert [line.text for line in doc.lines] == ["抵港外国籍船舶“港口国监督远程复查”", "创新机制", "（宁波片区）"]


def test_markdown_emphasis_and_heading_marks_removed_with_level_kept():
    doc = clean("## **二、实践效果**\n正文。\n")
    assert doc.lines[0].text == "二、实践效果" and doc.lines[0].md_level == 2


def test_hard_wrapped_lines_are_joined_but_figures_are_not_titles():
    wrapped = "\n\n".join(["一、主要做法"] + ["为企业降低成本的同时又可将风险警示信息沿监管链向前"] * 24 +
                          ["12.5%。纳入监管的企业数量持续增加并且不断扩大覆盖范围", "结束。"])
    doc = clean(wrapped)
    assert doc.hard_wrapped
    assert doc.lines[0].text == "一、主要做法"
    assert len(doc.lines) == 2 and "向前12.5%。纳入" in doc.lines[1].text


def test_page_numbers_dropped_and_source_map_points_back():
    raw = "第一行文字没有结束\n\n34\n\n第二行文字。"
    doc = clean(raw)
    assert "34" not in doc.text
    for i, ch in enumerate(doc.text):
        if ch != "\n":
            assert raw[doc.source_map[i]] == ch


@pytest.mark.parametrize("line,dropped", [
    ("34", True), ("- 3 -", True), ("—12—", True), ("－ 7 －", True),
    ("12.5%。", False), ("— 2020 —", False), ("-3%", False), ("3家", False),
])
def test_page_number_lines_are_dropped_and_figures_kept(line, dropped):
    doc = clean(f"第一段文字。\n{line}\n第二段文字。")
    assert (line not in [ln.text for ln in doc.lines]) is dropped


def test_ocr_rows_are_joined_however_few_and_blank_lines_end_paragraphs():
    rows = "测试市依托国际贸易单一窗口，推动报关、查验\n、放行全流程线上办理，通关时间由48小时压缩\n至6小时\n\n第二段从这里开始并且没有句号"
    assert [ln.text for ln in clean(rows).lines] == rows.replace("\n\n", "\n").split("\n")  # 4 rows: not hard-wrapped
    assert [ln.text for ln in clean(rows, physical_lines=True).lines] == [
        "测试市依托国际贸易单一窗口，推动报关、查验、放行全流程线上办理，通关时间由48小时压缩至6小时",
        "第二段从这里开始并且没有句号",
    ]


def test_brackets_normalised_in_headings_only():
    doc = clean("(上海市提供）\n这是正文(括号)保持原样，而且这一段足够长足够长足够长足够长足够长足够长足够长足够长足够长足够长。\n")
    assert doc.lines[0].text == "（上海市提供）"
    assert "(括号)" in doc.lines[1].text


# ---------------------------------------------------------------- readers and bad files


def test_docx_and_pdf_are_read(tmp_path):
    import docx
    from pypdf import PdfWriter

    from ingest.readers import UnreadableFile, read_text

    d = docx.Document()
    d.add_heading("测试文件标题", level=1)
    d.add_paragraph("这是一个段落。")
    d.save(tmp_path / "a.docx")
    assert "# 测试文件标题" in read_text(tmp_path / "a.docx")
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    with open(tmp_path / "blank.pdf", "wb") as fh:
        writer.write(fh)
    with pytest.raises(UnreadableFile, match="no text"):
        read_text(tmp_path / "blank.pdf")


@pytest.mark.parametrize("name,content,reason", [
    ("empty.txt", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02\x00" * 50, "binary"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "corrupted .docx"),
    ("broken.pdf", b"%PDF-1.4\n garbage", "PDF"),
    ("latin.txt", bytes(range(128, 256)) * 8, "undecodable"),
    ("image.png", b"\x89PNG....", "corrupted image"),
    ("image.gif", b"GIF89a....", "unsupported"),
])
def test_bad_file_is_skipped_with_reason_and_good_files_go_in(isolated_home, tmp_path, name, content, reason):
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(next(CORPUS.glob("001_*.txt")), folder)
    (folder / name).write_bytes(content)
    report = ingest([folder])
    assert report.documents == 1 and report.cases == 10
    assert len(report.skipped) == 1 and name in report.skipped[0].path
    assert reason in report.skipped[0].reason


# ---------------------------------------------------------------- incremental ingest


def test_unchanged_changed_removed(isolated_home, tmp_path):
    from assistant import cases, retrieve
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    for stem in ("000", "001"):
        shutil.copy(next(CORPUS.glob(f"{stem}_*.txt")), folder)
    first = ingest([folder])
    assert sorted(first.added) == sorted(p.name for p in folder.iterdir()) and first.embedded_chunks > 0

    again = ingest([folder])
    assert len(again.unchanged) == 2 and again.embedded_chunks == 0 and not again.added

    news = next(folder.glob("000_*.txt"))
    news.write_text(news.read_text(encoding="utf-8").replace("每月5万件提升至30万件", "每月6万件提升至40万件"),
                    encoding="utf-8")
    changed = ingest([folder])
    assert changed.updated == [news.name] and 0 < changed.embedded_chunks < first.embedded_chunks
    texts = " ".join(h.chunk.text for h in retrieve("进口退货商品监管能力提升至多少件", k=5))
    assert "40万件" in texts and "30万件" not in texts

    (folder / "001_2adf76dceb53e4a4.txt").unlink()
    removed = ingest([folder])
    assert removed.removed == ["001_2adf76dceb53e4a4.txt"]
    assert all(c.source_file != "001_2adf76dceb53e4a4.txt" for c in cases())
    assert all(h.case.source_file != "001_2adf76dceb53e4a4.txt" for h in retrieve("浙沪跨港区供油", k=8))
    from assistant import service

    assert service.index().vectors.count() == len(service.index().catalog.chunks)  # no stale vectors


def test_previous_version_kept_when_file_becomes_unreadable(isolated_home, tmp_path):
    from assistant import cases
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    target = folder / "001.txt"
    shutil.copy(next(CORPUS.glob("001_*.txt")), target)
    ingest([folder])
    target.write_bytes(b"\x00\x00binary now")
    report = ingest([folder])
    assert report.skipped and len(cases()) == 10


def test_rebuild_starts_clean(isolated_home, tmp_path):
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(next(CORPUS.glob("000_*.txt")), folder)
    ingest([folder])
    report = ingest([folder], rebuild=True)
    assert report.added and report.embedded_chunks == report.chunks


def test_unstructured_document_becomes_one_case(isolated_home, tmp_path):
    from assistant import cases
    from ingest.pipeline import ingest

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "memo.md").write_text("# 关于优化营商环境的说明\n\n## 背景\n\n本文说明了营商环境优化的背景。\n\n## 措施\n\n一是简化审批。二是加强服务。\n",
                                    encoding="utf-8")
    ingest([folder])
    (case,) = cases()
    assert case.title == "关于优化营商环境的说明" and case.kind == "document"
    assert [s.path for s in case.sections] == [["背景"], ["措施"]]


# ---------------------------------------------------------------- retrieval over the shipped corpus


@pytest.mark.parametrize("question,case_id", [
    ("宁波舟山港2020年的货物吞吐量是多少？", "001_2adf76dceb53e4a4#1"),
    ("杭州综保区进口退货商品的监管能力提升到每月多少件？", "000_f4a39ceaf89cbe71#2"),
    ("外籍人才来华工作有哪些便利化服务？", "004_db19b12f0daba2d6#7"),
    ("How did Zhoushan make bonded marine fuel supply work across Zhejiang and Shanghai ports?", "001_2adf76dceb53e4a4#1"),
    ("How does the Chongqing exchange-rate hedging product help small exporters?", "004_db19b12f0daba2d6#24"),
    ("What is the whole-pallet air cargo model in Henan?", "003_44b0ec56baa3ca9a#25"),
])
def test_question_finds_right_case_in_top5(shipped_index, question, case_id):
    from assistant import retrieve

    assert case_id in [h.case.id for h in retrieve(question, k=5)]


def test_retrieve_diversifies_and_filters(shipped_index):
    from assistant import retrieve

    hits = retrieve("中欧班列", k=8)
    # The case that answers leads with up to four passages (its answering sentences); the others give two at most.
    per_case = {c: sum(1 for h in hits if h.case.id == c) for c in {h.case.id for h in hits}}
    assert per_case[hits[0].case.id] <= 4 and all(n <= 2 for c, n in per_case.items() if c != hits[0].case.id)
    assert len(per_case) >= 3
    only = retrieve("中欧班列", k=8, filters={"source_file": ["004_db19b12f0daba2d6.txt"]})
    assert only and {h.case.source_file for h in only} == {"004_db19b12f0daba2d6.txt"}
    sichuan = retrieve("中欧班列", k=8, filters={"provider": ["四川自贸试验区"]})
    assert sichuan and {h.case.provider for h in sichuan} == {"四川自贸试验区"}


def test_cases_api(shipped_index):
    from assistant import cases

    all_cases = cases()
    assert len(all_cases) == 72
    assert len([c for c in cases(include_preambles=True) if c.number == 0]) == 2
    assert {c.id for c in all_cases} >= {"003_44b0ec56baa3ca9a#16", "004_db19b12f0daba2d6#13"}


@pytest.mark.parametrize("pages,expected", [
    # a running header on every page goes, the page numbers are cleaning's business
    (["汇编标题\n— 1 —\n（一）案例甲\n正文一。", "汇编标题\n— 2 —\n正文二。", "汇编标题\n— 3 —\n正文三。"],
     ["— 1 —\n（一）案例甲\n正文一。", "— 2 —\n正文二。", "— 3 —\n正文三。"]),
    # a footer at the bottom of most pages goes too
    (["正文一。\n内部资料", "正文二。\n内部资料", "正文三。"], ["正文一。", "正文二。", "正文三。"]),
    # a running header that changes only by its number (the book's name and its part) is still one
    (["正文一。\n星港案例选编｜第一篇\n- 1 -", "正文二。\n星港案例选编｜第一篇\n- 2 -", "正文三。\n星港案例选编｜第二篇\n- 3 -"],
     ["正文一。\n- 1 -", "正文二。\n- 2 -", "正文三。\n- 3 -"]),
    # must not fire: a label and its number opening pages (第一篇, 第二篇) are headings, not a running line
    (["第一篇\n标题甲\n正文一。", "第二篇\n标题乙\n正文二。"], ["第一篇\n标题甲\n正文一。", "第二篇\n标题乙\n正文二。"]),
    # must not fire: one page, a line repeated only in the middle of pages, a long sentence repeated at the top
    (["标题\n正文。"], ["标题\n正文。"]),
    (["甲\n一、主要做法\n乙\n丙\n丁", "戊\n一、主要做法\n己\n庚\n辛"], ["甲\n一、主要做法\n乙\n丙\n丁", "戊\n一、主要做法\n己\n庚\n辛"]),
    (["这是一段超过四十个字的长句子，它出现在两页的顶部，但它是正文而不是页眉，不能被删除。\n正文一。",
      "这是一段超过四十个字的长句子，它出现在两页的顶部，但它是正文而不是页眉，不能被删除。\n正文二。"],
     ["这是一段超过四十个字的长句子，它出现在两页的顶部，但它是正文而不是页眉，不能被删除。\n正文一。",
      "这是一段超过四十个字的长句子，它出现在两页的顶部，但它是正文而不是页眉，不能被删除。\n正文二。"]),
])
def test_running_headers_and_footers_of_pdf_pages(pages, expected):
    from ingest.readers import drop_running_lines

    assert drop_running_lines(pages) == expected
