"""The textual rules structure detection relies on, each with rows where it must not fire."""

from __future__ import annotations

import pytest

from ingest import patterns
from ingest.clean import clean


@pytest.mark.parametrize("text,expected", [
    ("1.数字口岸监管新模式", ("1.", 1, "数字口岸监管新模式")),
    ("25、 跨境贸易新机制", ("1.", 25, "跨境贸易新机制")),
    ("案例一：数字口岸监管新模式", ("案例N", 1, "数字口岸监管新模式")),
    ("案例12 跨境贸易新机制", ("案例N", 12, "跨境贸易新机制")),
    ("案例1 | 中老铁路国际货物列车“一箱到底”", ("案例N", 1, "中老铁路国际货物列车“一箱到底”")),
    ("案例2 —— 边民互市商品落地加工", ("案例N", 2, "边民互市商品落地加工")),
    ("案例3数字口岸监管新模式", ("案例N", 3, "数字口岸监管新模式")),
    ("【案例3】数字口岸监管新模式", ("【案例N】", 3, "数字口岸监管新模式")),
    ("【案例十一】", ("【案例N】", 11, "")),
    ("（十二）跨境贸易新机制", ("（一）", 12, "跨境贸易新机制")),
    ("(二) 跨境贸易新机制", ("（一）", 2, "跨境贸易新机制")),
    ("二十三、跨境贸易新机制", ("一、", 23, "跨境贸易新机制")),
    ("（3）跨境贸易新机制", ("（1）", 3, "跨境贸易新机制")),
    ("第二篇 跨境贸易新机制", ("第N", 2, "跨境贸易新机制")),
    ("案例之十一\u3000跨境贸易新机制", ("案例N", 11, "跨境贸易新机制")),  # 之 marks an ordinal, like 第
    ("案例第三：跨境贸易新机制", ("案例N", 3, "跨境贸易新机制")),
    # a label of its own before the number: the family is the label, a separator must follow the number
    ("重点案例1\u3000数字口岸监管新模式", ("重点案例N", 1, "数字口岸监管新模式")),
    ("【重点案例】01 数字口岸监管新模式", ("【重点案例】N", 1, "数字口岸监管新模式")),
    ("专题三：跨境贸易新机制", ("专题N", 3, "跨境贸易新机制")),
    ("Case 2: Port reform", ("CaseN", 2, "Port reform")),
    # Roman numerals are numbers; a label and its number may stand alone, the title on the next line
    ("CASE XIV", ("CASEN", 14, "")),
    ("Case IX: Port reform", ("CaseN", 9, "Port reform")),
    ("案例Ⅱ：数字口岸监管新模式", ("案例N", 2, "数字口岸监管新模式")),
    # must not fire
    ("12.5%。纳入监管的企业数量持续增加", None),
    ("5.42 亿条数据", None),
    ("99.99%。", None),
    ("第二批制度创新案例", None),
    ("一是加强部门协同。", None),
    ("二〇二三年十二月", None),
    ("十佳案例", None),
    ("案例集", None),
    ("案例分析", None),
    ("案例之外的做法", None),
    ("表1　年度案例清单", None),  # captions are never titles
    ("图2 办理流程", None),
    ("近3年来企业数量持续增长", None),  # no separator after the number: running text
    ("截至2024年9月 名单企业增至132家", None),
    ("全年 1.2万吨", None),
    ("案例编号：XY-2023-07 ｜ 申报单位：青岚片区", None),  # a case code is no case number
    ("Case IIII", None),  # no numeral as written
    ("Part IVy of the plan", None),  # letters of a word are no numeral
    ("Vitamin C tablets", None),
])
def test_title_number(text, expected):
    assert patterns.title_number(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("青岚片区：数字口岸监管新模式", ("青岚片区", "数字口岸监管新模式")),
    ("青岚片区、鹭洲片区：跨境贸易新机制", ("青岚片区、鹭洲片区", "跨境贸易新机制")),
    ("星港市商务局：跨境贸易新机制", ("星港市商务局", "跨境贸易新机制")),
    ("青岚片区｜数字口岸监管新模式", ("青岚片区", "数字口岸监管新模式")),  # a web page's list sets the unit off by a bar
    ("青岚片区、星港海关|跨境贸易新机制", ("青岚片区、星港海关", "跨境贸易新机制")),
    # must not fire: what precedes the colon is no unit
    ("数字口岸：监管新模式探索", None),
    ("2023年：全年办理1200件", None),
    ("做法：建立数据平台", None),
    ("数字口岸｜监管新模式探索", None),
    ("指标 | 改革前 | 改革后", None),
])
def test_unit_prefix(text, expected):
    assert patterns.unit_prefix(text) == expected


