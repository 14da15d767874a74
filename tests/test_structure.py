"""Structure detection on the real corpus: every document's cases, titles and providers exactly."""

from __future__ import annotations

from functools import cache

import pytest

from assistant.config import IngestSettings
from ingest.parse import ParsedDocument, folder_metadata, parse_file
from tests.conftest import CORPUS


@cache
def parsed(stem: str) -> ParsedDocument:
    path = next(CORPUS.glob(f"{stem}_*.txt"))
    return parse_file(path, path.name, IngestSettings(), metadata=folder_metadata(CORPUS).get(path.name))


def real_cases(stem: str):
    return [c for c in parsed(stem).cases if c.kind == "case"]


@pytest.mark.parametrize("stem,count", [("000", 7), ("001", 10), ("002", 5), ("003", 25), ("004", 25)])
def test_case_count_per_document(stem, count):
    cases = real_cases(stem)
    assert len(cases) == count
    assert [c.number for c in cases] == list(range(1, count + 1))


@pytest.mark.parametrize("stem,number,title,provider", [
    # 000: headlines come AFTER the body and its （来源：…） line
    ("000", 1, "工信部首批开展产业链供应链生态体系建设试点城市名单出炉 浙江自贸区杭州片区入选", "浙江自贸区杭州片区"),
    ("000", 2, "浙江自贸试验区杭州片区钱塘区块 探索全国首个退货数字监管模式", "浙江自贸试验区杭州片区"),
    ("000", 3, "浙江自贸试验区宁波片区 监管创新助力跨境电商迈出新速度", "浙江自贸试验区宁波片区"),
    ("000", 4, "海南自贸港金融产品创新再突破 首笔地方蓝色离岸人民币债发行", "海南自贸港"),
    ("000", 7, "山东自贸试验区济南片区 探索建立中国首个自贸东西协作模式", "山东自贸试验区济南片区"),
    # 001: titles as in the list at the top; one is cut by [bookmark: _Toc…]
    ("001", 1, "浙沪跨港区供油助推长三角海事服务一体化", "舟山片区"),
    ("001", 2, "抵港外国籍船舶“港口国监督远程复查”创新机制", "宁波片区"),
    ("001", 6, "自贸试验区数据集成平台", "金义片区"),
    ("001", 7, "“全球中心仓”", "杭州片区"),
    ("001", 10, "“外汇金管家”线上一站式服务", "宁波片区"),
    # 002: five city plans after the notice
    ("002", 1, "中国（湖州）跨境电子商务综合试验区实施方案", "湖州市"),
    ("002", 5, "中国（丽水）跨境电子商务综合试验区实施方案", "丽水市"),
    # 003: titles at random markdown depths, a TOC that is not a case
    ("003", 1, "黄河流域内陆港群数字化创新发展模式", "山东自贸试验区"),
    ("003", 11, "黄河流域跨境电商协同发展机制", "山东自贸试验区"),
    ("003", 13, "创新粮油监管模式", "甘肃兰州新区综合保税区"),
    ("003", 16, "探索服务型制造业发展新模式", "陕西自贸试验区"),
    ("003", 23, "黄河中上游流域毗邻省区中级人民法院 环境资源审判协作机制", "山西省"),
    ("003", 25, "创新航空集装箱货物整板运输组织模式", "河南自贸试验区"),
    # 004: titles wrapped over two lines; mixed-width brackets; several providers
    ("004", 4, "运用 FTF 账户创新境内上市公司外籍员工股权激励新模式", "上海市"),
    ("004", 7, "创新优化外国人来华工作便利化服务", "北京市、重庆市、大连市、苏州市"),
    ("004", 13, "探索服务型制造业发展新模式", "西安市"),
    ("004", 17, "探索建设数字丝绸之路贸易港", "贵阳市、贵安新区"),
    ("004", 25, "“科技跨境贷”助力企业境外融资", "重庆市"),
])
def test_titles_and_providers(stem, number, title, provider):
    case = next(c for c in real_cases(stem) if c.number == number)
    assert (case.title, case.provider) == (title, provider)


