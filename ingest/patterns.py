"""The textual patterns of Chinese policy documents that cleaning and structure detection share."""

from __future__ import annotations

import re
from pathlib import Path

CN_NUM = "一二三四五六七八九十"
_TERMINAL = "。！？；：!?;"

# 一、经验背景 / 3、 主要做法 (001 numbers one L1 heading with a digit)
L1_HEADING = re.compile(rf"^(?:[{CN_NUM}]+、|\d{{1,2}}、(?=\s*\S{{1,15}}$))")
# （一）搭建备案单证数据平台 / (二) 推动四大创新。
L2_HEADING = re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[）)]")
# 1. 建设综合服务平台。… — but never 12.5%。 / 99.99% / 5.42 亿条, which continue a wrapped figure.
L3_HEADING = re.compile(r"^\d{1,2}[.．](?!\d)\s*")
# A unit's name may hold a bracketed place, as official names do: 中国（星港）自由贸易试验区青岚片区管理委员会.
# One bracket pair counts as one part of the name, so a name never swallows the bracket that closes its line.
_UNIT = r"(?:[^（）()：:。；;]|[（(][^（）()：:。；;]{1,12}[）)])"
# （舟山片区） / (上海市提供） / （北京市、重庆市、大连市、苏州市提供） / （X供稿）
PROVIDER_LINE = re.compile(
    rf"^[（(［〔]\s*(?P<who>{_UNIT}{{2,40}}?)\s*(?:(?P<provided>提供|供稿|报送)|(?<=片区))\s*[）)］〕]$"
)
# 报送单位：X / 供稿单位：X / （来源单位：X） / 供稿：X — a field naming the provider, under the title or
# after the body; also a two-cell table row | 报送单位 | X |
PROVIDER_FIELD = re.compile(
    rf"^[（(]?\s*(?:(?:报送|供稿|来源|提供|推荐|申报)单位|供稿)\s*[：:]\s*(?P<who>{_UNIT}{{2,40}}?)\s*[）)]?$"
)
# A line of fields, "label：value" parts joined by ；/ ｜ / |: 牵头单位：X；参与单位：Y / 案例编号：… ｜ 申报单位：X /
# 来源：X. The provider is the value of the first field whose label names one (<word>单位 for the words below,
# or a bare 来源 / 供稿 / 报送 / 申报); 参与单位 (participants) or a case code is not it. A value may hold
# brackets, like any unit's name (X片区（Y综合保税区）, 中国（X）自由贸易试验区Y片区管理委员会).
PROVIDER_LABELS = frozenset({"来源", "供稿", "报送", "申报"} | {
    w + "单位" for w in ("报送", "供稿", "来源", "提供", "推荐", "申报", "牵头")} | {
    w + "主体" for w in ("申报", "报送", "实施")})  # 申报主体：X — the body that applied, as forms call it
# Labels naming the units that joined the one reporting the case (co-applicants, partners): never its provider,
# wherever they stand on the line (申报单位：X　联合申报：Y / 【协同单位】Y under 【申报主体】X).
CO_UNIT_LABELS = frozenset({"联合申报", "联合申报单位", "协同单位", "协作单位", "参与单位", "配合单位", "合作单位",
                            "支持单位", "共同申报", "共同申报单位"})
