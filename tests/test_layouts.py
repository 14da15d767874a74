"""Structure detection on layouts the shipped corpus does not have, built at test time.

Every document here is invented (places, titles, figures) and written by the test itself: .docx with
python-docx (Word heading styles, Title style, automatic numbering, tables, bold run-in labels),
.md and .txt as strings. Each layout asserts the exact cases (number, title, provider) and that the
figures of each case, table cells included, end up inside that case's text and no other's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from assistant.config import IngestSettings
from ingest.parse import ParsedDocument, parse_file

# ---------------------------------------------------------------- invented cases

PLACES = ["星港市", "银湾市", "明川市", "金穗市", "云衢市", "海澄市", "松岭市", "西岭市"]
TITLES = [
    "数字口岸“单窗通”监管新模式",
    "跨境电商退货商品集中查验机制",
    "保税研发设备共享使用新路径",
    "国际船舶登记“一件事”集成改革",
    "知识产权质押融资风险分担机制",
    "外籍人才工作居留“一窗受理”",
    "冷链进口食品全链条追溯平台",
    "航空货物“空空中转”便利化模式",
]


def figure(i: int) -> str:
    """A figure only case i states, so its place in the parsed text can be checked."""
    return f"{31 + i * 7}.{i + 2}亿元"


def table_figure(i: int) -> str:
    return f"{4 + i}.{i + 5}小时"


def body(i: int) -> list[str]:
    return [
        f"为破解企业反映集中的通关难题，{PLACES[i]}会同海关、税务等部门推出该项改革，"
        f"试点以来累计服务企业{120 + i}家，带动进出口额{figure(i)}。",
        f"改革后平均办理时间压缩至{table_figure(i)}，较改革前下降{40 + i}%，企业满意度达到98.{i}%。",
    ]


@dataclass
class Expected:
    cases: list[tuple[int, str, str | None]]  # number, title, provider
    figures: dict[int, list[str]] = field(default_factory=dict)  # case number → figures inside it
    title: str | None = None  # the document title, when the document states one
    sections: dict[int, list[list[str]]] = field(default_factory=dict)  # case number → its section paths
    outside: list[str] = field(default_factory=list)  # text that belongs to no case (TOC rows, group headings)


def check(doc: ParsedDocument, expected: Expected) -> None:
    cases = [c for c in doc.cases if c.kind == "case"]
    assert [(c.number, c.title, c.provider) for c in cases] == expected.cases
    for number, figures in expected.figures.items():
        (case,) = [c for c in cases if c.number == number]
        text = doc.text[case.start:case.end]
        for fig in figures:
            assert fig in text, f"{fig} not in case {number}"
            others = [c.number for c in doc.cases if c is not case and fig in doc.text[c.start:c.end]]
            assert not others, f"{fig} also in case(s) {others}"
    if expected.title:
        assert doc.document.title == expected.title
    for number, paths in expected.sections.items():
        (case,) = [c for c in cases if c.number == number]
        assert [s.path for s in case.sections] == paths
    for text in expected.outside:
        assert text in doc.text and not [c.number for c in cases if text in doc.text[c.start:c.end]]


def parse(path: Path) -> ParsedDocument:
    return parse_file(path, path.name, IngestSettings())


# ---------------------------------------------------------------- .docx builders


def _docx():
    import docx

    return docx.Document()


def _numbered(document, fmt: str, text: str, start: int = 1) -> str:
    """Add a one-level Word list (numFmt, lvlText) to the document; returns its numId."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    numbering = document.part.numbering_part.element
    abstract_id = 1 + max(int(a.get(qn("w:abstractNumId"))) for a in numbering.findall(qn("w:abstractNum")))
    num_id = 1 + max(int(n.get(qn("w:numId"))) for n in numbering.findall(qn("w:num")))
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="hybridMultilevel"/>'
        f'<w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/>'
        f'<w:lvlJc w:val="left"/></w:lvl></w:abstractNum>'
    )
    numbering.insert(len(numbering.findall(qn("w:abstractNum"))), abstract)  # abstractNums precede nums
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'))
    return str(num_id)