def test_a_batch_note_under_the_document_title_is_neither_title_nor_provider():
    from ingest.clean import clean
    from ingest.structure import detect

    structure = detect(clean("测试市改革案例材料\n（2024年第1批报送）\n跨境贸易便利化改革新模式\n来源：测试市商务局\n"
                             "◇ 改革背景\n正文。\n◇ 实施成效\n正文。"))
    assert structure.title == "测试市改革案例材料"
    assert [(c.kind, c.number, c.title, c.provider) for c in structure.cases] == [
        ("case", 1, "跨境贸易便利化改革新模式", "测试市商务局")]


@pytest.mark.parametrize("text,numbers", [
    # the same label counting up: cases, numbered as printed
    ("汇编\n重点案例2 甲改革\n（甲市提供）\n正文。\n重点案例5 乙改革\n（乙市提供）\n正文。", [2, 5]),
    # a label whose numbers do not count up is no case numbering of its own (two provided titles still are cases)
    ("汇编\n专题2 甲改革\n正文一。\n一、主要做法\n正文。\n专题1 乙改革\n正文二。\n一、主要做法\n正文。", []),
])
def test_labelled_numbering_counts_upwards(text, numbers):
    from ingest.clean import clean
    from ingest.structure import detect

    assert [c.number for c in detect(clean(text)).cases if c.kind == "case"] == numbers


_PARA = "为破解企业反映集中的通关难题，有关部门推出该项改革，试点以来累计服务企业120家，带动进出口额31.2亿元，办理时间由3天压缩至1天，企业满意度和获得感明显提升。"


@pytest.mark.parametrize("lines,expected", [
    # the unit leading every title is the provider, whatever marks the title
    ([[f"## 青岚{k}片区：改革{k}事项", _PARA] for k in "甲乙"], [("改革甲事项", "青岚甲片区"), ("改革乙事项", "青岚乙片区")]),
    ([[f"## 案例{n}\n◆ 青岚{k}片区：改革{k}事项", _PARA] for n, k in ((1, "甲"), (2, "乙"))],
     [("改革甲事项", "青岚甲片区"), ("改革乙事项", "青岚乙片区")]),
    # one title led by a unit among siblings that are not: no unit form repeats, the titles stay whole
    ([[f"## {t}", _PARA] for t in ("青岚片区：改革甲事项", "改革乙事项", "改革丙事项")],
     [("青岚片区：改革甲事项", None), ("改革乙事项", None), ("改革丙事项", None)]),
])
def test_a_unit_leading_sibling_titles_is_their_provider(lines, expected):
    from ingest.clean import clean
    from ingest.structure import detect

    text = "\n\n".join(["# 汇编"] + [line for pair in lines for line in pair])
    assert [(c.title, c.provider) for c in detect(clean(text)).cases if c.kind == "case"] == expected


def test_same_title_in_two_documents_are_two_cases():
    a = next(c for c in real_cases("003") if c.number == 16)
    b = next(c for c in real_cases("004") if c.number == 13)
    assert a.title == b.title and a.id != b.id


def test_document_titles():
    assert parsed("001").document.title == "中国（浙江）自由贸易试验区制度创新十佳案例（2021年第一批）"
    assert parsed("003").document.title == "黄河流域自贸试验区联盟第一批最佳实践案例"
    assert parsed("002").document.title.startswith("浙江省人民政府关于印发")
    assert parsed("002").document.date == "2020年7月23日"


def test_notice_is_the_preamble_of_002_and_toc_is_not_a_case():
    pre = [c for c in parsed("002").cases if c.kind == "preamble"]
    assert len(pre) == 1 and pre[0].number == 0 and "浙政函〔2020〕73号" in parsed("002").text[pre[0].start:pre[0].end]
    assert not [c for c in parsed("003").cases if c.kind == "preamble"]  # 003's head is only a TOC


def test_news_item_body_ends_before_its_headline():
    doc = parsed("000")
    first = real_cases("000")[0]
    body = doc.text[first.start:first.end]
    assert body.startswith("近日，工业和信息化部正式确定杭州")
    assert "（来源：浙江自贸微信公众号）" in body
    second = real_cases("000")[1]
    assert doc.text[second.start:second.end].startswith("浙江自贸试验区杭州片区钱塘区块依靠")


