"""The textual patterns of Chinese policy documents that cleaning and structure detection share."""

from __future__ import annotations

import re

CN_NUM = "一二三四五六七八九十"
_TERMINAL = "。！？；：!?;"

# 一、经验背景 / 3、 主要做法 (001 numbers one L1 heading with a digit)
L1_HEADING = re.compile(rf"^(?:[{CN_NUM}]+、|\d{{1,2}}、(?=\s*\S{{1,15}}$))")
# （一）搭建备案单证数据平台 / (二) 推动四大创新。
L2_HEADING = re.compile(rf"^[（(]\s*[{CN_NUM}]+\s*[）)]")
# 1. 建设综合服务平台。… — but never 12.5%。 / 99.99% / 5.42 亿条, which continue a wrapped figure.
L3_HEADING = re.compile(r"^\d{1,2}[.．](?!\d)\s*")
# （舟山片区） / (上海市提供） / （北京市、重庆市、大连市、苏州市提供）
PROVIDER_LINE = re.compile(
    r"^[（(]\s*(?P<who>[^（）()]{2,40}?)\s*(?:(?P<provided>提供)|(?<=片区))\s*[）)]$"
)
# （来源：浙江自贸微信公众号） — the line that ends a news item in 000's layout
SOURCE_LINE = re.compile(r"^[（(]\s*来源\s*[：:](?P<source>.+?)[）)]$")
# 1.浙沪跨港区供油… / 25. 创新航空…  — a numbered title candidate
NUMBERED_TITLE = re.compile(r"^(?P<n>\d{1,3})\s*[.．、]\s*(?!\d)(?P<title>\S.*)$")
# TOC rows end in dot leaders and a page number: "1. 黄河流域… .....\t1"
TOC_LEADER = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*\d*\s*$")
INLINE_PROVIDER = re.compile(r"[（(](?P<who>[^（）()]{2,20}?(?:片区|提供))[）)]\s*$")
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


def provider_of(text: str) -> str | None:
    """The provider named by a standalone （X提供） / （X片区） line, else None."""
    m = PROVIDER_LINE.match(text.strip())
    return m.group("who").strip() if m else None


def is_source_line(text: str) -> bool:
    return bool(SOURCE_LINE.match(text.strip()))


def fullwidth_brackets(text: str) -> str:
    """Short heading-like lines get full-width brackets; long paragraphs keep theirs verbatim."""
    if len(text) > 60:
        return text
    return text.replace("(", "（").replace(")", "）")


def heading_label(text: str, limit: int = 40) -> str:
    """What a heading contributes to a section path: the line, or its lead phrase for run-in heads."""
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
        elif NUMBERED_TITLE.match(text) and any(provider_of(t) for t in texts[i + 1 : i + 4]):
            starts.add(i)  # a numbered title: a provider line follows within a few lines
    return starts


def standalone_lines(texts: list[str]) -> set[int]:
    """Lines never joined to a neighbour: provider and source lines, and a news headline after a source line."""
    alone: set[int] = set()
    for i, text in enumerate(texts):
        if provider_of(text) or is_source_line(text):
            alone.add(i)
        if is_source_line(text):
            # 000's layout: the item's headline is the (at most two) short lines after its source line.
            for j in range(i + 1, min(i + 3, len(texts))):
                if ends_sentence(texts[j]) or is_source_line(texts[j]):
                    break
                alone.add(j)
    return alone