def _number(paragraph, num_id: str, ilvl: int = 0) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def _table(document, rows: list[list[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def _bold_lead(document, lead: str, rest: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(lead).bold = True
    paragraph.add_run(rest)


def docx_heading_styles(tmp: Path) -> tuple[Path, Expected]:
    """The reported failure: Title, auto-numbered Heading 1 titles, 【改革背景】 labels as Heading 2, tables."""
    d = _docx()
    d.add_paragraph("自贸试验区第二批制度创新案例汇编", style="Title")
    d.add_paragraph("本汇编收录六个案例，供各片区复制推广参考。各案例按报送顺序排列，数据截至去年年底。")
    num_id = _numbered(d, "decimal", "%1.")
    for i in range(6):
        _number(d.add_heading(TITLES[i], level=1), num_id)
        d.add_paragraph(f"（{PLACES[i]}提供）")
        d.add_heading("【改革背景】", level=2)
        d.add_paragraph(body(i)[0])
        d.add_heading("【主要做法】", level=2)
        _table(d, [["指标", "改革前", "改革后"], ["平均办理时间", f"{20 + i}小时", table_figure(i)]])
        d.add_heading("【实践效果】", level=2)
        d.add_paragraph(body(i)[1])
    path = tmp / "headings.docx"
    d.save(path)
    return path, Expected(
        [(i + 1, TITLES[i], PLACES[i]) for i in range(6)],
        {i + 1: [figure(i), table_figure(i), f"{20 + i}小时"] for i in range(6)},
        title="自贸试验区第二批制度创新案例汇编",
        sections={1: [["改革背景"], ["主要做法"], ["实践效果"]]},
    )


def docx_bold_labels_tail_provider(tmp: Path) -> tuple[Path, Expected]:
    """Unnumbered Heading 1 titles, bold run-in labels (做法：), 报送单位：X after the body, a table."""
    d = _docx()
    d.add_heading("跨境贸易便利化创新实践", level=1)
    for i in range(3):
        d.add_heading(TITLES[i], level=1)
        _bold_lead(d, "背景：", body(i)[0])
        _bold_lead(d, "做法：", "建立部门协同机制，推行线上预审、线下一次办结。")
        _table(d, [["年度", "办理量（件）", "平均时长"], ["去年", f"{900 + i}", table_figure(i)]])
        _bold_lead(d, "成效：", body(i)[1])
        d.add_paragraph(f"报送单位：{PLACES[i]}商务局")
    path = tmp / "bold.docx"
    d.save(path)
    return path, Expected(
        [(i + 1, TITLES[i], f"{PLACES[i]}商务局") for i in range(3)],
        {i + 1: [figure(i), table_figure(i), f"{900 + i}"] for i in range(3)},
        title="跨境贸易便利化创新实践",
        sections={2: [["背景"], ["做法"], ["成效"]]},
    )


def docx_chinese_numbering(tmp: Path) -> tuple[Path, Expected]:
    """Word numbering "案例%1：" in Chinese counting on Heading 2; provider as a bold-free （X片区） line."""
    d = _docx()
    d.add_paragraph("自贸试验区金融创新案例", style="Title")
    num_id = _numbered(d, "chineseCounting", "案例%1：")
    zones = ["青岚片区", "鹭洲片区", "清溪片区"]
    for i in range(3):
        _number(d.add_heading(TITLES[i + 3], level=2), num_id)
        d.add_paragraph(f"（{zones[i]}）")
        d.add_heading("一、主要做法", level=3)
        d.add_paragraph(body(i + 3)[0])
        d.add_heading("二、实践效果", level=3)
        d.add_paragraph(body(i + 3)[1])
    path = tmp / "chinese.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i + 3], zones[i]) for i in range(3)],
                          {i + 1: [figure(i + 3)] for i in range(3)}, title="自贸试验区金融创新案例")


def docx_bold_titles_no_styles(tmp: Path) -> tuple[Path, Expected]:
    """No styles at all: bold paragraphs are the titles, a table sits between title and body."""
    d = _docx()
    d.add_paragraph().add_run("自贸试验区营商环境改革案例").bold = True
    for i in range(3):
        d.add_paragraph().add_run(TITLES[i + 5]).bold = True
        d.add_paragraph(f"（{PLACES[i + 5]}提供）")
        _table(d, [["事项", "压缩后时限"], ["审批", table_figure(i + 5)]])
        d.add_paragraph().add_run("一、主要做法").bold = True
        d.add_paragraph(body(i + 5)[0])
        d.add_paragraph().add_run("二、实践效果").bold = True
        d.add_paragraph(body(i + 5)[1])
    path = tmp / "bold-titles.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i + 5], PLACES[i + 5]) for i in range(3)],
                          {i + 1: [figure(i + 5), table_figure(i + 5)] for i in range(3)})


# ---------------------------------------------------------------- .md / .txt builders


def _write(tmp: Path, name: str, lines: list[str]) -> Path:
    path = tmp / name
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return path


def docx_form_tables(tmp: Path) -> tuple[Path, Expected]:
    """A collection of application forms (申报表): each case is a Word table whose first column holds the labels —
    案例名称 / 申报单位 / 协作单位 / 主要做法 … — with no heading paragraph; one form puts two fields in a row, one
    names its 协作单位 (no provider) first; a contact table closes the document and is no case."""
    units = [f"{PLACES[i]}商务局" for i in range(4)]
    d = _docx()
    d.add_paragraph().add_run("星港自贸试验区最佳实践案例申报表汇编").bold = True
    d.add_paragraph("星港市自贸办　编")
    d.add_paragraph("编印说明")
    d.add_paragraph("根据申报通知，各片区及有关部门共报送申报表四份。现将申报表原文汇编印发，供评审专家参考。"
                    "申报表中的数据由申报单位提供，统计口径以各表所列为准，联系人名单附后。")
    for i in range(4):
        rows = [["案例名称", TITLES[i]], ["申报单位", units[i]], ["协作单位", f"{PLACES[i + 4]}海关"],
                ["所属领域", "贸易便利化"], ["改革背景", body(i)[0]], ["主要做法", "一是建立部门协同机制。二是推行线上预审。"],
                ["实践成效", body(i)[1] + f"平均办理时间降至{table_figure(i)}。"], ["创新点", "变串联审批为并联审批。"]]
        if i == 1:
            rows[1], rows[2] = rows[2], rows[1]  # the partner's row first: it is still no provider
        if i == 2:
            table = d.add_table(rows=len(rows) - 1, cols=4)
            table.cell(0, 0).text = "案例名称"
            table.cell(0, 1).merge(table.cell(0, 3)).text = TITLES[i]
            for c, value in enumerate(["申报单位", units[i], "协作单位", f"{PLACES[i + 4]}海关"]):
                table.cell(1, c).text = value
            for r, (label, value) in enumerate(rows[3:], start=2):
                table.cell(r, 0).text = label
                table.cell(r, 1).merge(table.cell(r, 3)).text = value
        else:
            _table(d, rows)
        d.add_paragraph()
    d.add_paragraph().add_run("附：申报单位联系人一览").bold = True
    _table(d, [["申报单位", "联系处室", "联系人"]] + [[PLACES[i], "综合处", f"联系人{i}"] for i in range(4)])
    path = tmp / "forms.docx"
    d.save(path)
    return path, Expected(
        [(i + 1, TITLES[i], units[i]) for i in range(4)],
        {i + 1: [figure(i), table_figure(i)] for i in range(4)},
        title="星港自贸试验区最佳实践案例申报表汇编",
        sections={1: [[], ["改革背景"], ["主要做法"], ["实践成效"], ["创新点"]]},
        outside=["附：申报单位联系人一览", "联系人3"],
    )


def docx_title_styled_like_cases(tmp: Path) -> tuple[Path, Expected]:
    """The document's title is a Heading 1 like the case titles under it, with an introduction below it."""
    d = _docx()
    d.add_heading("自贸试验区制度创新案例汇编", level=1)
    d.add_paragraph("本汇编收录三个案例，均已在全省复制推广。")
    for i in range(3):
        d.add_heading(TITLES[i + 2], level=1)
        d.add_paragraph(f"（{PLACES[i + 2]}提供）")
        d.add_heading("一、改革背景", level=2)
        d.add_paragraph(body(i + 2)[0])
        d.add_heading("二、实践效果", level=2)
        d.add_paragraph(body(i + 2)[1])
    path = tmp / "h1-title.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i + 2], PLACES[i + 2]) for i in range(3)],
                          {i + 1: [figure(i + 2)] for i in range(3)}, title="自贸试验区制度创新案例汇编",
                          sections={2: [["一、改革背景"], ["二、实践效果"]]})


def md_single_case_same_level_as_title(tmp: Path) -> tuple[Path, Expected]:
    """One case whose heading has the document title's level; only the provider line tells them apart."""
    lines = ["# 星港市自贸试验区改革案例", "本文介绍一项已落地的改革。", f"# {TITLES[3]}", "（星港市自贸试验区提供）",
             "## 改革背景", body(3)[0], "## 实践效果", body(3)[1]]
    return _write(tmp, "single.md", lines), Expected([(1, TITLES[3], "星港市自贸试验区")], {1: [figure(3)]},
                                                     title="星港市自贸试验区改革案例")


def md_subtitle_under_heading(tmp: Path) -> tuple[Path, Expected]:
    """A subtitle line between the heading and the provider: the heading is the title, the subtitle body text."""
    lines = ["# 自贸试验区改革纪实"]
    for k in range(3):
        lines += [f"## {TITLES[k + 1]}", f"——{PLACES[k + 1]}推进口岸数字化改革纪实", f"（{PLACES[k + 1]}提供）", body(k + 1)[0],
                  body(k + 1)[1]]
    return _write(tmp, "subtitle.md", lines), Expected(
        [(k + 1, TITLES[k + 1], PLACES[k + 1]) for k in range(3)],
        {k + 1: [figure(k + 1), f"——{PLACES[k + 1]}推进口岸数字化改革纪实"] for k in range(3)})


def txt_inline_provider(tmp: Path) -> tuple[Path, Expected]:
    """1.标题（X提供） on one line, numbered sub-items without full stops inside every case."""
    lines = ["自贸试验区创新案例"]
    for k in range(3):
        lines += [f"{k + 1}.{TITLES[k]}（{PLACES[k]}提供）", body(k)[0], "1.建立数据共享平台", "平台归集数据。",
                  "2.推行一次申报", body(k)[1]]
    return _write(tmp, "inline.txt", lines), Expected(
        [(k + 1, TITLES[k], PLACES[k]) for k in range(3)], {k + 1: [figure(k)] for k in range(3)})


def txt_numbered_without_providers(tmp: Path) -> tuple[Path, Expected]:
    """Plain 1. titles, no provider anywhere: the 一、 sections that start over in each one make them cases."""
    lines = ["自贸试验区创新案例"]
    for k in range(3):
        lines += [f"{k + 1}.{TITLES[k + 2]}", "一、主要做法", body(k + 2)[0], "二、实践效果", body(k + 2)[1]]
    return _write(tmp, "no-providers.txt", lines), Expected(
        [(k + 1, TITLES[k + 2], None) for k in range(3)], {k + 1: [figure(k + 2)] for k in range(3)})


def md_digest_with_sources(tmp: Path) -> tuple[Path, Expected]:
    """Bold 一、 titles, each item closed by （来源：…）: sources mark the boundaries but name no provider."""
    lines = ["# 自贸动态摘编"]
    for k in range(4):
        lines += [f"**{'一二三四'[k]}、{TITLES[k]}**", body(k)[0], body(k)[1], f"（来源：{PLACES[k]}日报）"]
    return _write(tmp, "sources.md", lines), Expected(
        [(k + 1, TITLES[k], None) for k in range(4)], {k + 1: [figure(k), f"{PLACES[k]}日报"] for k in range(4)})


def md_digest_headings_only(tmp: Path) -> tuple[Path, Expected]:
    """Nothing but headings over paragraphs: no provider, no sections. Each heading still opens a case."""
    lines = ["# 自贸试验区改革动态"]
    for k in range(3):
        lines += [f"## {TITLES[k + 4]}", body(k + 4)[0], body(k + 4)[1]]
    return _write(tmp, "headings-only.md", lines), Expected(
        [(k + 1, TITLES[k + 4], None) for k in range(3)], {k + 1: [figure(k + 4)] for k in range(3)})


def md_digest(tmp: Path) -> tuple[Path, Expected]:
    """The reported failure: 案例一： headings, **做法：** labels, —— X after the body, an intro naming every case."""
    cn = "一二三四五六"
    lines = ["# 自贸试验区改革创新案例摘编（第二批）", "本期摘编以下六个案例：",
             "\n".join(f"案例{cn[i]}：{TITLES[i]}" for i in range(6))]
    for i in range(6):
        lines += [f"## 案例{cn[i]}：{TITLES[i]}", f"**做法：**{body(i)[0]}",
                  "| 指标 | 数值 |\n| --- | --- |\n| 平均办理时间 | " + table_figure(i) + " |",
                  f"**成效：**{body(i)[1]}", f"—— {PLACES[i]}自贸办"]
    return _write(tmp, "digest.md", lines), Expected(
        [(i + 1, TITLES[i], f"{PLACES[i]}自贸办") for i in range(6)],
        {i + 1: [figure(i), table_figure(i)] for i in range(6)},
        title="自贸试验区改革创新案例摘编（第二批）",
        sections={6: [["做法"], ["成效"]]},
        outside=["案例三：保税研发设备共享使用新路径\n案例四"],  # the introduction's list
    )


def md_intro_list_unnumbered_headings(tmp: Path) -> tuple[Path, Expected]:
    """An introduction lists every title with its number; the cases are unnumbered headings further down."""
    lines = ["# 自贸试验区联动创新案例", "本批案例共四个：", "\n".join(f"{i + 1}. {TITLES[i]}" for i in range(4))]
    for i in range(4):
        lines += [f"### {TITLES[i]}", f"（{PLACES[i]}自贸试验区提供）", "#### 一、主要做法", body(i)[0],
                  "#### 二、实践效果", body(i)[1]]
    return _write(tmp, "intro.md", lines), Expected(
        [(i + 1, TITLES[i], f"{PLACES[i]}自贸试验区") for i in range(4)], {i + 1: [figure(i)] for i in range(4)},
        title="自贸试验区联动创新案例")


def md_non_consecutive(tmp: Path) -> tuple[Path, Expected]:
    """Numbers as printed (3, 5, 8), a TOC with page numbers, 【改革背景】 labels that are no titles."""
    numbers = [3, 5, 8]
    lines = ["# 自贸试验区优秀案例选编", "## 目录"] + [f"{n}. {TITLES[k]}……{k + 2}" for k, n in enumerate(numbers)]
    for k, n in enumerate(numbers):
        lines += [f"## {n}. {TITLES[k]}", f"(报送单位：{PLACES[k]}）", "【改革背景】", body(k)[0], "【实践效果】", body(k)[1]]
    return _write(tmp, "gaps.md", lines), Expected(
        [(n, TITLES[k], PLACES[k]) for k, n in enumerate(numbers)], {n: [figure(k)] for k, n in enumerate(numbers)},
        title="自贸试验区优秀案例选编", sections={5: [["改革背景"], ["实践效果"]]},
        outside=[f"5. {TITLES[1]}……3"])


def txt_bracket_case(tmp: Path) -> tuple[Path, Expected]:
    """【案例3】 titles (non-consecutive), （X提供） under each, section numbering that restarts in every case."""
    numbers = [3, 4, 7]
    lines = ["自贸试验区案例集"]
    for k, n in enumerate(numbers):
        lines += [f"【案例{n}】{TITLES[k]}", f"({PLACES[k]}提供）", "一、改革背景", body(k)[0],
                  "（一）建立协同机制", "明确牵头部门和配合部门职责分工。", "（二）推行线上办理", body(k)[1]]
    return _write(tmp, "bracket.txt", lines), Expected(
        [(n, TITLES[k], PLACES[k]) for k, n in enumerate(numbers)], {n: [figure(k)] for k, n in enumerate(numbers)},
        title="自贸试验区案例集",
        sections={7: [["一、改革背景"], ["一、改革背景", "（一）建立协同机制"], ["一、改革背景", "（二）推行线上办理"]]})


def txt_bracket_number_alone(tmp: Path) -> tuple[Path, Expected]:
    """【案例N】 alone on its line, the title on the next, then the provider."""
    lines = ["自贸试验区案例集（第三批）"]
    for k, n in enumerate([11, 12]):
        lines += [f"【案例{'十一' if n == 11 else '十二'}】", TITLES[k + 6], f"（{PLACES[k + 6]}提供）", "一、改革背景",
                  body(k + 6)[0], "二、实践效果", body(k + 6)[1]]
    return _write(tmp, "alone.txt", lines), Expected(
        [(11, TITLES[6], PLACES[6]), (12, TITLES[7], PLACES[7])], {11: [figure(6)], 12: [figure(7)]})


def txt_paren_cases_in_groups(tmp: Path) -> tuple[Path, Expected]:
    """（一） titles at case level with （X片区）, grouped under 一、… headings that are not cases."""
    zones = ["青岚片区", "鹭洲片区", "清溪片区", "青岚片区"]
    lines = ["自贸试验区制度创新成果（第三批）", "一、贸易便利化类"]
    for k in range(4):
        if k == 2:
            lines.append("二、金融开放类")
        lines += [f"（{'一二三四'[k]}）{TITLES[k]}", f"（{zones[k]}）", "1.改革背景", body(k)[0], "2.实践效果", body(k)[1]]
    return _write(tmp, "groups.txt", lines), Expected(
        [(k + 1, TITLES[k], zones[k]) for k in range(4)], {k + 1: [figure(k)] for k in range(4)},
        outside=["二、金融开放类"])


def md_theme_groups_bracket_providers(tmp: Path) -> tuple[Path, Expected]:
    """## 第一部分 theme headings (no cases), each with a one-line introduction, over ### （一）标题【X片区】 cases numbered
    on across the groups; **做法：** over a 1. 2. list (no case titles), a table with no label column."""
    zones = ["青岚片区", "鹭洲片区", "清溪片区", "青岚片区", "鹭洲片区", "清溪片区"]
    cn = "一二三四五六"
    lines = ["# 星港自贸试验区制度创新最佳案例汇编（第二批）", "> 星港市自贸办　编印",
             "本批最佳案例共6个，按改革领域分为三个部分。"]
    for k in range(6):
        if k % 2 == 0:
            lines += [f"## 第{cn[k // 2]}部分　{['投资便利化', '贸易便利化', '金融开放'][k // 2]}", f"本部分收录2个案例，第{k // 2 + 1}组。"]
        lines += [f"### （{cn[k]}）{TITLES[k]}【{zones[k]}】", f"**背景：**{body(k)[0]}", "**做法：**",
                  "1. 建立部门协同机制，明确分工。\n2. 推行线上预审，一次办结。\n3. 建立信用分类监管。",
                  f"**成效：**{body(k)[1]}"]
        lines.append(f"| 试点企业数量（家） | 节约时间 |\n| --- | --- |\n| {700 + k} | {table_figure(k)} |")
        lines.append("**推广价值：**可在具备条件的片区复制推广。")
    return _write(tmp, "themes.md", lines), Expected(
        [(k + 1, TITLES[k], zones[k]) for k in range(6)],
        {k + 1: [figure(k), f"| {700 + k} |", table_figure(k)] for k in range(6)},
        title="星港自贸试验区制度创新最佳案例汇编（第二批）",
        outside=["第二部分", "本部分收录2个案例，第2组", "第三部分", "本部分收录2个案例，第3组"],
    )


def txt_dated_bulletin(tmp: Path) -> tuple[Path, Expected]:
    """A dated bulletin: a masthead (name, issue, editor and date), then 【date】 items each signed ——X. Only the items
    with ▲背景 / ▲做法 / ▲成效 are cases; the plain news items between them sign with the same units, state figures of
    their own, and one names a case's title again."""
    zones = ["青岚片区管委会", "鹭洲片区管委会", "青岚片区管委会", "清溪片区管委会"]
    news = [("星港自贸试验区召开制度创新推进会", "会议通报，挂牌以来累计形成制度创新成果530余项。", "——本刊讯"),
            ("鹭洲片区举办跨境贸易对接会", "来自境外的90余家企业参会，现场签约项目17个，金额76亿元。", "——鹭洲片区管委会"),
            ("清溪片区开展法治保障专题培训", "培训覆盖企业法务人员210人次。", "——清溪片区管委会"),
            ("青岚片区1—9月实际使用外资稳步增长", f"其中，{TITLES[0]}入选全国推广清单，1—9月实际使用外资3.9亿美元。",
             "——青岚片区管委会")]
    lines = ["星港自贸试验区工作简报", "2024年第6期（总第41期）", "星港市商务局（市自贸办）编　　　　2024年6月28日",
             "编者按：本期按时间顺序刊发片区工作动态和创新案例，创新案例栏目推介可复制推广的制度创新成果，供各片区学习借鉴。"]
    order = ["news", "case", "news", "case", "case", "case", "news", "news"]
    k = n = 0
    for day, kind in enumerate(order, start=3):
        if kind == "case":
            lines += [f"【2024-06-{day:02d}】{TITLES[k]}", f"▲背景　{body(k)[0]}", "▲做法　一是建立部门协同机制。二是推行线上预审。",
                      f"▲成效　{body(k)[1]}", f"——{zones[k]}"]
            k += 1
        else:
            headline, text, signature = news[n]
            lines += [f"【2024-06-{day:02d}】{headline}", f"6月{day}日，{text}", signature]
            n += 1
    lines.append("（本期共印60份　送：各片区管委会）")
    return _write(tmp, "bulletin.txt", lines), Expected(
        [(k + 1, TITLES[k], zones[k]) for k in range(4)],
        {k + 1: [figure(k)] for k in range(4)},
        title="星港自贸试验区工作简报",
        sections={2: [["背景"], ["做法"], ["成效"]]},
        outside=["530余项", "76亿元", "210人次", "3.9亿美元", "入选全国推广清单"],
    )


def txt_single_case(tmp: Path) -> tuple[Path, Expected]:
    """The reported failure: one numbered case under the document's title, then its provider line."""
    lines = ["测试市自贸试验区制度创新案例", f"1.{TITLES[0]}", "（测试市提供）", "一、改革背景", body(0)[0],
             "二、主要做法", "1.建立数据共享平台。", "2.推行“一次申报”。", "三、实践效果", body(0)[1]]
    return _write(tmp, "single.txt", lines), Expected([(1, TITLES[0], "测试市")], {1: [figure(0)]},
                                                     title="测试市自贸试验区制度创新案例")


def txt_field_provider_under_title(tmp: Path) -> tuple[Path, Expected]:
    """案例一： titles with 供稿单位：X right under them, and a （来源：…） line that is no news layout."""
    lines = ["自贸试验区创新案例"]
    for k in range(3):
        lines += [f"案例{'一二三'[k]}：{TITLES[k + 2]}", f"供稿单位：{PLACES[k + 2]}发展改革委", body(k + 2)[0],
                  body(k + 2)[1], "（来源：自贸试验区工作简报）"]
    return _write(tmp, "field.txt", lines), Expected(
        [(k + 1, TITLES[k + 2], f"{PLACES[k + 2]}发展改革委") for k in range(3)],
        {k + 1: [figure(k + 2)] for k in range(3)})


def txt_provider_above_title(tmp: Path) -> tuple[Path, Expected]:
    """A layout that prints each provider line above its title: the tail of one case is the next one's."""
    lines = ["自贸试验区案例"]
    for k in range(3):
        lines += [f"——{PLACES[k]}供稿", f"{k + 1}.{TITLES[k]}", "一、主要做法", body(k)[0], "二、实践效果", body(k)[1]]
    return _write(tmp, "above.txt", lines), Expected(
        [(k + 1, TITLES[k], PLACES[k]) for k in range(3)], {k + 1: [figure(k)] for k in range(3)})


def txt_hard_wrapped(tmp: Path) -> tuple[Path, Expected]:
    """PDF text wrapped every ~25 chars: a title over two lines, and body lines starting 12.5%。 that are no titles."""
    def wrap(text: str, width: int = 24) -> list[str]:
        return [text[j:j + width] for j in range(0, len(text), width)]

    lines: list[str] = []
    for k in range(3):
        lines += [f"{k + 1}.{TITLES[k]}建设", "新路径", f"（{PLACES[k]}提供）"]
        para = body(k)[0] + "其中跨境电商订单占比提升至" * 2 + "全年累计增长"
        lines += wrap(para)[:2] + [f"— {k + 2} —"] + wrap(para)[2:]  # a page footer between wrapped lines
        lines += ["12.5%。纳入监管的企业数量持续增加，并且不断扩大覆盖", "范围。"]
        lines += wrap("一、主要做法") + wrap(body(k)[1] * 2)
    return _write(tmp, "wrapped.txt", lines), Expected(
        [(k + 1, f"{TITLES[k]}建设新路径", PLACES[k]) for k in range(3)],
        {k + 1: [figure(k), f"{TITLES[k][-3:]}建设新路径"] for k in range(3)})


def docx_info_table_under_title(tmp: Path) -> tuple[Path, Expected]:
    """A case card: the provider in a two-column table under the title, the body after it."""
    d = _docx()
    d.add_paragraph("自贸试验区案例卡片", style="Title")
    for i in range(3):
        d.add_heading(TITLES[i + 1], level=2)
        _table(d, [["改革领域", "贸易便利化"], ["报送单位", f"{PLACES[i + 1]}口岸办"], ["试点时间", f"202{i}年{i + 3}月"]])
        d.add_heading("【改革背景】", level=3)
        d.add_paragraph(body(i + 1)[0])
        d.add_heading("【实践效果】", level=3)
        d.add_paragraph(body(i + 1)[1])
    path = tmp / "cards.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i + 1], f"{PLACES[i + 1]}口岸办") for i in range(3)],
                          {i + 1: [figure(i + 1), f"202{i}年{i + 3}月"] for i in range(3)})