@pytest.mark.parametrize("stem,number,path", [
    ("001", 3, ["三、主要做法", "（一）搭建备案单证数据平台"]),
    ("001", 8, ["3、 主要做法", "（二）建立完善调度管理机制"]),
    ("003", 1, ["一、主要做法", "（二）创新多式联运全程监管服务模式"]),
    ("004", 1, ["一、主要做法", "（一）探索规范标准指引"]),
    ("002", 1, ["二、重点任务与创新举措", "（一）建设三大平台", "1. 建设综合服务平台"]),
])
def test_section_paths(stem, number, path):
    case = next(c for c in real_cases(stem) if c.number == number)
    assert path in [s.path for s in case.sections]


def test_chunks_are_verbatim_spans_within_one_section_and_sized():
    for stem in ("000", "001", "002", "003", "004"):
        doc = parsed(stem)
        for chunk in doc.chunks:
            assert doc.text[chunk.start:chunk.end] == chunk.text
            assert len(chunk.text) <= 2 * 450
        sizes = sorted(len(c.text) for c in doc.chunks)
        assert sizes[len(sizes) // 2] >= 120  # no confetti of heading-only chunks


def test_chunk_ids_are_stable():
    from ingest.parse import parse_file as again

    path = next(CORPUS.glob("001_*.txt"))
    ids = [c.id for c in again(path, path.name, IngestSettings()).chunks]
    assert ids == [c.id for c in again(path, path.name, IngestSettings()).chunks]


@pytest.mark.parametrize("text,layout,provider", [
    # A case saved or scanned on its own: a numbered title and its provider line are enough.
    ("服务贸易创新发展最佳实践案例\n7. 跨境贸易便利化改革新模式\n（测试市提供）\n一、主要做法\n正文。",
     "titles 1. (lines), providers under titles", "测试市"),
    # One provider-like line after an unnumbered title is not evidence of a case layout.
    ("浙江自贸试验区动态\n自贸区新闻标题\n（舟山片区）\n正文。", "single", None),
    ("关于印发方案的通知\n（杭州片区）\n正文内容。", "single", None),
    # ...unless more evidence than the provider line says it is a case: sections inside it, or a heading.
    ("测试市改革案例汇编\n\n跨境贸易便利化改革新模式\n（测试市提供）\n一、主要做法\n正文。\n二、实践效果\n正文。",
     "titles unnumbered (lines), providers under titles", "测试市"),
    ("# 跨境贸易便利化改革新模式\n（测试市提供）\n正文。", "titles unnumbered (level-1 headings), providers under titles", "测试市"),
    # An unnumbered case right under the document title, 来源：X under it, sections inside: one case.
    ("测试市改革案例材料\n（2024年第1批报送）\n跨境贸易便利化改革新模式\n来源：测试市商务局\n◇ 改革背景\n正文。\n"
     "◇ 实施成效\n正文。\n—— 本材料经测试市自贸办审核",
     "titles unnumbered (lines), providers under titles", "测试市商务局"),
    # ...but 来源：X under a plain line with nothing else is no evidence of a case.
    ("测试市改革动态\n跨境贸易便利化改革新模式\n来源：测试市商务局\n正文。", "single", None),
    # A labelled number (重点案例1) with its provider line is a case saved on its own.
    ("测试市改革案例\n重点案例1　跨境贸易便利化改革新模式\n牵头单位：测试市商务局；参与单位：测试海关\n正文。",
     "titles 重点案例N (titles), providers under titles", "测试市商务局"),
])
def test_one_provider_line_makes_a_case_only_after_a_numbered_title(text, layout, provider):
    from ingest.clean import clean
    from ingest.structure import detect

    structure = detect(clean(text))
    assert structure.layout == layout
    assert structure.cases[-1].provider == provider


@pytest.mark.parametrize("heading,grouping", [
    # 第N部分 headings numbered upwards, each with a line of introduction, group the cases: no text of the case above
    ("第{n}部分 {n}类改革", True),
    # a sub-heading starting over in each case, one paragraph under it, is the case's own text
    ("（一）{n}项措施", False),
])
def test_group_headings_with_an_introduction_are_no_part_of_the_case_above(heading, grouping):
    from ingest.clean import clean
    from ingest.structure import detect

    lines = ["测试市改革案例汇编"]
    for k, zone in enumerate(["青岚片区", "鹭洲片区", "清溪片区"]):
        head = [heading.format(n="一二三"[k]), f"第{k + 1}组的一段引言。"]
        lines += (head if grouping else []) + [f"{k + 1}. 第{k + 1}项改革", f"（{zone}）", _PARA, _PARA]
        lines += [] if grouping or k == 2 else head  # the last case has no sub-heading: only the numbering tells
    doc = clean("\n".join(lines))
    cases = [c for c in detect(doc).cases if c.kind == "case"]
    assert [c.title for c in cases] == [f"第{k + 1}项改革" for k in range(3)]
    texts = ["\n".join(line.text for line in doc.lines[c.first_line:c.last_line + 1]) for c in cases]
    for k, text in enumerate(texts):
        own = k + 1 if not grouping and k < 2 else None  # the paragraph under a sub-heading is the case's own
        assert [n for n in (1, 2, 3) if f"第{n}组的一段引言" in text] == ([own] if own else [])


@pytest.mark.parametrize("masthead", ["with an editor's note", "name and issue only", ""])
def test_dated_news_items_are_the_documents_text_and_only_items_with_sections_are_cases(tmp_path, masthead):
    """A bulletin dates and signs every item; an item with a case's sections is a case, a news item after it is the
    document's own text (a section of the preamble, never of the case above it), whatever masthead there is."""
    lines = ["星港自贸试验区工作简报", "2024年第3期"] if masthead else []
    if masthead == "with an editor's note":
        lines.append("编者按：本期刊发片区工作动态和创新案例，供各片区学习借鉴，欢迎各片区积极供稿。")
    for day, case in ((3, True), (5, False), (9, True), (12, False)):
        lines.append(f"【2024-06-{day:02d}】第{day}日{'改革' if case else '动态'}")
        lines += ["▲背景　" + _PARA, "▲做法　一是建立机制。二是推行网办。", "▲成效　" + _PARA] if case else [f"会议签约项目{day}个。"]
        lines.append("——青岚片区管委会")
    path = tmp_path / "bulletin.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    doc = parse_file(path, path.name, IngestSettings())
    assert doc.document.title == ("星港自贸试验区工作简报" if masthead else "bulletin")
    cases = [c for c in doc.cases if c.kind == "case"]
    assert [(c.number, c.title, c.provider) for c in cases] == [(1, "第3日改革", "青岚片区管委会"), (2, "第9日改革", "青岚片区管委会")]
    (preamble,) = [c for c in doc.cases if c.kind == "preamble"]
    for text in [f"会议签约项目{day}个" for day in (5, 12)] + (["2024年第3期"] if masthead else []):
        (chunk,) = [ch for ch in doc.chunks if text in ch.text]  # indexed once, as the document's own text
        assert chunk.case_id == preamble.id


def test_markdown_forms_start_at_their_table_and_name_the_provider_anywhere_in_it():
    """Forms as markdown tables under a | 项目 | 内容 | header: each case starts with its table, and the 申报单位 row
    names the provider however far down the form puts it."""
    from ingest.clean import clean
    from ingest.structure import detect

    text = ["# 测试市改革案例申报材料"]
    for k, unit in enumerate(["测试市商务局", "样例市商务局"]):
        rows = [("项目", "内容"), ("案例名称", f"第{k + 1}项改革"), ("所属领域", "贸易便利化"), ("申报时间", "2023年5月"),
                ("联系人", "综合处"), ("申报单位", unit), ("改革背景", _PARA), ("实践成效", _PARA)]
        text.append("\n".join([f"| {a} | {b} |" for a, b in rows[:1]] + ["| --- | --- |"] + [f"| {a} | {b} |" for a, b in rows[1:]]))
    doc = clean("\n\n".join(text))
    cases = [c for c in detect(doc).cases if c.kind == "case"]
    assert [(c.title, c.provider) for c in cases] == [("第1项改革", "测试市商务局"), ("第2项改革", "样例市商务局")]
    assert [doc.lines[c.first_line].text for c in cases] == ["| 项目 | 内容 |"] * 2