_FIELD = re.compile(r"^(?P<label>[\u4e00-\u9fff]{2,6})\s*[：:]\s*(?P<value>\S.*?)$")
# 【申报主体】X: a label set in lenticular brackets instead of followed by a colon, as field lists print it
_BRACKET_FIELD = re.compile(r"^【\s*(?P<label>[\u4e00-\u9fff]{2,6})\s*】\s*(?P<value>\S.*?)$")
_FIELD_SPLIT = re.compile(r"\s*(?:[；;｜|]|\s{2,}|\u3000+)\s*")
_FIELD_VALUE = re.compile(r"^(?:[^（）()：:。，,；;！？!?“”]|[（(][^（）()：:。；;]{1,24}[）)]){2,40}$")
# What a provider never is: a date or a batch (（2023年第1批报送） is a submission note under a title).
_NOT_A_UNIT = re.compile(r"^\d|\d{4}\s*年|第\s*[\d一二三四五六七八九十]+\s*[批期号]")
# —— X / ——X供稿 after a case's body. Unless it says 供稿/提供, only a name that looks like an
# organisation or a place counts, so a subtitle (——记…) or a dash-led sentence does not.
_DASH = r"^(?:—{2}|-{2}|─{2})\s*(?P<who>[^，。；：:,;！？!?“”\s]{2,40}?"
PROVIDER_DASH = re.compile(
    _DASH + r"(?:市|区|县|省|州|局|委|会|办|室|厅|部|署|处|站|院|所|中心|公司|集团|政府|片区|海关|银行|试验区|保税区|港|园))"
    r"\s*(?:供稿|提供|报送)?$|" + _DASH.replace("?P<who>", "?P<who2>") + r")\s*(?:供稿|提供)$"
)
# （来源：浙江自贸微信公众号） — the line that ends a news item in 000's layout
SOURCE_LINE = re.compile(r"^[（(]\s*来源\s*[：:](?P<source>.+?)[）)]$")
# A dated item's header: 【2023-11-05】标题 / [2023.11.5] 标题 / 【11月5日】标题. A bulletin dates every item, news and
# cases alike, so the date says when, not what: structure detection counts a dated item as a case only when it
# has a case's sections (背景 / 做法 / 成效).
_DATED = re.compile(
    r"^[【\[〔]\s*(?:\d{4}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?|\d{1,2}\s*月\s*\d{1,2}\s*日)\s*[】\]〕]"
    r"\s*(?P<rest>\S.*)$")
# What a periodical prints under its name: the issue (2023年第3期（总第41期）), a date, the editor with the date
# (星港市自贸办编　2023年11月30日). None of it is part of the title.
MASTHEAD_LINE = re.compile(
    r"第\s*\d{1,4}\s*期|^\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?$"
    r"|(?:[）)]|厅|局|办|委|会|室|部|院|中心|政府)\s*(?:编印|编发|编|主办)\s+\d{4}\s*年[\d\s月日]*$"
    # a cover's date in Chinese numerals (二〇二四年 / 二〇二四年三月): when, not what
    r"|^[〇零一二三四五六七八九]{4}\s*年(?:\s*[一二三四五六七八九十]{1,2}\s*月(?:\s*[一二三四五六七八九十]{1,3}\s*日)?)?$")
# A saved web page's breadcrumbs, where the page sits on its site: 首页 > 新闻中心 > 工作动态. Navigation, never a title.
# Its parts are names, so no sentence punctuation: 增速>10%，出口增速>8% is a sentence comparing figures.
_CRUMB = r"[^>»›＞，。；！？,;!?]{1,16}"
BREADCRUMB = re.compile(rf"^{_CRUMB}(?:\s*[>»›＞]\s*{_CRUMB}){{2,}}$")
# TOC rows end in dot leaders and a page number: "1. 黄河流域… .....\t1"
TOC_LEADER = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*\d*\s*$|\t\s*\d{1,3}$")
# A provider glued to the end of a title: 标题（X片区） / 标题（X提供） / 标题【X片区】
INLINE_PROVIDER = re.compile(r"(?:[（(](?P<who>[^（）()]{2,20}?(?:片区|提供))[）)]|【(?P<who2>[^【】]{2,20}?(?:片区|提供))】)\s*$")
ZONE_IN_HEADLINE = re.compile(
    r"[\u4e00-\u9fff]{2,3}(?:自由贸易试验区|自贸试验区|自贸区|自贸港)(?:[\u4e00-\u9fff]{2,3}?片区)?"
)


def ends_sentence(text: str) -> bool:
    """A line ending in sentence punctuation (possibly inside a closing quote/bracket)."""
    stripped = text.rstrip("”’\"'）)】」")
    return bool(stripped) and stripped[-1] in _TERMINAL