def md_bold_titles_italic_provider(tmp: Path) -> tuple[Path, Expected]:
    """Bold numbered titles (no heading marks) with an italic *（X提供）* under each."""
    lines = ["**自贸试验区创新案例汇编**"]
    for k in range(3):
        lines += [f"**{k + 1}. {TITLES[k + 4]}**", f"*（{PLACES[k + 4]}提供）*", "**一、主要做法**", body(k + 4)[0],
                  "**二、实践效果**", body(k + 4)[1]]
    return _write(tmp, "italic.md", lines), Expected(
        [(k + 1, TITLES[k + 4], PLACES[k + 4]) for k in range(3)], {k + 1: [figure(k + 4)] for k in range(3)},
        title="自贸试验区创新案例汇编")


def md_quoted_tail_provider(tmp: Path) -> tuple[Path, Expected]:
    """### headings, > 报送单位：X quoted after each body, a closing note after the last case."""
    lines = ["# 自贸试验区改革经验", "本期刊发三个案例。"]
    for k in range(3):
        lines += [f"### {TITLES[k + 5]}", "#### 主要做法", body(k + 5)[0], "#### 实践效果", body(k + 5)[1],
                  f"> 报送单位：{PLACES[k + 5]}人民政府"]
    return _write(tmp, "quoted.md", lines), Expected(
        [(k + 1, TITLES[k + 5], f"{PLACES[k + 5]}人民政府") for k in range(3)],
        {k + 1: [figure(k + 5)] for k in range(3)}, title="自贸试验区改革经验")


# ---------------------------------------------------------------- labels, bullets, field lines, custom styles


def _custom_style(document, name: str, size: int, colour: str | None = None, bold: bool | None = None):
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.size = Pt(size)
    if colour:
        style.font.color.rgb = RGBColor.from_string(colour)
    if bold is not None:
        style.font.bold = bold
    return style