@pytest.mark.parametrize("text,expected", [("◆ 青岚片区：标题", "◆"), ("■下一步工作目标", "■"), ("◎ 改革背景", "◎"),
                                           ("数字口岸", None), ("◆", None), ("—— 星港市", None)])
def test_bullet(text, expected):
    assert patterns.bullet(text) == expected


@pytest.mark.parametrize("text,expected", [("II", 2), ("XIV", 14), ("IX", 9), ("XXXIX", 39), ("Ⅻ", 12),
                                           ("IIII", None), ("VX", None), ("IC", None), ("", None)])
def test_roman_to_int(text, expected):
    assert patterns.roman_to_int(text) == expected


@pytest.mark.parametrize("text,expected", [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23),
                                           ("一百零五", 105), ("7", 7), ("甲", None)])
def test_cn_to_int(text, expected):
    assert patterns.cn_to_int(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("（星港市提供）", ("星港市", "bracket")),
    ("(星港市、银湾市提供）", ("星港市、银湾市", "bracket")),
    ("（青岚片区）", ("青岚片区", "bracket")),
    ("（星港自贸试验区提供）", ("星港自贸试验区", "bracket")),
    ("（星港市商务局供稿）", ("星港市商务局", "bracket")),
    ("报送单位：星港市商务局", ("星港市商务局", "field")),
    ("（供稿单位：银湾市发展改革委）", ("银湾市发展改革委", "field")),
    ("来源单位: 明川海关", ("明川海关", "field")),
    ("—— 星港市自贸办", ("星港市自贸办", "dash")),
    ("——银湾市供稿", ("银湾市", "dash")),
    # a line of fields: the first one whose label names a provider (the lead unit, not the participants)
    ("牵头单位：星港市商务局；参与单位：银湾海关、明川市税务局", ("星港市商务局", "field")),
    ("牵头单位：青岚片区、鹭洲片区", ("青岚片区、鹭洲片区", "field")),
    ("案例编号：XY-2023-07　｜　申报单位：青岚片区（青岚综合保税区）", ("青岚片区（青岚综合保税区）", "field")),
    ("来源：星港市自贸试验区管委会", ("星港市自贸试验区管委会", "field")),
    ("推荐单位：明川市人民政府 | 领域：贸易便利化", ("明川市人民政府", "field")),
    # an official name holds a bracketed place; it is one name, in a field line, a table row or a bracket line
    ("供稿：中国（星港）自由贸易试验区青岚片区管理委员会", ("中国（星港）自由贸易试验区青岚片区管理委员会", "field")),
    ("| 申报单位 | 中国（星港）自由贸易试验区管理委员会 |", ("中国（星港）自由贸易试验区管理委员会", "field")),
    ("（中国（星港）自贸试验区提供）", ("中国（星港）自贸试验区", "bracket")),
    ("| 案例名称 | 数字口岸 | 申报单位 | 星港市商务局 |", ("星港市商务局", "field")),  # a form's row of two fields
    # a label in 【】 is a field like label：value; co-applicants are never the provider, wherever they stand
    ("【申报主体】星港海关", ("星港海关", "field")),
    ("申报单位：星港东区管理委员会\u3000\u3000联合申报：银湾海关", ("星港东区管理委员会", "field")),
    ("联合申报：银湾海关\u3000\u3000申报单位：星港东区管理委员会", ("星港东区管理委员会", "field")),
    # must not fire
    ("——记一线关员的改革故事", None),
    ("—推广应用”的工作推进模式，树", None),
    ("（以下简称“平台”）", None),
    ("（2023年第二批）", None),
    ("（来源：自贸试验区工作简报）", None),
    ("报送单位：星港市商务局。该局负责统筹。", None),
    ("（2023年第1批报送）", None),  # a batch note under a title, not a unit
    ("—— 本材料经星港市自贸办综合处审核", None),  # a reviewer, not the provider
    ("责任编辑：综合处", None),
    ("参与单位：银湾海关", None),
    ("案例编号：XY-2023-07", None),
    ("编者按：本期收录4项改革，亮点如下：", None),
    ("（本期稿件由各片区综合办提供，星港市自贸办（综合处）汇编）", None),
    ("| 协作单位 | 星港海关 |", None),  # a partner, not the provider
    ("| 申报单位 | 联系处室 | 联系人 |", None),  # a contact table's header
    ("【协同单位】银湾市商务局、银湾市交通运输局", None),
    ("联合申报：银湾海关", None),
    ("【关键词】通关便利；协同监管", None),
    ("【改革背景】", None),
])
def test_provider_line(text, expected):
    assert patterns.provider_line(text) == expected