def heading_level(text: str) -> int:
    """1/2/3 for numbered Chinese headings, 0 otherwise (levels come from numbering, not markdown)."""
    if L1_HEADING.match(text):
        return 1
    if L2_HEADING.match(text):
        return 2
    if L3_HEADING.match(text) and not TOC_LEADER.search(text) and not INLINE_PROVIDER.search(text):
        return 3
    return 0


def is_heading_line(text: str) -> bool:
    return heading_level(text) > 0


# What names a place rather than a body: a list of places (甲片区、乙片区 / 北京市、重庆市) says where a case was
# done, all of them; a list of bodies (X海关、Y海关 / X管理委员会、Y局) names who applied, the first being the lead.
_PLACE_SUFFIXES = ("区", "市", "省", "县", "州")


def lead_unit(who: str) -> str:
    """The provider of a list of units: the places of a case all together, else the lead (first) body."""
    parts = [part.strip() for part in who.split("、")]
    if len(parts) < 2 or all(part.endswith(_PLACE_SUFFIXES) for part in parts):
        return who
    return parts[0]


def provider_of(text: str) -> str | None:
    """The provider named by a standalone （X提供） / （X片区） / 报送单位：X / —— X line, else None."""
    found = provider_line(text)
    return found[0] if found else None


def provider_line(text: str) -> tuple[str, str] | None:
    """(provider, form) of a provider line; form is "bracket", "field" or "dash" (the last only after a body).
    A table row is one when a field of it names the provider: | 报送单位 | X | / | 案例名称 | … | 申报单位 | X |."""
    text = text.strip()
    if text.startswith("|"):
        for label, value in table_fields(text):
            m = PROVIDER_FIELD.match(f"{label}：{value}")
            if m:
                who = m.group("who").strip()
                return (who, "field") if not _NOT_A_UNIT.search(who) else None
        return None
    for form, pattern in (("bracket", PROVIDER_LINE), ("field", PROVIDER_FIELD), ("dash", PROVIDER_DASH)):
        m = pattern.match(text)
        if m:
            who = (m.groupdict().get("who") or m.group("who2")).strip()
            return (who, form) if not _NOT_A_UNIT.search(who) else None
    who = field_provider(text)
    return (who, "field") if who else None


# ---------------------------------------------------------------- forms: tables whose first column holds labels

# A field label: a short name, no figure in it (案例名称 / 申报单位 / 主要做法), as opposed to a data cell.
_FIELD_LABEL = re.compile(r"^[\u4e00-\u9fff（）()、/]{2,10}$")
# The labels under which a form (申报表, a case card) names its case: the row that opens a case record.
# A form's other labels are its providers (PROVIDER_LABELS: 申报单位 …), section labels (section_labels.txt:
# 主要做法 …) or neither (协作单位, 所属领域, 联系人): only these three kinds mean anything to structure.
TITLE_FIELDS = frozenset({"案例名称", "案例标题", "案例题目", "项目名称", "事项名称", "改革事项", "改革事项名称", "成果名称",
                          "经验名称", "举措名称", "创新举措名称", "创新成果名称", "实践案例名称", "典型案例名称"})


def table_cells(text: str) -> list[str]:
    """The cells of a table row "| a | b |", else []."""
    text = text.strip()
    if len(text) < 3 or not (text.startswith("|") and text.endswith("|")):
        return []
    return [cell.strip() for cell in text[1:-1].split("|")]


def table_fields(text: str) -> list[tuple[str, str]]:
    """(label, value) pairs of a form's row: | 申报单位 | X | or two pairs side by side | 案例名称 | X | 领域 | Y |;
    [] for any other row (a data row's first cell is a name or a figure, and its cells do not pair up)."""
    cells = table_cells(text)
    if not cells or len(cells) % 2:
        return []
    pairs = [(re.sub(r"\s+", "", label), value) for label, value in zip(cells[::2], cells[1::2])]
    return pairs if all(_FIELD_LABEL.match(label) for label, _ in pairs) else []