def docx_custom_styles_labelled_titles(tmp: Path) -> tuple[Path, Expected]:
    """House styles and no Heading style: 重点案例N　标题 in a coloured, larger, NOT bold style (two runs), ◎ section
    lines in another, 牵头单位：X；参与单位：Y under each title, an overview table repeating every title, and one
    case whose figures are only in a table."""
    d = _docx()
    _custom_style(d, "汇编题", 20, bold=True)
    _custom_style(d, "案例题", 15, colour="1F3864", bold=False)
    _custom_style(d, "节题", 13, colour="404040", bold=False)
    d.add_paragraph("星港自贸试验区重点改革案例汇编", style="汇编题")
    d.add_paragraph("本汇编收录四个改革案例，均经专家评审后印发，其中两项已在全省推广。有关数据截至去年年底，"
                    "全年共形成改革成果二十余项。")
    _table(d, [["序号", "案例名称", "领域"]] + [[str(i + 1), TITLES[i], "贸易便利化"] for i in range(4)])
    leads = ["青岚片区", "鹭洲片区", "清溪片区", "青岚片区、清溪片区"]
    for i in range(4):
        title = d.add_paragraph(style="案例题")
        title.add_run(f"重点案例{i + 1}")
        title.add_run(f"\u3000{TITLES[i]}")
        field = d.add_paragraph()
        field.add_run("牵头单位：").bold = True
        field.add_run(leads[i])
        if i < 3:
            field.add_run("；")
            field.add_run("参与单位：").bold = True
            field.add_run(f"{PLACES[i]}海关、{PLACES[i]}商务局")
        d.add_paragraph("◎ 改革背景", style="节题")
        d.add_paragraph(body(i)[0])
        d.add_paragraph("◎ 主要做法", style="节题")
        d.add_paragraph("一是建立部门协同机制。二是推行线上预审。三是实行一次办结。")
        d.add_paragraph("◎ 实施成效", style="节题")
        if i == 2:
            d.add_paragraph("主要指标变化见下表。")
            _table(d, [["指标", "结果"], ["平均办理时间", f"由20小时缩短至{table_figure(i)}"],
                       ["年度节约成本", "约3.75亿元"]])
        else:
            d.add_paragraph(body(i)[1])
    d.add_paragraph("附件：改革事项汇总表（另发）")
    path = tmp / "house-styles.docx"
    d.save(path)
    return path, Expected(
        [(i + 1, TITLES[i], leads[i]) for i in range(4)],
        {1: [figure(0)], 3: [figure(2), table_figure(2), "3.75亿元"], 4: [figure(3)]},
        title="星港自贸试验区重点改革案例汇编",
        sections={2: [["改革背景"], ["主要做法"], ["实施成效"]]},
        outside=[f"| 2 | {TITLES[1]} | 贸易便利化 |"],
    )


def docx_house_style_unnumbered_titles(tmp: Path) -> tuple[Path, Expected]:
    """Unnumbered titles whose only mark is a house style (larger, coloured, not bold) and no provider anywhere:
    the style makes them siblings, the sections inside each make them cases."""
    d = _docx()
    _custom_style(d, "案例题", 15, colour="1F3864", bold=False)
    d.add_paragraph("星港自贸试验区改革经验")
    for i in range(3):
        d.add_paragraph(TITLES[i + 4], style="案例题")
        d.add_paragraph("◎ 改革背景")
        d.add_paragraph(body(i + 4)[0])
        d.add_paragraph("◎ 实施成效")
        d.add_paragraph(body(i + 4)[1])
    path = tmp / "house-unnumbered.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i + 4], None) for i in range(3)], {i + 1: [figure(i + 4)] for i in range(3)},
                          sections={2: [["改革背景"], ["实施成效"]]})