@pytest.mark.parametrize("text,title,section", [
    ("| 案例名称 | 数字口岸监管新模式 |", "数字口岸监管新模式", None),
    ("| 案例名称 | 数字口岸监管新模式 | 所属领域 | 贸易便利化 |", "数字口岸监管新模式", None),  # two fields in a row
    ("| 主要做法 | 一是建立平台。二是推行网办。 |", None, "主要做法"),
    ("| 复制推广价值 | 可在沿海口岸推广。 |", None, "复制推广价值"),
    # must not fire: other fields, data rows, rows that do not pair up
    ("| 协作单位 | 星港海关 |", None, None),
    ("| 指标 | 数值 |", None, None),
    ("| 平均办理时间 | 2小时 |", None, None),
    ("| 2023年 | 案例名称 |", None, None),
    ("| 案例名称 | 数字口岸监管新模式 | 贸易便利化 |", None, None),
    ("案例名称：数字口岸监管新模式", None, None),  # a field line, not a form's row
])
def test_form_rows(text, title, section):
    assert (patterns.record_title(text), patterns.record_section(text)) == (title, section)


@pytest.mark.parametrize("text,expected", [
    ("【改革背景】", "改革背景"),
    ("二、实践效果", "实践效果"),
    ("三、主要做法（操作性）", "主要做法"),
    ("四、实践成效与意义", "实践成效与意义"),
    ("做法：", "做法"),
    ("## 目 录", None),  # markdown marks are gone by the time labels are checked
    ("目 录", "目录"),
    ("1.改革背景", "改革背景"),
    ("◎ 改革背景", "改革背景"),  # a bullet is no part of the label
    ("◇ 下一步打算", "下一步打算"),
    ("典型事例", "典型事例"),
    ("背景 Background", "背景"),  # a bilingual label: the translation is no part of it
    ("推广价值 Replicability", "推广价值"),
    # must not fire: titles and group headings
    ("数字口岸监管新模式", None),
    ("一、贸易便利化类", None),
    ("背景音乐版权服务平台", None),
    ("案例一：主要做法", None),  # a case named by its numbering is a title whatever follows
    ("Background", None),
    ("数字口岸 Digital port", None),
])
def test_section_label(text, expected):
    assert patterns.section_label(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("做法：通过建立数据平台实现共享。", "做法"),
    ("【成效】办理时间缩短一半。", "成效"),
    ("主要做法：一是建立平台。", "主要做法"),
    ("▶ 怎么做：建立数据平台，实现共享。", "怎么做"),
    ("▲做法\u3000一是建立数据平台。", "做法"),  # a label set off by a wide space
    # must not fire
    ("2023年：全年办理1200件。", None),
    ("星港市：建立数据平台。", None),
    ("做法：", None),  # a label alone is a heading, not a run-in
])
def test_label_lead(text, expected):
    assert patterns.label_lead(text) == expected