def record_title(text: str) -> str | None:
    """The case title a form's row gives (| 案例名称 | X |), else None."""
    return next((value for label, value in table_fields(text) if label in TITLE_FIELDS and value), None)


def record_section(text: str) -> str | None:
    """The section label a form's row opens (| 主要做法 | 一是… |), else None."""
    fields = table_fields(text)
    return section_label(fields[0][0]) if len(fields) == 1 else None


def field_provider(text: str) -> str | None:
    """The provider named by a line of "label：value" fields (牵头单位：X；参与单位：Y → X), else None."""
    text = text.strip()
    if SOURCE_LINE.match(text):
        return None  # （来源：…） closes a news item and names where it was published, not who reported the case
    if text[:1] in "（(" and text[-1:] in "）)":
        text = text[1:-1].strip()
    bracketed = _BRACKET_FIELD.match(text)
    if bracketed:
        text = f"{bracketed.group('label')}：{bracketed.group('value')}"
    fields = [_FIELD.match(part) for part in _FIELD_SPLIT.split(text) if part]
    if not fields or any(f is None for f in fields):
        return None
    for f in fields:
        assert f is not None
        label = re.sub(r"\s+", "", f.group("label"))
        if label in CO_UNIT_LABELS:
            continue  # a co-applicant, even when it is named first
        if label in PROVIDER_LABELS:
            value = f.group("value").strip()
            if _FIELD_VALUE.match(value) and not _NOT_A_UNIT.search(value):
                return fullwidth_brackets(value)
            return None
    return None


def dated_headline(text: str) -> str | None:
    """The headline of a dated item (【2023-11-05】标题 → 标题), else None."""
    m = _DATED.match(text.strip())
    return m.group("rest").strip() if m else None


def is_source_line(text: str) -> bool:
    return bool(SOURCE_LINE.match(text.strip()))


def fullwidth_brackets(text: str) -> str:
    """Short heading-like lines get full-width brackets; long paragraphs keep theirs verbatim."""
    if len(text) > 60:
        return text
    return text.replace("(", "（").replace(")", "）")


def heading_label(text: str, limit: int = 40) -> str:
    """What a heading contributes to a section path: the line, or its lead phrase for run-in heads."""
    text = strip_bullet(text)
    if len(text) <= limit and not ends_sentence(text[:-1] if ends_sentence(text) else text):
        return fullwidth_brackets(text.rstrip("。：:"))
    lead = re.split(r"[。：:；;]", text, maxsplit=1)[0]
    return fullwidth_brackets(lead[:limit]) + ("…" if len(lead) > limit else "")


def block_starts(texts: list[str]) -> set[int]:
    """Lines that open a new block in hard-wrapped text: headings, provider/source lines, case titles."""
    starts: set[int] = set()
    for i, text in enumerate(texts):
        if is_heading_line(text) or provider_of(text) or is_source_line(text):
            starts.add(i)
        elif title_number(text) and any(provider_of(t) for t in texts[i + 1 : i + 4]):
            starts.add(i)  # a numbered title (1. / 案例一： / 【案例3】): a provider line follows within a few lines
        elif _label_alone(text):
            starts.add(i)  # 第二篇 / 案例3 alone on its line heads what follows; no line before it runs on into it
    return starts


def _label_alone(text: str) -> bool:
    numbered = title_number(text)
    return bool(numbered and not numbered[2] and names_case(numbered[0]))


def standalone_lines(texts: list[str]) -> set[int]:
    """Lines never joined to a neighbour: provider and source lines, section labels (a whole label is complete on
    its line), contents rows (they end in their page number, so the next row would run on), and a news headline
    after a source line."""
    alone: set[int] = set()
    for i, text in enumerate(texts):
        if provider_of(text) or is_source_line(text) or section_label(text) or TOC_LEADER.search(text):
            alone.add(i)
        if is_source_line(text):
            # 000's layout: the item's headline is the (at most two) short lines after its source line.
            for j in range(i + 1, min(i + 3, len(texts))):
                if ends_sentence(texts[j]) or is_source_line(texts[j]):
                    break
                alone.add(j)
    return alone