def pdf_labelled_titles_codes_and_tables(tmp: Path) -> tuple[Path, Expected]:
    """A PDF with no metadata title: the title is its largest line. 【重点案例】01 titles, a 案例编号 code that is
    no case number, 申报单位：X（Y） on the same line, a running header, bare-number table cells, footnotes."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    units = ["青岚片区", "鹭洲片区（鹭洲综合保税区）", "青岚片区"]
    codes = ["XY-2023-07", "XY-2023-12", "XY-2023-19"]
    rows: list[tuple[int, str]] = [(18, "星港自贸试验区改革案例选编"), (10, "星港市自贸办 2024年3月"),
                                   (10, "说明：案例按申报时间排列，编号为全市统一登记号。")]

    def wrap(text: str, width: int = 22) -> list[tuple[int, str]]:
        return [(10, text[j:j + width]) for j in range(0, len(text), width)]

    for k in range(3):
        rows += [(12, f"【重点案例】0{k + 1} {TITLES[k]}"), (9, f"案例编号：{codes[k]}　｜　申报单位：{units[k]}")]
        rows += wrap(body(k)[0]) + [(10, "主要举措")] + wrap("一是建立部门协同机制，推行线上预审。二是实行一次办结。")
        rows += [(10, "取得成效")] + wrap(body(k)[1].replace("。", "①。", 1))
        rows += [(10, "指标"), (10, "2022年"), (10, "2023年"), (10, "航线（条）"), (10, f"{41 + k}"), (10, f"{52 + k}")]
        rows += [(9, f"① 数据口径为1—11月，第{k + 1}个案例。")]
    path = tmp / "labelled.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    y, page = 0, 0
    for size, text in rows:
        if y < 60 or page == 0:
            if page:
                c.showPage()
            page += 1
            c.setFont("STSong-Light", 8)
            c.drawString(60, 810, "星港自贸试验区改革案例选编（内部资料）")
            c.drawString(280, 30, f"第 {page} 页")
            y = 780
        c.setFont("STSong-Light", size)
        c.drawString(60, y, text)
        y -= size + 8
    c.save()
    return path, Expected(
        [(k + 1, TITLES[k], units[k]) for k in range(3)],
        {k + 1: [figure(k), f"{41 + k}\n{52 + k}", f"第{k + 1}个案例"] for k in range(3)},
        title="星港自贸试验区改革案例选编",
    )


def pdf_bilingual_roman_cases_provider_after_body(tmp: Path) -> tuple[Path, Expected]:
    """A bilingual selection: a contents page, CASE II / V / IX / XIV (Roman, not consecutive: the printed number is
    the case's), an English title under each Chinese one, labels with their translation (改革背景 Context), figures in
    a drawn table, the provider only in a right-aligned 供稿：中国（X）… line closing each case, then an afterword."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    numbers, romans = [2, 5, 9, 14], ["II", "V", "IX", "XIV"]
    units = [f"中国（星港）自由贸易试验区{zone}管理委员会" for zone in ("青岚片区", "鹭洲片区", "清溪片区", "清溪片区")]
    english = ["Single-window port supervision", "Centralised inspection of returned goods",
               "Shared use of bonded research equipment", "One-stop ship registration reform"]

    def wrap(text: str, width: int = 24) -> list[tuple[str, str]]:
        return [("text", text[j:j + width]) for j in range(0, len(text), width)]

    pages: list[list[tuple[str, str]]] = [
        [("title", "星港自贸试验区最佳实践案例选编（中英对照）"), ("text", "Selected Best Practice Cases, Xinggang Pilot FTZ"),
         ("text", "星港市自贸办 2024年12月")]
        + wrap("本选编从第五批十五个案例中选取四个，保留原案例编号（以罗马数字标注），并附英文标题，供对外交流使用。")
        + [("text", "目录 Contents")]
        + [("text", f"{r} {TITLES[k]} …… {k + 2}") for k, r in enumerate(romans)]]
    for k, roman in enumerate(romans):
        page = [("head", f"CASE {roman}"), ("head", TITLES[k]), ("text", english[k]), ("text", "改革背景 Context")]
        page += wrap(body(k)[0]) + [("text", "主要做法 Key measures")] + wrap("一是建立部门协同机制，推行线上预审。二是实行一次办结。")
        page += [("text", "实践效果 Outcomes")] + wrap(body(k)[1]) + [("row", "指标|改革前|改革后"), ("row", f"平均办理时间|{20 + k}小时|{table_figure(k)}")]
        page += [("text", "复制推广价值 Transferability")] + wrap("该模式可在具备条件的口岸复制推广，下一步将扩大适用范围。")
        page += [("right", f"供稿：{units[k]}")]
        if k == len(romans) - 1:
            page += wrap("编后语：以上案例将通过对外推介会等渠道向境内外企业宣传推广，全年计划举办推介活动12场。")
        pages.append(page)
    path = tmp / "bilingual.pdf"
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for number, page in enumerate(pages, start=1):
        y = 780
        for kind, text in page:
            size = {"title": 18, "head": 13}.get(kind, 10)
            c.setFont("STSong-Light", size)
            if kind == "row":
                for col, cell in enumerate(text.split("|")):
                    c.drawString(60 + 150 * col, y, cell)
                c.line(55, y - 4, 520, y - 4)
            elif kind == "right":
                c.drawRightString(535, y, text)
            else:
                c.drawString(60, y, text)
            y -= size + 8
        c.drawCentredString(297, 30, f"— {number} —")
        c.showPage()
    c.save()
    return path, Expected(
        [(n, TITLES[k], units[k]) for k, n in enumerate(numbers)],
        {n: [figure(k), table_figure(k), english[k]] for k, n in enumerate(numbers)},
        title="星港自贸试验区最佳实践案例选编（中英对照）",
        sections={5: [[], ["改革背景 Context"], ["主要做法 Key measures"], ["实践效果 Outcomes"], ["复制推广价值 Transferability"]]},
        outside=["全年计划举办推介活动12场", f"{romans[1]} {TITLES[1]} …… 3"],
    )


def md_bullet_digest_units_in_titles(tmp: Path) -> tuple[Path, Expected]:
    """◆ 单位：标题 lines open unnumbered cases (the unit is the provider), ▶ run-in labels, 一是… paragraphs in the
    editor's note, and a ■ heading over numbered yearly targets that closes the digest and belongs to no case."""
    units = ["青岚片区", "鹭洲片区", "清溪片区", "鹭洲片区、清溪片区"]
    lines = ["# 星港自贸试验区改革成果速览（第2期）", "> 星港市自贸办编 ｜ 本期共4项成果",
             "编者按：本期收录4项改革，亮点如下：", "一是口岸通关再提速，单证流转全面线上化；",
             "二是金融服务更贴近企业，融资成本稳步下降；", "三是营商环境持续优化，企业办事更加便捷。", "---"]
    for k in range(4):
        lines += [f"◆ {units[k]}：{TITLES[k]}", body(k)[0], "▶ 怎么做：建立部门协同机制，推行线上预审、线下一次办结。",
                  f"▶ 效果如何：{body(k)[1]}", f"▶ 下一步：到2026年，适用企业力争突破{300 + k}家。"]
    lines += ["■ 全年工作展望",
              "1. 到2025年，累计形成改革成果达到180项；\n2. 到2026年，多式联运量占比提高到37%；\n"
              "3. 到2027年，进出口总额突破4,200亿元。",
              "（本期稿件由各片区综合办提供，星港市自贸办汇编）", "本期编辑：综合处"]
    return _write(tmp, "bullets.md", lines), Expected(
        [(k + 1, TITLES[k], units[k]) for k in range(4)],
        {k + 1: [figure(k), f"{300 + k}家"] for k in range(4)},
        title="星港自贸试验区改革成果速览（第2期）",
        sections={2: [[], ["怎么做"], ["效果如何"], ["下一步"]]},
        outside=["180项", "37%", "4,200亿元", "本期编辑：综合处", "三是营商环境持续优化"],
    )


def txt_single_unnumbered_case_with_source(tmp: Path) -> tuple[Path, Expected]:
    """One case, its title unnumbered, then 来源：X; a （…报送） batch note under the document title; ◇ section lines;
    （1） and 一是 items; a closing —— …审核 line that names a reviewer, not the provider."""
    lines = ["星港自贸试验区制度创新案例材料", "（2023年第1批报送）", TITLES[5], "来源：星港市自贸试验区管委会",
             "◇ 改革背景", body(5)[0], "◇ 创新举措", "（1）联合受理。在政务大厅设立综合窗口，一次受理全部事项。",
             "（2）数据共享。各部门共用一套申报数据，企业不再重复提交。", "◇ 实施成效", "一是办理效率大幅提升。" + body(5)[1],
             "二是企业负担明显减轻。全年为企业节约成本约415万元。", "◇ 典型事例",
             "一家外贸企业反映，过去往返窗口三次，现在一次办结。", "◇ 下一步打算",
             "一是扩大服务范围。二是加强数据共享。", "—— 本材料经星港市自贸办综合处审核"]
    return _write(tmp, "single-source.txt", lines), Expected(
        [(1, TITLES[5], "星港市自贸试验区管委会")], {1: [figure(5), "415万元", "自贸办综合处审核"]},
        title="星港自贸试验区制度创新案例材料",
        sections={1: [["改革背景"], ["创新举措"], ["实施成效"], ["典型事例"], ["下一步打算"]]},
    )


def txt_labelled_titles_with_codes(tmp: Path) -> tuple[Path, Expected]:
    """Case 1: / Case 2: … titles (a label of its own, counting up) over a code line whose number is no case number."""
    lines = ["Pilot zone reform cases"]
    for k in range(3):
        lines += [f"Case {k + 1}: {TITLES[k]}", f"案例编号：ZX-{2023 - k}-{k * 5 + 4}　｜　推荐单位：{PLACES[k]}商务局",
                  body(k)[0], body(k)[1]]
    return _write(tmp, "cases-en.txt", lines), Expected(
        [(k + 1, TITLES[k], f"{PLACES[k]}商务局") for k in range(3)], {k + 1: [figure(k)] for k in range(3)})


# ---------------------------------------------------------------- layouts of newdocs_v4's kind (invented content)


def docx_autonumbered_titles_provider_after_body(tmp: Path) -> tuple[Path, Expected]:
    """Case titles numbered only by Word's list numbering ("%1．", no number in the text), typed 一、 sections, other
    auto-numbered lists (（%1） criteria in the editor's note, a ● bullet list inside a case), a right-aligned 报送单位：
    after each body (one naming three bodies: the first leads), a right-aligned data source under a table, and the
    office's signature after the last case."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    d = _docx()
    cover = d.add_paragraph()
    cover.alignment = WD_ALIGN_PARAGRAPH.CENTER
    cover.add_run("星港自由贸易港制度创新案例（第九批）").bold = True
    d.add_paragraph("星港市自由贸易港工作办公室").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph().add_run("编者按").bold = True
    d.add_paragraph("本批案例经各部门申报、专家评审后选出，现印发供学习借鉴。评选遵循以下原则：")
    criteria = _numbered(d, "decimal", "（%1）")
    for text in ("首创性原则。案例为全国首创。", "实效性原则。案例已落地运行半年以上。", "可复制原则。做法具有普遍意义。"):
        _number(d.add_paragraph(text), criteria)
    titles = _numbered(d, "decimal", "%1．")
    bullets = _numbered(d, "bullet", "●")
    units = [f"{PLACES[0]}交通运输局", f"{PLACES[1]}海关、{PLACES[1]}税务局、{PLACES[1]}商务局", f"{PLACES[2]}市场监督管理局"]
    for k in range(3):
        title = d.add_paragraph()
        run = title.add_run(TITLES[k])
        run.bold, run.font.size = True, Pt(16)
        _number(title, titles)
        d.add_paragraph().add_run("一、背景情况").bold = True
        d.add_paragraph(body(k)[0])
        d.add_paragraph().add_run("二、主要做法").bold = True
        d.add_paragraph("（一）建立部门协同机制。推行线上预审，材料一次提交。")
        if k == 0:
            for text in ("A类企业原则上不开展现场检查；", "B类企业按季度抽查；", "C类企业逐票核查。"):
                _number(d.add_paragraph(text), bullets)
        d.add_paragraph().add_run("三、取得成效").bold = True
        d.add_paragraph(body(k)[1])
        if k == 1:
            _table(d, [["指标", "2023年", "2024年"], ["办理时间（小时）", "20", table_figure(k)]])
            d.add_paragraph(f"（数据来源：{PLACES[1]}统计局）").alignment = WD_ALIGN_PARAGRAPH.RIGHT
        d.add_paragraph(f"报送单位：{units[k]}").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("星港市自由贸易港工作办公室").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    d.add_paragraph("2024年9月10日").alignment = WD_ALIGN_PARAGRAPH.RIGHT
    path = tmp / "autonum.docx"
    d.save(path)
    leads = [units[0], f"{PLACES[1]}海关", units[2]]
    return path, Expected([(k + 1, TITLES[k], leads[k]) for k in range(3)],
                          {k + 1: [figure(k)] for k in range(3)} | {2: [figure(1), table_figure(1)]},
                          title="星港自由贸易港制度创新案例（第九批）", outside=["2024年9月10日"])


def md_setext_headings(tmp: Path) -> tuple[Path, Expected]:
    """Setext headings only (=== / ---): a two-line H1 title, H2 cases 案例之十一　标题 numbered on from an earlier
    batch (one title underlined over two lines), a contents list repeating the titles, mentions of the earlier batch's
    cases, > 申报单位：X　　联合申报：Y, thematic breaks after a blank line (--- and * * *), a table, a closing H2."""
    cn = ["十一", "十二", "十三"]
    leads = [f"{PLACES[0]}综合保税区管理委员会", f"{PLACES[1]}海关", f"中国（{PLACES[2][:2]}）自由贸易试验区中心片区管理局"]
    providers = [f"{leads[0]}　　联合申报：{PLACES[0]}海关", f"{leads[1]}、{PLACES[2]}海关", leads[2]]
    text = ("星港自贸试验区最佳实践案例\n（第二批·续编）\n====================\n\n星港市自贸办　编印　|　2024年8月\n\n"
            "编者说明\n--------\n\n本续编的案例编号接续第一批（共10个），其中案例之四和案例之七已在全国推广。\n\n"
            + "".join(f"- 案例之{cn[k]}　{TITLES[k]}\n" for k in range(3)) + "\n* * *\n\n")
    for k in range(3):
        title = f"{TITLES[k][:6]}\n{TITLES[k][6:]}" if k == 0 else TITLES[k]
        text += f"案例之{cn[k]}　{title}\n------------------\n\n> 申报单位：{providers[k]}\n\n"
        text += f"**一、改革背景**\n\n{body(k)[0]}\n\n**二、实践成效**\n\n{body(k)[1]}\n\n"
        if k == 1:
            text += f"| 指标 | 改革前 | 改革后 |\n| --- | --- | --- |\n| 办理时间 | 20小时 | {table_figure(k)} |\n\n"
        text += "---\n\n"
    text += "附：数据说明\n----------\n\n本汇编数据截至2024年6月底，全年计划推广12项。\n"
    path = tmp / "setext.md"
    path.write_text(text, encoding="utf-8")
    return path, Expected([(11 + k, TITLES[k], leads[k]) for k in range(3)],
                          {11 + k: [figure(k)] for k in range(3)} | {12: [figure(1), table_figure(1)]},
                          title="星港自贸试验区最佳实践案例（第二批·续编）", outside=["全年计划推广12项"])


def pdf_contents_running_headers_wrapped_titles(tmp: Path) -> tuple[Path, Expected]:
    """A PDF: a cover, a contents page (第一篇 | 标题 | page, as cells of one row), a running header that changes with
    its part (书名｜第N篇) and a - N - footer on every body page, each case opening with 第X篇 alone, a title wrapped
    over two lines, 申报单位：X under it (three bodies in one case: the first leads); one case runs over two pages."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    cn = ["一", "二", "三"]
    long_titles = [f"{PLACES[k][:2]}非资源性产品“集采分销+溯源认证”{TITLES[k]}" for k in range(3)]
    units = [f"中国（星港）自由贸易试验区{PLACES[0][:2]}片区管理委员会", f"{PLACES[1]}海关",
             f"{PLACES[2]}商务局、{PLACES[2]}海关、{PLACES[2]}税务局"]
    leads = [units[0], units[1], f"{PLACES[2]}商务局"]

    def wrap(text: str, width: int = 30) -> list[str]:
        return [text[j:j + width] for j in range(0, len(text), width)]

    c = canvas.Canvas(str(path := tmp / "contents.pdf"), pagesize=(595, 842))
    c.setTitle("星港自贸试验区制度创新案例选编（2024年第一辑）")
    c.setFont("STSong-Light", 22)
    for j, line in enumerate(("星港自贸试验区", "制度创新案例选编", "（2024年第一辑）")):
        c.drawCentredString(297, 600 - 30 * j, line)
    c.showPage()
    c.setFont("STSong-Light", 16)
    c.drawCentredString(297, 780, "目录")
    c.setFont("STSong-Light", 11)
    for k in range(3):
        y = 740 - 24 * k
        c.drawString(60, y, f"第{cn[k]}篇")
        c.drawString(120, y, long_titles[k])
        c.drawRightString(535, y, str(1 + 2 * k))
    c.showPage()
    page = 0

    def start_page(part: str) -> float:
        nonlocal page
        page += 1
        c.setFont("STSong-Light", 9)
        c.drawString(60, 810, f"星港自贸试验区制度创新案例选编｜第{part}篇")
        c.drawCentredString(297, 30, f"- {page} -")
        return 770

    for k in range(3):
        y = start_page(cn[k])
        c.setFont("STSong-Light", 14)
        c.drawCentredString(297, y, f"第{cn[k]}篇")
        y -= 30
        c.setFont("STSong-Light", 18)
        for line in (long_titles[k][:20], long_titles[k][20:]):
            c.drawCentredString(297, y, line)
            y -= 26
        c.setFont("STSong-Light", 10)
        rows = [f"申报单位：{units[k]}", "一、改革背景", *wrap(body(k)[0]), "二、实施成效", *wrap(body(k)[1])]
        for row in rows:
            c.drawString(60, y, row)
            y -= 18
        if k == 0:
            c.showPage()
            y = start_page(cn[k])
            c.setFont("STSong-Light", 10)
            for row in wrap("下一步，将把该模式扩展到更多品类，力争到2025年进口货值突破30亿元。"):
                c.drawString(60, y, row)
                y -= 18
        c.showPage()
    c.save()
    return path, Expected([(k + 1, long_titles[k], leads[k]) for k in range(3)],
                          {k + 1: [figure(k)] for k in range(3)} | {1: [figure(0), "突破30亿元"]},
                          title="星港自贸试验区制度创新案例选编（2024年第一辑）")


def txt_saved_web_page_units_before_titles(tmp: Path) -> tuple[Path, Expected]:
    """A saved government web page: breadcrumbs, the notice title, a 发布时间/来源/字号 line, a numbered attachment list,
    the signature, then cases （n）X片区｜标题 (the unit before the bar; one names a zone and a customs office, the zone
    leading), （1） measures inside a case, a title holding a bracket, then the page's source, related articles, footer."""
    zones = ["青岚片区", "鹭洲片区", "清溪片区", "青岚片区"]
    titles = TITLES[:3] + ["中欧班列（星港）“铁路运单物权化”融资服务"]
    lines = ["首页 > 政务公开 > 政策文件 > 通知公告", "星港省商务厅关于印发星港自贸试验区第六批最佳实践案例的通知",
             "发布时间：2024-07-03 10:15　　来源：星港省商务厅　　字号：[大 中 小]", "【打印本页】　【关闭窗口】",
             "各片区管委会，省直有关单位：", "为深入推进制度创新，现将第六批最佳实践案例印发给你们，请结合实际复制推广。",
             "附件：1.星港自贸试验区第六批最佳实践案例汇编.pdf\n2.第六批最佳实践案例复制推广责任分工表.xlsx",
             "星港省商务厅\n2024年7月1日", "星港自贸试验区第六批最佳实践案例"]
    for k in range(4):
        unit = f"{zones[k]}、{PLACES[k][:2]}海关" if k == 2 else zones[k]
        lines += [f"（{k + 1}）{unit}｜{titles[k]}", "一、背景情况", body(k)[0], "二、主要做法"]
        if k == 1:
            lines += ["（1）推动保税交割业务落地。协调期货交易所设立交割库。", "（2）建立保税仓单登记系统。实现全程可追溯。"]
        else:
            lines += ["建立部门协同机制，推行线上预审，材料一次提交。"]
        lines += ["三、取得成效", body(k)[1]]
    lines += ["（本文来源：星港省商务厅　责任编辑：林一）", "相关文章：\n· 青岚片区推出铁路提单融资服务\n· 第五批最佳实践案例发布",
              "主办单位：星港省商务厅　　承办单位：星港省商务厅信息中心"]
    return _write(tmp, "notice_web.txt", lines), Expected(
        [(k + 1, titles[k], zones[k]) for k in range(4)], {k + 1: [figure(k)] for k in range(4)},
        title="星港省商务厅关于印发星港自贸试验区第六批最佳实践案例的通知")


def txt_banner_framed_titles(tmp: Path) -> tuple[Path, Expected]:
    """Each case in a ━━━ banner as 篇目一　标题 (one title continuing on a second line inside the box), 【申报主体】 the
    provider (two bodies: the first leads) and 【协同单位】 not; the document title and a closing 附　件 block are in
    banners too; an editor's note names 篇目二 in passing."""
    rule = "━" * 30
    cn = ["一", "二", "三"]
    units = [f"{PLACES[0]}海关", f"{PLACES[1][:2]}片区管理委员会、{PLACES[1]}司法局", f"{PLACES[2]}数据资源局"]
    text = f"{rule}\n中国（星港）自由贸易试验区\n2024年度制度创新成果汇编（篇目选）\n{rule}\n星港省自贸办　2024年11月\n\n"
    text += ("【编辑说明】\n本汇编从年度各片区、各部门报送的42项制度创新成果中选取3篇，按申报时间排列，篇目二、篇目三为跨部门"
             "协同成果，各篇均经专家评审并征求相关部门意见，数据截至2024年9月底。\n\n")
    for k in range(3):
        title = f"{TITLES[k][:5]}\n{TITLES[k][5:]}" if k == 0 else TITLES[k]
        text += f"{rule}\n篇目{cn[k]}　{title}\n{rule}\n【申报主体】{units[k]}\n【协同单位】{PLACES[k]}商务局、{PLACES[k]}交通运输局\n"
        text += f"【关键词】通关便利；协同监管\n【改革背景】\n{body(k)[0]}\n【主要做法】\n1．设立服务专窗，实行一窗受理。\n"
        text += f"2．对信用良好企业实施批次检验。\n【实践成效】\n{body(k)[1]}\n\n"
    text += f"{rule}\n附　件\n{rule}\n【评审专家组】林一（组长）、陈二\n【联系人】省自贸办制度创新处　0551-6000000\n"
    path = tmp / "banners.txt"
    path.write_text(text, encoding="utf-8")
    leads = [units[0], f"{PLACES[1][:2]}片区管理委员会", units[2]]
    return path, Expected([(k + 1, TITLES[k], leads[k]) for k in range(3)], {k + 1: [figure(k)] for k in range(3)},
                          title="中国（星港）自由贸易试验区2024年度制度创新成果汇编（篇目选）",
                          outside=["0551-6000000"])


def md_region_groups_listed_providers(tmp: Path) -> tuple[Path, Expected]:
    """### 案例（n）标题 numbered on under ## 一、X片区 region headings, 〔背景〕 labels with 一是…二是… inside, a 前言 with
    a 1. 2. 3. list of requirements; the providers stand only in the appendix table (| 序号 | 案例名称 | 所属片区 |)."""
    zones = ["青岚片区", "青岚片区", "鹭洲片区", "清溪片区"]
    lines = ["# 星港自由贸易试验区首批制度创新成果案例集", "> 星港省商务厅编印　2024年11月", "## 前言",
             "星港自贸试验区挂牌以来，形成制度创新成果86项。为持续深化制度创新，提出以下要求：",
             "1. 各片区每年至少形成5项制度创新成果；\n2. 对已复制推广的案例开展年度评估；\n3. 力争口岸通关时间再压缩20%。"]
    for k in range(4):
        if k == 0 or zones[k] != zones[k - 1]:
            lines += [f"## {'一二三'[len(dict.fromkeys(zones[:k]))]}、{zones[k]}", f"{zones[k]}实施范围{30 + k}平方公里。"]
        lines += [f"### 案例（{k + 1}）{TITLES[k]}", f"〔背景〕{body(k)[0]}",
                  "〔做法〕一是建立部门协同机制；二是推行线上预审；三是实行信用分类监管。", f"〔成效〕{body(k)[1]}"]
    lines += ["## 附录　首批案例一览", "| 序号 | 案例名称 | 所属片区 |\n| --- | --- | --- |\n"
              + "\n".join(f"| {k + 1} | {TITLES[k]} | {zones[k]} |" for k in range(4))]
    return _write(tmp, "regions.md", lines), Expected(
        [(k + 1, TITLES[k], zones[k]) for k in range(4)], {k + 1: [figure(k), table_figure(k)] for k in range(4)},
        title="星港自由贸易试验区首批制度创新成果案例集")


def txt_plan_with_cases_bracket_providers_index(tmp: Path) -> tuple[Path, Expected]:
    """A work plan (title, the issuing office alone on the next line, a date) whose 四、典型案例 holds 第一则　标题 cases
    with run-in 主要做法上，… text and a ［X片区］ line after each body (one after a ［数据截至…］ note), then an index
    1. 标题……X片区."""
    zones = ["青岚片区", "鹭洲片区", "清溪片区"]
    lines = ["星港自贸试验区2024年制度创新工作要点\n星港省自由贸易试验区工作办公室\n2024年3月",
             "为推动星港自贸试验区高质量发展，制定本工作要点。", "一、总体要求",
             "坚持以制度创新为核心，力争全年形成制度创新成果40项以上。", "二、典型案例",
             "现将2023年度3个典型案例附后，各片区结合实际复制推广。"]
    for k in range(3):
        lines.append(f"第{'一二三'[k]}则　{TITLES[k]}\n{body(k)[0]}\n主要做法上，一是建立部门协同机制，二是推行线上预审。\n"
                     f"取得成效上，{body(k)[1]}" + ("\n［数据截至2023年12月31日］" if k == 1 else "") + f"\n［{zones[k]}］")
    lines.append("附：本期案例索引\n" + "\n".join(f"{k + 1}. {TITLES[k]}……{zones[k]}" for k in range(3)))
    return _write(tmp, "plan.txt", lines), Expected(
        [(k + 1, TITLES[k], zones[k]) for k in range(3)], {k + 1: [figure(k), table_figure(k)] for k in range(3)},
        title="星港自贸试验区2024年制度创新工作要点")


def docx_boxed_case_labels_bold_titles_captions(tmp: Path) -> tuple[Path, Expected]:
    """A bold Normal document title, a Heading 1 编者按; each case opens with 【典型案例之N】 alone, its bold title and
    推荐单位：X under it, Heading 2 sections, and a bold caption 表N-1 over a figures table (no case)."""
    units = [f"{PLACES[k]}商务局" for k in range(3)]
    d = _docx()
    d.add_paragraph().add_run("星港自由贸易试验区制度创新典型案例选编（2024年）").bold = True
    d.add_paragraph("星港市自贸办编　2024年9月")
    d.add_heading("编者按", level=1)
    d.add_paragraph("星港自贸试验区累计形成制度创新成果368项，现选编3个典型案例，供各片区学习借鉴。")
    for k in range(3):
        d.add_paragraph(f"【典型案例之{'一二三'[k]}】")
        d.add_paragraph().add_run(TITLES[k]).bold = True
        d.add_paragraph(f"推荐单位：{units[k]}")
        d.add_heading("一、改革背景", level=2)
        d.add_paragraph(body(k)[0])
        d.add_heading("二、实施成效", level=2)
        d.add_paragraph(body(k)[1])
        d.add_paragraph().add_run(f"表{k + 1}-1　试点主要指标").bold = True
        _table(d, [["指标", "试点前", "试点后"], ["平均办理时间", f"{9 + k}小时", table_figure(k)]])
    path = tmp / "boxed.docx"
    d.save(path)
    return path, Expected([(k + 1, TITLES[k], units[k]) for k in range(3)],
                          {k + 1: [figure(k), table_figure(k)] for k in range(3)},
                          title="星港自由贸易试验区制度创新典型案例选编（2024年）")


LAYOUTS: dict[str, Callable[[Path], tuple[Path, Expected]]] = {
    "docx: Title, auto-numbered Heading 1, 【改革背景】 Heading 2, tables": docx_heading_styles,
    "docx: Heading 1, bold run-in 做法：, 报送单位：X after the body": docx_bold_labels_tail_provider,
    "docx: Word numbering 案例一： in Chinese counting, （X片区）": docx_chinese_numbering,
    "docx: bold paragraphs as titles, no styles": docx_bold_titles_no_styles,
    "docx: provider in a table under the title": docx_info_table_under_title,
    "docx: application forms as two-column tables, 协作单位, a closing contact table": docx_form_tables,
    "docx: document title as a Heading 1 like the cases": docx_title_styled_like_cases,
    "md: bold numbered titles, italic *（X提供）*": md_bold_titles_italic_provider,
    "md: a subtitle line between heading and provider": md_subtitle_under_heading,
    "txt: 1.标题（X提供） on one line, numbered sub-items": txt_inline_provider,
    "txt: 1. titles with 一、 sections and no provider lines": txt_numbered_without_providers,
    "md: bold 一、 titles closed by （来源：…）, no news layout": md_digest_with_sources,
    "md: headings over paragraphs, nothing else": md_digest_headings_only,
    "md: unnumbered ### headings, > 报送单位：X after the body": md_quoted_tail_provider,
    "md: 案例一： headings, **做法：**, —— X, intro naming every case": md_digest,
    "md: intro list numbers unnumbered headings, （X自贸试验区提供）": md_intro_list_unnumbered_headings,
    "md: numbers 3 5 8, TOC with page numbers, 【改革背景】 labels": md_non_consecutive,
    "txt: 【案例3】 titles, section numbering restarting per case": txt_bracket_case,
    "txt: （一） cases grouped under 一、 headings": txt_paren_cases_in_groups,
    "md: ## 第N部分 groups with introductions, ### （一）标题【X片区】 numbered on": md_theme_groups_bracket_providers,
    "txt: 【案例十一】 alone on its line, the title under it": txt_bracket_number_alone,
    "txt: a single numbered case under the document title": txt_single_case,
    "txt: dated bulletin, 【date】 items signed ——X, cases only those with ▲ sections": txt_dated_bulletin,
    "md: a single case, its heading at the document title's level": md_single_case_same_level_as_title,
    "txt: 供稿单位：X under the title, （来源：…） lines": txt_field_provider_under_title,
    "txt: provider lines above the titles": txt_provider_above_title,
    "txt: hard-wrapped, two-line titles, 12.5%。 body lines": txt_hard_wrapped,
    "docx: house styles, 重点案例N　标题, 牵头单位：X；参与单位：Y, overview table": docx_custom_styles_labelled_titles,
    "docx: unnumbered titles marked only by a house style, no providers": docx_house_style_unnumbered_titles,
    "pdf: largest line as title, 【重点案例】01, 案例编号 ｜ 申报单位, figure cells": pdf_labelled_titles_codes_and_tables,
    "pdf: CASE II/V/IX/XIV, English titles, bilingual labels, 供稿：中国（X）… after the body, afterword":
        pdf_bilingual_roman_cases_provider_after_body,
    "md: ◆ 单位：标题 bullets, ▶ run-in labels, ■ closing targets": md_bullet_digest_units_in_titles,
    "txt: one unnumbered case, 来源：X, ◇ sections, —— …审核": txt_single_unnumbered_case_with_source,
    "txt: Case N: titles over 案例编号 codes": txt_labelled_titles_with_codes,
    "docx: titles numbered by Word's list numbering only, 报送单位 after bodies, signature": docx_autonumbered_titles_provider_after_body,
    "md: setext headings, 案例之十一 numbered on, contents list, 联合申报": md_setext_headings,
    "pdf: contents page, running header 书名｜第N篇, 第X篇 over wrapped titles": pdf_contents_running_headers_wrapped_titles,
    "txt: saved web page, （n）X片区｜标题, breadcrumbs, related articles": txt_saved_web_page_units_before_titles,
    "txt: ━━━ banners framing 篇目N titles, 【申报主体】 / 【协同单位】, 附件 banner": txt_banner_framed_titles,
    "md: ### 案例（n） under ## X片区 regions, providers only in an appendix table": md_region_groups_listed_providers,
    "txt: a plan's 第N则 cases, ［X片区］ after bodies, an index with providers": txt_plan_with_cases_bracket_providers_index,
    "docx: 【典型案例之N】 alone, bold titles, 推荐单位：X, bold 表N-1 captions": docx_boxed_case_labels_bold_titles_captions,
}


@pytest.mark.parametrize("name", list(LAYOUTS))
def test_layout_structure_is_exact(tmp_path, name):
    path, expected = LAYOUTS[name](tmp_path)
    check(parse(path), expected)


# ---------------------------------------------------------------- documents that must stay one case, or keep their cases


@pytest.mark.parametrize("name,lines", [
    ("plan with 一、 sections (labels, not cases)",
     ["# 星港市优化口岸营商环境实施方案", "一、总体要求", "坚持问题导向，持续压缩通关时间。", "二、主要任务",
      "（一）推进通关便利化", "推行“提前申报”，压缩整体通关时间30%以上。", "（二）降低进出口环节费用",
      "清理规范口岸收费。", "三、保障措施", "加强组织领导，明确责任分工。"]),
    ("numbered items with a paragraph each and no provider",
     ["关于便利企业通关的若干措施", "1.简化申报手续", "企业可通过单一窗口一次提交全部申报数据。",
      "2.压缩查验时间", "查验时间由2天压缩至4小时。", "3.推行预约通关", "企业可在节假日预约通关。"]),
    ("one heading with section labels and no provider",
     ["# 数字口岸建设情况", "## 背景", "口岸数据分散在多个系统。", "## 主要做法", "建设统一数据平台，归集数据1.2亿条。",
      "## 成效", "企业办事时间缩短一半。"]),
    ("a ■ list of yearly targets (short bullet lines, nothing under each)",
     ["# 星港市自贸试验区年度工作要点", "■ 到2025年，累计形成改革成果150项", "■ 到2026年，实际使用外资年均增长10%",
      "■ 到2027年，进出口总额突破3,000亿元", "以上目标由各片区分解落实，按季度报送进展。"]),
    ("◆ 单位：事项 lines with one short line under each (a service list, not cases)",
     ["# 星港市口岸服务指南", "◆ 青岚片区：报关服务", "工作日办理。", "◆ 鹭洲片区：查验服务", "预约后即可查验。",
      "◆ 清溪片区：咨询服务", "电话咨询全天开放。"]),
    ("表1 / 表2 captions over tables (captions, not titles)",
     ["# 星港市口岸运行情况报告", "表1 通关时间", "| 指标 | 数值 |\n| --- | --- |\n| 进口 | 2小时 |", body(0)[0],
      "表2 查验比例", "| 指标 | 数值 |\n| --- | --- |\n| 进口 | 3% |", body(1)[0]]),
    ("典型事例 and other ◇ section lines of one unprovided text",
     ["星港市改革工作情况", "◇ 改革背景", body(2)[0], "◇ 典型事例", body(2)[1], "◇ 下一步打算", "继续扩大改革范围。"]),
])
def test_documents_without_case_structure_stay_one_case(tmp_path, name, lines):
    doc = parse(_write(tmp_path, "memo.md", lines))
    assert [c.kind for c in doc.cases] == ["document"]


def test_dash_subtitle_and_table_rows_are_no_providers_or_titles(tmp_path):
    lines = ["# 自贸试验区案例选"]
    for k in range(2):
        lines += [f"## 案例{'一二'[k]}：{TITLES[k]}", "| 1. 通关时间 | 2小时 |\n| 2. 查验比例 | 3% |", body(k)[0],
                  "——记一线关员的改革故事"]
    doc = parse(_write(tmp_path, "subtitle.md", lines))
    check(doc, Expected([(1, TITLES[0], None), (2, TITLES[1], None)], {1: [figure(0)], 2: [figure(1)]}))


def test_case_numbers_restarting_in_groups_stay_distinct(tmp_path):
    """Some compilations restart （一） in every group: the cases stay apart (duplicate numbers are made unique)."""
    lines = ["自贸试验区制度创新案例"]
    for g, group in enumerate(["一、投资便利化", "二、贸易便利化"]):
        lines.append(group)
        for k in range(2):
            i = 2 * g + k
            lines += [f"（{'一二'[k]}）{TITLES[i]}", f"（{PLACES[i]}提供）", "1.主要做法", body(i)[0], body(i)[1]]
    doc = parse(_write(tmp_path, "restart.txt", lines))
    cases = [c for c in doc.cases if c.kind == "case"]
    assert [(c.title, c.provider) for c in cases] == [(TITLES[i], PLACES[i]) for i in range(4)]
    assert len({c.id for c in cases}) == 4


# ---------------------------------------------------------------- the .docx reader


def test_docx_reader_keeps_body_order_tables_styles_and_numbering(tmp_path):
    from ingest.readers import read_text

    d = _docx()
    d.add_paragraph("汇编标题", style="Title")
    decimal = _numbered(d, "decimal", "%1.")
    chinese = _numbered(d, "chineseCounting", "（%1）")
    _number(d.add_heading("第一个标题", level=1), decimal)
    _bold_lead(d, "做法：", "建立平台。")
    _table(d, [["指标", "数值"], ["时长", "2小时"]])
    d.add_paragraph("表后段落。")
    _number(d.add_heading("第二个标题", level=1), decimal)
    _number(d.add_paragraph("子项甲"), chinese)
    _number(d.add_paragraph("子项乙"), chinese)
    d.add_paragraph().add_run("整段加粗").bold = True
    frame = d.add_table(rows=1, cols=1)
    frame.cell(0, 0).text = "专栏：框内标题"
    frame.cell(0, 0).add_paragraph("框内正文。")
    d.add_paragraph("重复合并单元格：")
    table = d.add_table(rows=1, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "合并"
    table.cell(0, 2).text = "右"
    path = tmp_path / "reader.docx"
    d.save(path)
    assert read_text(path).split("\n\n") == [
        "% 汇编标题", "# 1.第一个标题", "**做法：**建立平台。", "| 指标 | 数值 |", "| 时长 | 2小时 |", "表后段落。",
        "# 2.第二个标题", "（一）子项甲", "（二）子项乙", "**整段加粗**", "专栏：框内标题", "框内正文。",
        "重复合并单元格：", "| 合并 | 右 |",
    ]


def test_docx_numbering_defined_by_the_heading_style(tmp_path):
    """Word's multilevel heading lists put numPr in the style, not in the paragraph."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from ingest.readers import read_text

    d = _docx()
    num_id = _numbered(d, "decimal", "案例%1.", start=3)
    d.styles["Heading 2"].element.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:numId w:val="{num_id}"/></w:numPr>'))
    d.add_heading("甲", level=2)
    d.add_paragraph("正文。")
    d.add_heading("乙", level=2)
    path = tmp_path / "style-numbering.docx"
    d.save(path)
    assert read_text(path).split("\n\n") == ["## 案例3.甲", "正文。", "## 案例4.乙"]


def test_docx_custom_title_styles_read_as_bold_lines(tmp_path):
    """A house style set apart from the body (larger, coloured, not bold) and used by several short paragraphs
    marks titles; used once, or mostly on long paragraphs, or as the body itself, it marks nothing. The body is
    the style most text is in: here a 16 pt custom style over Normal's default size."""
    from ingest.readers import read_text

    d = _docx()
    _custom_style(d, "题", 18, colour="1F3864", bold=False)
    _custom_style(d, "孤题", 20, colour="C00000", bold=False)
    _custom_style(d, "正文样式", 16, bold=False)
    _custom_style(d, "引文", 17, colour="404040", bold=False)
    d.add_paragraph("只用一次的标题样式", style="孤题")
    expected = ["只用一次的标题样式"]
    for k in range(4):
        d.add_paragraph(f"第{k + 1}个标题", style="题")
        d.add_paragraph(body(k)[0] + body(k)[1], style="正文样式")
        d.add_paragraph("正文样式的短段落", style="正文样式")
        d.add_paragraph(f"引文的短句{k}", style="引文")
        d.add_paragraph(body(k)[0], style="引文")
        expected += [f"**第{k + 1}个标题**", body(k)[0] + body(k)[1], "正文样式的短段落", f"引文的短句{k}", body(k)[0]]
    d.add_paragraph("同一样式的长段落：" + body(5)[0], style="题")
    expected.append("同一样式的长段落：" + body(5)[0])
    path = tmp_path / "house.docx"
    d.save(path)
    assert read_text(path).split("\n\n") == expected


@pytest.mark.parametrize("declared,sized,expected", [
    # the metadata title, when the first page prints it
    ("星港自贸试验区案例选编", [(10.0, "星港自贸试验区案例选编")], "星港自贸试验区案例选编"),
    # producers' placeholders and file names are no titles: the largest line is, when it stands out
    ("Microsoft Word - 附件1.docx", [(18.0, "星港自贸试验区案例"), (18.0, "选编"), (10.0, "正文" * 30)],
     "星港自贸试验区案例选编"),
    ("附件1.pdf", [(10.0, "星港自贸试验区案例选编"), (10.0, "正文" * 30)], None),
    (None, [(28.0, "2024"), (14.0, "星港自贸试验区案例选编"), (10.0, "正文" * 30)], None),
    # a metadata title the page does not print is not this document's
    ("另一份文件的标题", [(10.5, "星港自贸试验区案例选编"), (10.0, "正文" * 30)], None),
])
def test_pdf_title(declared, sized, expected):
    from ingest.readers import pdf_title

    assert pdf_title(declared, sized, "\n".join(text for _, text in sized)) == expected


def test_a_figures_table_row_says_which_figure_is_before_and_which_after(tmp_path):
    """A table row is quoted alone as evidence: its cells carry their column's label, so
    "由多少天降到多少天" finds the before and the after in it. Label tables (no figures) stay as they are."""
    from ingest.readers import read_text

    d = _docx()
    _table(d, [["指标", "改革前", "改革后"], ["平均堆存时间", "3.2天", "0.8天"]])
    d.add_paragraph("正文。")
    _table(d, [["改革领域", "贸易便利化", "口岸"], ["报送单位", "测试口岸办", "测试市"]])
    path = tmp_path / "figures-table.docx"
    d.save(path)
    blocks = read_text(path).split("\n\n")
    assert "| 平均堆存时间 | 改革前：3.2天 | 改革后：0.8天 |" in blocks
    assert "| 报送单位 | 测试口岸办 | 测试市 |" in blocks


# ---------------------------------------------------------------- layouts no detector knows: the fallback
# Five collections in layouts none of the layout detectors was written for. Each is long enough (over 1,500 Chinese
# characters) for the fallback to doubt a reading of no cases, and each must come out with its cases exactly.

UNITS = ["星港市商务局", "银湾海关", "明川片区管委会", "金穗市发展改革委", "云衢综合保税区管理委员会"]


def paragraphs(i: int) -> list[str]:
    """Three paragraphs of case i: the problem, what was done, what it achieved; figures only case i states."""
    return [
        f"过去，{PLACES[i]}的企业办理相关业务需要往返多个部门，材料重复提交，平均耗时超过{10 + i}个工作日，"
        f"企业反映强烈，成为制约外贸高质量发展的突出堵点，亟需通过制度创新加以破解和系统重塑。"
        f"相关部门多次开展专题调研，梳理出需要协同解决的事项清单，为改革方案的制定打下了基础。",
        body(i)[0] + "同时建立部门协同工作机制，明确职责分工，推动数据共享互认，实现全流程线上办理和结果互认。",
        body(i)[1] + f"截至目前，该模式已在全市{3 + i}个园区复制推广，惠及市场主体{500 + i}余家，得到企业普遍好评。"
        f"下一步将持续完善配套制度，扩大改革覆盖范围，形成更多可复制可推广的制度创新成果。",
    ]


def fallback_qa(tmp: Path) -> tuple[Path, Expected]:
    """Questions and answers under plain titles, the unit named in a closing note (本案例由X、Y联合提供)."""
    lines = ["星港自贸试验区制度创新案例问答", "为便于各地学习借鉴，现将本年度形成的制度创新案例以问答形式整理如下，供参考。"]
    for i in range(5):
        p = paragraphs(i)
        lines += [TITLES[i], "问：这项改革要解决什么问题？", f"答：{p[0]}", "问：具体是怎么做的？", f"答：{p[1]}",
                  "问：取得了哪些成效？", f"答：{p[2]}", f"本案例由{UNITS[i]}、{PLACES[(i + 1) % 5]}人民政府联合提供。"]
    return _write(tmp, "qa.txt", lines), Expected(
        [(i + 1, TITLES[i], UNITS[i]) for i in range(5)], {i + 1: [figure(i)] for i in range(5)},
        title="星港自贸试验区制度创新案例问答")


def fallback_md_numbered_bold(tmp: Path) -> tuple[Path, Expected]:
    """A markdown list: 1. **标题**（X、Y）, its paragraphs indented under it, no section labels."""
    lines = ["# 星港自贸试验区第三批创新实践", "本批共收录创新实践五项，现予印发。"]
    for i in range(5):
        lines.append(f"{i + 1}. **{TITLES[i]}**（{UNITS[i]}、{UNITS[(i + 2) % 5]}）")
        lines += ["   " + p for p in paragraphs(i)]
    return _write(tmp, "numbered.md", lines), Expected(
        [(i + 1, TITLES[i], UNITS[i]) for i in range(5)], {i + 1: [figure(i)] for i in range(5)},
        title="星港自贸试验区第三批创新实践")


def fallback_tab_separated(tmp: Path) -> tuple[Path, Expected]:
    """A spreadsheet saved as text: 序号 ⇥ 经验名称 ⇥ 报送单位 ⇥ 主要内容, one case a row."""
    rows = ["星港自贸试验区第四批改革试点经验清单", "序号\t经验名称\t报送单位\t主要内容"]
    for i in range(5):
        rows.append(f"{i + 1}\t{TITLES[i]}\t{UNITS[i]}、{UNITS[(i + 1) % 5]}\t{''.join(paragraphs(i))}")
    rows.append("注：以上经验由各单位报送，按报送顺序排列。")
    path = tmp / "list.txt"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path, Expected([(i + 1, TITLES[i], UNITS[i]) for i in range(5)], {i + 1: [figure(i)] for i in range(5)},
                          title="星港自贸试验区第四批改革试点经验清单")


def fallback_docx_boxed_titles(tmp: Path) -> tuple[Path, Expected]:
    """Word: each title in a one-cell table, plain label paragraphs, 提供单位：X after the body."""
    d = _docx()
    d.add_paragraph("星港自贸试验区制度创新案例选编")
    d.add_paragraph("本选编收录的案例由各片区和有关部门推荐，经评估后形成，供各地复制推广参考。")
    for i in range(5):
        frame = d.add_table(rows=1, cols=1)
        frame.cell(0, 0).text = TITLES[i]
        p = paragraphs(i)
        for label, text in zip(("改革背景", "主要做法", "实践效果"), p):
            d.add_paragraph(label)
            d.add_paragraph(text)
        d.add_paragraph(f"提供单位：{UNITS[i]}")
    path = tmp / "boxed.docx"
    d.save(path)
    return path, Expected([(i + 1, TITLES[i], UNITS[i]) for i in range(5)], {i + 1: [figure(i)] for i in range(5)},
                          title="星港自贸试验区制度创新案例选编")


def fallback_slides(tmp: Path, separator: Callable[[int], str] = lambda n: "\f") -> tuple[Path, Expected]:
    """Slides saved as text: one case a page, its title first, • bullet lines with run-in labels, 单位：X last."""
    pages = ["星港自贸试验区创新案例展示\n二〇二四年"]
    for i in range(5):
        p = paragraphs(i)
        pages.append("\n".join([TITLES[i], f"• 背景：{p[0]}", f"• 做法：{p[1]}", f"• 成效：{p[2]}", f"单位：{UNITS[i]}"]))
    text = pages[0]
    for n, page in enumerate(pages[1:], start=2):
        text += "\n" + separator(n) + "\n" + page
    path = tmp / "slides.txt"
    path.write_text(text + "\n", encoding="utf-8")
    return path, Expected([(i + 1, TITLES[i], UNITS[i]) for i in range(5)], {i + 1: [figure(i)] for i in range(5)},
                          title="星港自贸试验区创新案例展示")


FALLBACK_LAYOUTS: dict[str, Callable[[Path], tuple[Path, Expected]]] = {
    "txt: questions and answers under plain titles, 本案例由X、Y联合提供": fallback_qa,
    "md: 1. **标题**（X、Y） list, indented paragraphs": fallback_md_numbered_bold,
    "txt: tab-separated 序号 / 经验名称 / 报送单位 / 主要内容": fallback_tab_separated,
    "docx: titles in one-cell tables, 提供单位：X after the body": fallback_docx_boxed_titles,
    "txt: slides split by form feeds, 单位：X": fallback_slides,
    "txt: slides headed 幻灯片 N": lambda tmp: fallback_slides(tmp, lambda n: f"幻灯片 {n}"),
    "txt: slides split by --- rules": lambda tmp: fallback_slides(tmp, lambda n: "\n---\n"),
}


@pytest.mark.parametrize("name", list(FALLBACK_LAYOUTS))
def test_fallback_layout_structure_is_exact(tmp_path, name):
    path, expected = FALLBACK_LAYOUTS[name](tmp_path)
    doc = parse(path)
    assert doc.document.layout.startswith("fallback"), doc.document.layout
    check(doc, expected)


def _long_plan() -> list[str]:
    """A long implementation plan: labelled parts (总体要求 / 主要任务 / 保障措施), numbered tasks with long bodies."""
    lines = ["# 星港市优化口岸营商环境实施方案", "一、总体要求", paragraphs(0)[0], "二、主要任务"]
    for i in range(8):
        lines += [f"（{'一二三四五六七八'[i]}）{TITLES[i]}", paragraphs(i)[1], paragraphs(i)[2]]
    return lines + ["三、保障措施", paragraphs(6)[0]]


@pytest.mark.parametrize("name,lines", [
    ("a long plan: numbered tasks under labelled parts are no cases", _long_plan()),
    ("long paragraphs under unmarked short lines, nothing naming a case",
     ["星港市口岸工作情况"] + [x for i in range(6) for x in (f"关于{PLACES[i]}的情况", *paragraphs(i))]),
    ("a figures table with long notes and no unit in its rows",
     ["星港市口岸运行指标", "| 指标 | 数值 | 说明 |"]
     + [f"| 指标{i} | {figure(i)} | {''.join(paragraphs(i))} |" for i in range(5)]),
    ("one form whose rows hold long text (two columns: a field, not a list)",
     ["星港市改革案例申报表", f"| 案例名称 | {TITLES[0]} |", f"| 申报单位 | {UNITS[0]} |"]
     + [f"| {label} | {''.join(paragraphs(k) + paragraphs(k + 4))} |" for k, label in enumerate(("改革背景", "主要做法", "实践效果", "备注"))]),
])
def test_fallback_leaves_long_documents_without_repeating_cases_alone(tmp_path, name, lines):
    doc = parse(_write(tmp_path, "long.md", lines))
    assert len([c for c in doc.cases if c.kind == "case"]) < 2, [c.title for c in doc.cases]


def test_fallback_never_runs_on_a_short_document(tmp_path):
    """Under 1,500 Chinese characters a reading of no cases stands: a short memo's plain lines are no case titles."""
    lines = ["星港市口岸工作简报"]
    for i in range(3):
        lines += [TITLES[i], f"问：为什么改？答：{body(i)[0]}", f"本案例由{UNITS[i]}提供。"]
    doc = parse(_write(tmp_path, "short.txt", lines))
    assert doc.document.layout == "single"