@pytest.mark.parametrize("text,bold_lead,expected", [
    ("▲成效\u3000办理时间缩短一半。", "", "成效"),
    ("【成效】办理时间缩短一半。", "", "成效"),
    ("做法：建立数据平台。", "做法：", "做法"),
    # must not fire: a plain paragraph opening with a label word is running text
    ("做法：建立数据平台。", "", None),
    ("成效\u3000办理时间缩短一半。", "", None),
    ("▲青岚片区\u3000举办对接会。", "", None),
])
def test_run_in_label(text, bold_lead, expected):
    assert patterns.run_in_label(text, bold_lead) == expected


@pytest.mark.parametrize("text,expected", [
    ("【2024-06-07】数字口岸监管新模式", "数字口岸监管新模式"),
    ("[2024.6.7] 数字口岸监管新模式", "数字口岸监管新模式"),
    ("【6月7日】青岚片区举办对接会", "青岚片区举办对接会"),
    # must not fire
    ("【案例3】数字口岸监管新模式", None),
    ("【2024-06-07】", None),
    ("2024-06-07 数字口岸监管新模式", None),
])
def test_dated_headline(text, expected):
    assert patterns.dated_headline(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("2024年第6期（总第41期）", True),
    ("第12期", True),
    ("2024年6月28日", True),
    ("星港市商务局（市自贸办）编　　2024年6月28日", True),
    # must not fire: the rest of a title
    ("制度创新案例汇编", False),
    ("（2021年第一批）", False),
    ("2024年度最佳实践案例", False),
])
def test_masthead_line(text, expected):
    assert bool(patterns.MASTHEAD_LINE.search(text)) == expected


def test_markup_hints_survive_cleaning():
    doc = clean("% 汇编标题\n\n## 案例一：甲\n\n**做法：**建立平台。\n\n**一、主要做法**\n\n| 指标 | 数值 |\n| --- | --- |\n| 时长 | 2小时 |\n")
    got = [(ln.text, ln.title_mark, ln.md_level, ln.bold, ln.bold_lead, ln.table_row) for ln in doc.lines]
    assert got == [
        ("汇编标题", True, 0, False, "", False),
        ("案例一：甲", False, 2, False, "", False),
        ("做法：建立平台。", False, 0, False, "做法：", False),
        ("一、主要做法", False, 0, True, "", False),
        ("| 指标 | 数值 |", False, 0, False, "", True),
        ("| 时长 | 2小时 |", False, 0, False, "", True),
    ]


@pytest.mark.parametrize("footer", ["34", "— 3 —", "-12-", "第 3 页", "第3页 共20页", "3 / 20"])
def test_page_numbers_are_dropped(footer):
    assert clean(f"正文第一行。\n\n{footer}\n\n正文第二行。").text == "正文第一行。\n正文第二行。"


@pytest.mark.parametrize("line", ["12.5%", "2023", "第二批", "共3页说明", "—— 3号线"])
def test_not_page_numbers(line):
    assert line in clean(f"正文。\n\n{line}\n\n正文。").text


def test_bare_numbers_among_table_cells_are_figures_not_page_numbers():
    """A PDF extraction puts each table cell on a line: 41 / 45 / 52 next to each other are figures."""
    text = clean("航线（条）\n41\n45\n52\n货量（万吨）\n—\n3.6\n11.8\n正文。\n\n34\n\n正文。").text
    assert "41\n45\n52" in text and "—\n3.6\n11.8" in text
    assert "\n34\n" not in text  # a page number alone between paragraphs still goes