# ---------------------------------------------------------------- numbered titles and section labels

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUMERAL = r"[零〇一二两三四五六七八九十百]{1,5}"
# Roman numerals are numbers too (CASE IX / 案例Ⅱ): Latin capitals I, V, X only (up to 39, more than any collection
# numbers), never glued to a Latin word, and the Unicode forms Ⅰ…Ⅻ.
_ROMAN_NUMERAL = r"[IVX]{1,6}(?![A-Za-z])|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ]"
_NUMBER = rf"\d{{1,3}}|{_CN_NUMERAL}|{_ROMAN_NUMERAL}"
_NUM = rf"(?P<n>{_NUMBER})"
# A case number may stand in brackets after its label: 案例（1） / 案例(三) / 典型案例〔2〕 (group nb), or bare (group n).
_NUM_BRACKETED = rf"(?:[（(〔\[]\s*(?P<nb>{_NUMBER})\s*[）)〕\]]|{_NUM})"
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
_ROMAN_SIGNS = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ"


def cn_to_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十三 → 23, 一百零五 → 105, "7" → 7; None when it is no number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in "十百":
            total += (1 if digit is None else digit) * (10 if ch == "十" else 100)
            digit = None
        else:
            return None
    return total + (digit or 0) if total or digit is not None else None


def roman_to_int(text: str) -> int | None:
    """II → 2, XIV → 14, Ⅸ → 9; None unless the letters are a numeral as written (IIII and VX are not)."""
    if len(text) == 1 and text in _ROMAN_SIGNS:
        return _ROMAN_SIGNS.index(text) + 1
    if not text or any(ch not in _ROMAN_VALUES for ch in text):
        return None
    values = [_ROMAN_VALUES[ch] for ch in text]
    total = sum(-v if v < nxt else v for v, nxt in zip(values, values[1:] + [0]))
    return total if 0 < total < 40 and _to_roman(total) == text else None


def _to_roman(value: int) -> str:
    tens, ones = divmod(value, 10)
    return "X" * tens + ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][ones]


def numeral(text: str) -> int | None:
    """The value of a title's number, however it is written: 7, 十二, XIV, Ⅱ; None when it is no number."""
    roman = text in _ROMAN_SIGNS or text.isascii() and text.isalpha()
    return roman_to_int(text) if roman else cn_to_int(text)


# Numbering families of a title line, most specific first. A family is a pattern, not a level: the
# case level is whichever family repeats as siblings (see ingest/boundaries.py).
# What may stand between a case number and its title: 案例一：… / 案例1 | … / 案例2 —— …
_TITLE_SEP = r"(?:[：:.．、|｜/]|[-–—]{1,2})?"
TITLE_NUMBERING: list[tuple[str, re.Pattern[str]]] = [
    ("【案例N】", re.compile(rf"^[【\[〔]\s*案例\s*{_NUM}\s*[】\]〕]\s*{_TITLE_SEP}\s*(?P<rest>.*)$")),
    # 之 / 第 before the number mark it as an ordinal (案例之十一 / 案例第三), as 第 does on its own
    ("案例N", re.compile(rf"^案例\s*[之第]?\s*{_NUM_BRACKETED}\s*{_TITLE_SEP}\s*(?P<rest>(?![一二三四五六七八九十\d]).*)$")),
    ("第N", re.compile(rf"^第\s*{_NUM}\s*(?:个案例|案例|篇|章|部分|例|则)\s*{_TITLE_SEP}\s*(?P<rest>.*)$")),
    ("（一）", re.compile(rf"^[（(]\s*(?P<n>{_CN_NUMERAL})\s*[）)]\s*(?P<rest>.*)$")),
    ("一、", re.compile(rf"^(?P<n>{_CN_NUMERAL})\s*[、.．]\s*(?P<rest>.*)$")),
    ("（1）", re.compile(r"^[（(]\s*(?P<n>\d{1,3})\s*[）)]\s*(?P<rest>.*)$")),
    # 1.数字口岸… / 25、… — never 12.5%。 / 5.42 亿条, which continue a wrapped figure
    ("1.", re.compile(r"^(?P<n>\d{1,3})\s*[.．、]\s*(?!\d)(?P<rest>.*)$")),
]
STRONG_NUMBERING = {"【案例N】", "案例N", "第N"}  # these name a case by themselves

# Any other short label before a number: 典型案例1　标题 / 【典型案例】01 标题 / Case 2: Title / 专题3 标题.
# The family is the label itself ("典型案例N", "【典型案例】N"), so only lines repeating the same label are
# siblings. A separator (a space, ：, |, —, .) must stand between the number and the title, so running text
# (近3年来…) is no title; a caption (表1 / 图2 / 附件3) never is.
_LABEL = r"[\u4e00-\u9fff]{1,6}?|[A-Za-z]{2,12}"
_LABELLED = re.compile(
    # 之 / 第 mark the number as an ordinal (【典型案例之三】, 实践案例第2), as in 案例之十一.
    # The number after its label, outside brackets (典型案例1 / 【典型案例】01 / Case 2), in brackets of its own
    # (专题（2）), or inside the label's brackets (【典型案例之一】, [Case 3]).
    rf"^(?:[【\[〔]\s*(?P<inside>{_LABEL})\s*(?:[之第]\s*)?(?P<ni>{_NUMBER})\s*[】\]〕]"
    rf"|(?:[【\[〔]\s*(?P<bracketed>{_LABEL})\s*[】\]〕]|(?P<label>{_LABEL}))\s*(?:[之第]\s*)?"
    rf"(?:[（(〔]\s*(?P<nb>{_NUMBER})\s*[）)〕]|(?P<n>{_NUMBER})(?!\d|[.．]\d|%)))"
    # then a separator (a space, ：, |, —, .; a bracket is one) and the title, or nothing: CASE II
    r"(?:(?:\s*[：:.．、|｜/]|\s*[-–—]{1,2}|\s|(?<=[】\]〕）)]))\s*(?P<rest>\S.*)|\s*)$"
)
CAPTION_LABELS = frozenset({"表", "图", "附表", "附图", "附件", "图表", "表格", "注", "页", "第", "共", "约",
                            "table", "figure", "fig", "page", "chart", "annex", "appendix", "note"})
# A table's or a figure's caption: 表1-1　指标 / 图2 / 附表3 / Table 4. / Fig. 2 — set bold like a title, never one.
_CAPTION = re.compile(r"^[【\[]?\s*(?:表|图|附表|附图|图表|table|figure|fig\.?)\s*\d{1,3}(?:\s*[-－–.．]\s*\d{1,3})*(?!\d)",
                      re.I)


def is_caption(text: str) -> bool:
    return bool(_CAPTION.match(text.strip()))


# A label that says what it numbers is a case: 典型案例 / 案例 / 实践案例 / Case.
_CASE_LABEL = re.compile(r"(?:案例|事例|实例|范例)$|^(?:case|example)$", re.I)


def labelled_family(family: str) -> str | None:
    """The label of a generic labelled family ("典型案例N" → 典型案例, "【典型案例】N" → 典型案例), else None."""
    if family in STRONG_NUMBERING or not family.endswith("N") or any(family == f for f, _ in TITLE_NUMBERING):
        return None
    return family[:-1].strip("【】")


def names_case(family: str) -> bool:
    """Whether the numbering names a case by itself (案例一： / 【案例3】 / 第N篇 / 典型案例1 / Case 2:)."""
    label = labelled_family(family)
    return family in STRONG_NUMBERING or bool(label and _CASE_LABEL.search(label))


def title_number(text: str) -> tuple[str, int, str] | None:
    """(family, number, rest of the line) when the line opens with a title numbering, else None."""
    for family, pattern in TITLE_NUMBERING:
        m = pattern.match(text)
        if m:
            n = numeral(m.group("n") or m.groupdict().get("nb") or "")
            if n is not None:
                return family, n, m.group("rest").strip()
    m = _LABELLED.match(text)
    if m:
        label = m.group("inside") or m.group("bracketed") or m.group("label")
        n = numeral(m.group("n") or m.group("nb") or m.group("ni"))
        if n is not None and label.lower() not in CAPTION_LABELS:
            bracketed = m.group("bracketed") or m.group("inside")
            return (f"【{label}】N" if bracketed else f"{label}N"), n, (m.group("rest") or "").strip()
    return None