def test_short_document_of_headings_is_not_hard_wrapped():
    lines = ["汇编"] + ["一、改革背景", "（一）建立机制", "明确分工。", "（二）推行线上办理", "全程网办。"] * 5
    assert not clean("\n\n".join(lines)).hard_wrapped


def test_hard_wrapped_bilingual_lines_keep_their_breaks():
    """Wrapped PDF text: a translation under its original, a label with its translation and a contents row each stay
    a line of their own, while the wrapped body around them is joined."""
    para = "为破解企业反映集中的通关难题，有关部门推出该项改革，试点以来累计服务企业一百二十家，带动进出口额明显增长。"
    rows = ["目录 Contents", "II 数字口岸监管新模式 …… 2", "V 跨境贸易新机制 …… 3", "CASE II", "数字口岸“单窗通”监管新模式",
            "Single-window port supervision", "背景 Background"]
    rows += [para[j:j + 22] for j in range(0, len(para), 22)] * 3
    rows += ["成效 Results"] + [para[j:j + 22] for j in range(0, len(para), 22)] * 3
    lines = clean("\n".join(rows)).lines
    assert [ln.text for ln in lines[:7]] == rows[:7]
    assert [ln.text for ln in lines[7:]] == [para] * 3 + ["成效 Results"] + [para] * 3


@pytest.mark.parametrize("who,lead", [
    # a list of bodies: the first applied, the others joined it
    ("星港海关、银湾海关、明川海关", "星港海关"),
    ("中国（星港）自由贸易试验区青岚片区管理委员会、星港海关", "中国（星港）自由贸易试验区青岚片区管理委员会"),
    ("青岚片区、星港海关", "青岚片区"),
    # must not fire: one unit, or a list of places (they did the case together)
    ("星港市商务局", "星港市商务局"),
    ("青岚片区、鹭洲片区", "青岚片区、鹭洲片区"),
    ("星港市、银湾市、明川市", "星港市、银湾市、明川市"),
])
def test_lead_unit(who, lead):
    assert patterns.lead_unit(who) == lead


@pytest.mark.parametrize("text,expected", [
    ("首页 > 政务公开 > 政策文件 > 通知公告", True),
    ("首页 » 新闻中心 » 工作动态", True),
    # must not fire
    ("星港省商务厅关于印发最佳实践案例的通知", False),
    ("增速 > 10%", False),
    ("进口额由3亿元增至5亿元，增速>10%，出口增速>8%，总额>百亿元。", False),
])
def test_breadcrumb(text, expected):
    assert bool(patterns.BREADCRUMB.match(text)) is expected


def _headings(raw: str) -> list[tuple[int, str]]:
    return [(line.md_level, line.text) for line in clean(raw).lines]


@pytest.mark.parametrize("raw,expected", [
    # setext: the paragraph right above === / --- is a heading, its lines one title
    ("星港案例汇编\n（第二批）\n=====\n\n案例之十一　跨境贸易\n新机制\n------\n\n正文。",
     [(1, "星港案例汇编（第二批）"), (2, "案例之十一　跨境贸易新机制"), (0, "正文。")]),
    # a banner frames a heading, over up to three lines
    ("━━━━━━\n篇目一　跨境贸易\n新机制\n━━━━━━\n【申报主体】星港海关",
     [(1, "篇目一　跨境贸易新机制"), (0, "【申报主体】星港海关")]),
    # must not fire: --- after a blank line is a thematic break; * * * too; a list item or a table row over --- is none
    ("正文一。\n\n---\n\n正文二。\n\n* * *\n\n正文三。", [(0, "正文一。"), (0, "正文二。"), (0, "正文三。")]),
    ("- 甲项\n- 乙项\n---\n\n正文。", [(0, "- 甲项"), (0, "- 乙项"), (0, "正文。")]),
    # a blank line inside the box, or more than three lines: rules, not a frame
    ("━━━━━━\n第一段\n\n第二段\n━━━━━━", [(0, "第一段"), (0, "第二段")]),
    ("━━━━━━\n一行。\n二行。\n三行。\n四行。\n━━━━━━", [(0, "一行。"), (0, "二行。"), (0, "三行。"), (0, "四行。")]),
])
def test_setext_headings_and_banners(raw, expected):
    assert _headings(raw) == expected