# Symbols that open a bulleted line: ◆ 标题 / ■ 下一步 / ◎ 改革背景 / ▶ 怎么做：… / ▲背景　…
BULLETS = "◆◇■□●○◎◉▶▷►▸▪▫•★☆※❖➢➤▲△"
_BULLET = re.compile(rf"^\s*([{BULLETS}])\s*")


def bullet(text: str) -> str | None:
    """The bullet symbol a line opens with, else None."""
    m = _BULLET.match(text)
    return m.group(1) if m and len(text) > m.end() else None


def strip_bullet(text: str) -> str:
    return _BULLET.sub("", text, count=1)


# A unit named at the head of a title line: 星港片区：标题 / 甲片区、乙片区：标题. Only the names of areas and
# bodies count, and boundaries.py believes it only when sibling titles repeat the form.
_UNIT_SUFFIX = ("片区", "新区", "试验区", "保税区", "综合保税区", "自贸区", "自贸港", "市", "县", "州", "省", "局", "委",
                "办", "中心", "海关", "管委会", "政府", "法院", "集团", "公司", "银行")
# The unit stands before a colon or a bar (星港片区：标题 / 星港片区｜标题), as a web page's list sets it off.
_UNIT_PREFIX = re.compile(r"^(?P<unit>[\u4e00-\u9fff、]{2,30}?)\s*[：:｜|]\s*(?P<rest>\S.{3,})$")


def unit_prefix(text: str) -> tuple[str, str] | None:
    """(unit, title) of a title line led by the unit that reports it, else None."""
    m = _UNIT_PREFIX.match(text)
    if not m:
        return None
    parts = m.group("unit").split("、")
    if not all(2 <= len(part) <= 14 and part.endswith(_UNIT_SUFFIX) for part in parts):
        return None
    return m.group("unit"), m.group("rest").strip()


def _load_labels() -> frozenset[str]:
    path = Path(__file__).with_name("section_labels.txt")
    words = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return frozenset(re.sub(r"\s+", "", w) for w in words if w)


SECTION_LABELS = _load_labels()
_LABEL_NOTE = re.compile(r"[（(][^（）()]{1,8}[）)]$")  # 特色亮点（创新性） → 特色亮点
_LABEL_JOINERS = re.compile(r"[与和及、]")
# 做法：… / 【做法】… / ▲做法　… (a label set off by a wide space, as bulletins print it)
_LABEL_LEAD = re.compile(
    rf"^\s*[{BULLETS}]?\s*(?:[【\[]\s*(?P<b>[^】\]]{{1,12}})\s*[】\]]|(?P<c>[^：:，。]{{1,12}})\s*[：:]"
    r"|(?P<d>[^\s：:，。]{1,12})(?:\u3000|\s{2,}))\s*\S")


# A bilingual document prints each label with its English translation after it: 主要做法 Main measures / 实践效果 Outcomes.
_TRANSLATION = re.compile(r"(?<=[\u4e00-\u9fff】\]：:])\s*[A-Za-z][A-Za-z&/'’ -]{1,40}$")


def section_label(text: str) -> str | None:
    """The label when a heading is a section label (背景 / 主要做法 / 【改革背景】 / 二、实践效果： / 实践效果 Outcomes),
    else None."""
    core = re.sub(r"\s+", "", _TRANSLATION.sub("", text))
    numbered = title_number(core)
    if numbered and not names_case(numbered[0]):
        core = numbered[2]
    core = strip_bullet(core)
    core = core.strip("【】[]〔〕「」《》").rstrip("：:。.")
    core = _LABEL_NOTE.sub("", core).strip("【】[]〔〕「」").rstrip("：:")
    if not core or len(core) > 12:
        return None
    parts = [part for part in _LABEL_JOINERS.split(core) if part]
    if core in SECTION_LABELS or parts and all(part in SECTION_LABELS for part in parts):
        return core
    return None


def run_in_label(text: str, bold_lead: str = "") -> str | None:
    """The section label a paragraph runs in with when its form sets the label apart (bold, 【】, a bullet):
    **做法：**通过… / 【成效】通过… / ▲做法　一是…; else None."""
    return label_lead(text) if bold_lead or text.startswith("【") or bullet(text) else None


def label_lead(text: str) -> str | None:
    """The section label a paragraph runs in with (做法：通过… / 【成效】通过…), else None."""
    m = _LABEL_LEAD.match(text)
    if not m:
        return None
    return section_label(m.group("b") or m.group("c") or m.group("d"))


# ---------------------------------------------------------------- vocabularies of the layout-agnostic fallback
# ingest/fallback.py segments a collection the layout detectors could not read. It knows no layout; these lists are
# what every collection shares: how units are named, how a provider is introduced, how a list of cases heads its
# columns. No word here comes from a particular document.

# How the name of a unit (the body or area that reports a case) ends: an area, an administration, a company, a bank.
# A trailing bracket or a field value is a provider only when it ends like this (标题（星港市商务局）), so a bracketed
# note (（试行）/（2024年版）) is never one.
UNIT_SUFFIXES = ("片区", "新区", "试验区", "保税区", "自贸区", "自贸港", "管委会", "管理委员会", "海关", "政府", "法院", "检察院",
                 "局", "厅", "委", "办", "办公室", "中心", "公司", "集团", "银行", "分行", "支行", "协会", "商会", "研究院",
                 "大学", "市", "县", "州", "省", "区", "港", "园")
# Labels that introduce the unit reporting a case, besides PROVIDER_LABELS (报送单位 / 申报单位 …): a slide or a list
# says it shorter (单位：X / 报送：X / 提供：X).
FALLBACK_PROVIDER_LABELS = frozenset({"单位", "提供", "报送", "申报", "供稿", "提供单位", "责任单位", "实施单位", "主办单位",
                                      "承办单位", "报送部门", "申报部门", "牵头部门", "案例来源", "来源单位"})
# The verbs of a sentence that names who reported the case: 由X报送 / 注：本案例由X提供.
PROVIDER_VERBS = ("报送", "提供", "供稿", "申报", "推荐", "撰写", "整理")
# Column headers of a list of cases (序号 | 案例名称 | 报送单位 | 主要内容): which column holds the number, the title,
# the provider. A header names its column by one of these words, or ends with one (改革事项名称, 申报主体).
NUMBER_HEADERS = frozenset({"序号", "编号", "号", "no", "no.", "#"})
TITLE_HEADER_ENDINGS = ("名称", "标题", "题目", "案例", "事项", "主题")
PROVIDER_HEADER_ENDINGS = ("单位", "部门", "主体", "地区", "片区", "来源", "报送", "申报")
# The markers of a question-and-answer layout (问：… / 答：… / Q：… / A：…): each pair is a part of a case, like a
# section under its label, so it is evidence of a case's structure, never a case of its own when titles stand above.
QA_MARKERS = frozenset({"问", "答", "提问", "回答", "q", "a"})


def is_unit(name: str) -> bool:
    """Whether a short name is a unit's (星港片区管委会 / 星港市商务局 / 某某银行星港分行), not a phrase or a note."""
    name = name.strip()
    return 2 <= len(name) <= 40 and name.endswith(UNIT_SUFFIXES) and not _NOT_A_UNIT.search(name) \
        and not re.search(r"[。；;！？!?，,：:“”]", name)


def first_unit(names: str) -> str | None:
    """The first unit of a list (X管委会、Y局 / X，Y / X Y): the lead one, which a collection names first."""
    for part in re.split(r"[、，,；;／/\s]+", names.strip()):
        if is_unit(part):
            return part
        if part:
            return None
    return None