@pytest.mark.parametrize("texts,starts", [
    # a label and number alone (第二篇 / 案例3 / CASE IX) heads what follows: a contents row before it never runs on
    (["目录", "第一篇", "数字口岸监管新模式", "第二篇", "跨境贸易新机制"], {1, 3}),
    (["正文未完", "CASE IX", "Port reform"], {1}),
    # must not fire: a number with its title (a provider line must follow), a batch, a label naming no case
    (["正文未完", "第二篇 跨境贸易新机制", "正文续"], set()),
    (["正文未完", "第二批制度创新案例", "正文续"], set()),
    (["正文未完", "专题三", "正文续"], set()),
])
def test_a_label_and_number_alone_starts_a_block(texts, starts):
    assert patterns.block_starts(texts) == starts


# ---------------------------------------------------------------- the fallback's providers: rows where they must not fire


@pytest.mark.parametrize("text,unit", [
    ("报送单位：星港市商务局、银湾海关", "星港市商务局"),
    ("单位：明川片区管委会", "明川片区管委会"),
    ("注：本案例由星港海关、星港市商务局联合提供。", "星港海关"),
    ("由云衢综合保税区管理委员会报送", "云衢综合保税区管理委员会"),
    ("（金穗市发展改革委）", "金穗市发展改革委"),
    # not a provider: a note, a date, a sentence mentioning a unit in passing, a label without a unit
    ("（试行）", None),
    ("（2024年第1批）", None),
    ("由企业自主申报后，海关在24小时内完成审核并反馈结果，全程无需企业往返窗口办理，大幅节约了时间和成本，获得企业好评。", None),
    ("单位：万元", None),
    ("做法：由海关提供数据支撑", None),
])
def test_fallback_line_provider(text, unit):
    from ingest.fallback import line_provider

    assert line_provider(text) == unit


@pytest.mark.parametrize("title,expected", [
    ("数字口岸监管新模式（星港市商务局）", ("数字口岸监管新模式", "星港市商务局")),
    ("数字口岸监管新模式（银湾海关、星港市商务局）", ("数字口岸监管新模式", "银湾海关")),
    ("数字口岸监管新模式——明川片区管委会", ("数字口岸监管新模式", "明川片区管委会")),
    # a bracket that names no unit stays in the title
    ("数字口岸监管新模式（试行）", ("数字口岸监管新模式（试行）", None)),
    ("“单一窗口”2.0版（升级版）", ("“单一窗口”2.0版（升级版）", None)),
])
def test_fallback_title_provider(title, expected):
    from ingest.fallback import title_provider

    assert title_provider(title) == expected


@pytest.mark.parametrize("cells,columns", [
    (["序号", "案例名称", "报送单位", "主要内容"], (0, 1, 2)),
    (["编号", "改革事项", "申报主体", "具体做法"], (0, 1, 2)),
    (["案例标题", "牵头部门", "内容"], (None, 0, 1)),
    # not a header: two columns (a form's field row), a long cell, no column naming a title
    (["案例名称", "数字口岸"], None),
    (["序号", "指标", "数值"], None),
    (["序号", "案例名称", "为破解企业反映集中的通关难题而推出的改革"], None),
])
def test_fallback_header_columns(cells, columns):
    from ingest.fallback import _header_columns

    assert _header_columns(cells) == columns
