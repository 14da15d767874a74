"""How much the retrieved evidence covers the question: key terms, required entities, per case.

Drives refusal ("the documents don't say") without an LLM, and the extractive backend's choice of
sentences. A question naming a place, year or figure is only answerable from a case that contains
it *together with* the question's other terms — 杭州 in a news item does not make a 湖州 plan
about 杭州.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import attributes, glossary
from assistant.models import Case, Hit
from store.tokenize import tokenize

# Words every question in this domain contains; they say nothing about which case answers it.
_GENERIC = set(
    "案例 什么 哪个 哪些 哪家 哪里 介绍 一下 主要 做法 成效 效果 取得 情况 内容 方面 问题 提供 请问 多少 几个 是否 怎样 如何 具体 "
    "自贸 试验 试验区 自贸试验区 自贸区 自贸港 自由贸易 自由 贸易 片区 中国 我国 全国 通过 进行 开展 实现 推动 有关 相关 这个 那个 它们 其中 "
    "最终 目前 当前 分别 哪一 一年 年份 哪年 时候 什么样 实践 经验 创新 模式 机制 新模式 工作 建设 发展 提升 推进 加强 "
    "province city area zone document documents case cases what which how many much did does do was were "
    "about main results practice practices measures describe explain tell give me please".split()
)
UNKNOWN_WORD_WEIGHT = 0.3  # an English word no glossary entry maps; most are legitimate paraphrase
STRONG_FRACTION = 0.45  # share of the question's concepts the best case must contain
OFF_TOPIC_SIMILARITY = 0.25  # off-topic questions measured 0.13-0.22, answerable ones 0.24 and up
ANSWERING_MARGIN = 0.2  # cases this close to the best one also answer (a comparison needs two)
YEAR = re.compile(r"(?:19|20)\d{2}")
# Editions: 第二批 is not the 第一批 the corpus has, and a 2.0版 list is not its 1.0.
BATCH = re.compile(r"第[一二三四五六七八九十\d]+[批版期]|\d+\.\d+\s*版")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    """Provinces and cities questions name, whether or not the corpus does (温州 is a near-miss)."""
    return frozenset(
        "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 四川 "
        "贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾 温州 绍兴 杭州 宁波 舟山 金华 义乌 湖州 嘉兴 衢州 台州 丽水 "
        "厦门 深圳 广州 南京 苏州 青岛 大连 成都 西安 昆明 贵阳 乌鲁木齐 济南 郑州 武汉 长沙 合肥 烟台 开封 洛阳 临港 兰州 "
        "西咸 贵安 钱塘 萧山 滨江 连云港 东京 新加坡 几内亚".split()
    )


@dataclass
class Coverage:
    key_terms: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)  # places, years, quoted names
    best_case: Case | None = None
    best_fraction: float = 0.0  # weighted share of key terms found in the best case's evidence
    missing_required: list[str] = field(default_factory=list)
    missing_attributes: list[attributes.Attribute] = field(default_factory=list)  # asked for, never stated
    unquantified: list[attributes.Attribute] = field(default_factory=list)  # named, but with no figure
    off_topic: bool = False  # shares only place names with the evidence, and is far from it in meaning

    @property
    def strong(self) -> bool:
        return (not self.missing_required and not self.missing_attributes and not self.off_topic
                and self.best_fraction >= STRONG_FRACTION)


def key_terms(question: str, language: str) -> tuple[list[str], list[str]]:
    """(content terms, required terms) of a question, in Chinese where the evidence is Chinese."""
    groups, _ = term_groups(question, language)
    return _terms_and_required(question, groups)


def _terms_and_required(question: str, groups: list[list[str]]) -> tuple[list[str], list[str]]:
    terms = list(dict.fromkeys(t for g in groups for t in g))
    required = [p for p in gazetteer() if p in question or p in terms]
    required = [r for r in required if not any(r != o and r in o for o in required)]
    required += YEAR.findall(question) + _QUOTED.findall(question)
    required += BATCH.findall(question) + [t for t in terms if BATCH.fullmatch(t)]
    return terms, list(dict.fromkeys(required))


def term_groups(question: str, language: str) -> tuple[list[list[str]], list[str]]:
    """Concepts of a question as groups of alternatives, and English words no glossary entry knows."""
    if language == "en":
        groups, rest = glossary.expand_groups(question)
        groups = [[t for t in g if t not in _GENERIC] for g in groups]
        groups = [g for g in groups if g]
        groups += [[a] for a in re.findall(r"\b[A-Z]{2,}[A-Z0-9]*\b", question) if a.lower() not in _GENERIC]
        unknown = [w for w in re.findall(r"[a-z]{3,}", rest) if w not in _EN_STOP and w not in _GENERIC]
        return groups, list(dict.fromkeys(unknown))
    tokens = [t for t in tokenize(question) if t not in _GENERIC and (len(t) >= 2 or t.isdigit())]
    return [[t] for t in dict.fromkeys(tokens)], []


_EN_STOP = set("""
the and for are was were has have had did does doing done been being its it's they them their there this that these those
with from into onto over under about after before during between across through within without than then when where why
who whom whose which what how many much more most some any each every both either neither other others such same own
can could would should will shall may might must also just only very too not nor but yet so if else while because
per via upon out off again further once here all few lot lots get got give given make made use used using take taken
one two three four five first second third last new old main key kind type way ways part parts show shows shown
tell say said says mean means according document documents text source sources mention mentioned mentions state stated
describe explain list name named number numbers figure figures detail details example examples answer question
please could you your our we us i me my he she his her him it an a of in on at to by as is be or
happen happened achieve achieved achieves result results outcome outcomes effect effects impact impacts role
enable enabled enables help helped helps allow allowed allows support supported supports improve improved improves
work works worked working approach approaches mechanism mechanisms model models practice practices measure measures
launch launched set setup build built create created offer offered provide provided provides did year years
""".split())


def _weight(term: str) -> float:
    return min(len(term), 4) if not term.isascii() else 2.0


def case_fractions(question: str, language: str, hits: list[Hit]) -> dict[str, float]:
    """Per case among the hits, the weighted share of the question's concepts its evidence contains."""
    groups, unknown = term_groups(question, language)
    return _fractions(groups, unknown, _evidence_by_case(hits))


def _evidence_by_case(hits: list[Hit]) -> dict[str, tuple[Case, str]]:
    by_case: dict[str, tuple[Case, str]] = {}
    for hit in hits:
        case, text = by_case.get(hit.case.id, (hit.case, f"{hit.case.title} {hit.case.provider or ''} "
                                                         f"{hit.case.document_title} {hit.chunk.section}"))
        by_case[hit.case.id] = (case, text + " " + hit.chunk.text)
    return by_case


def _fractions(groups: list[list[str]], unknown: list[str], by_case: dict[str, tuple[Case, str]]) -> dict[str, float]:
    # Unknown English words count against coverage: a glossary gap must not look like evidence.
    total = sum(max(_weight(t) for t in g) for g in groups) + UNKNOWN_WORD_WEIGHT * len(unknown)
    if not total:
        return {case_id: 0.0 for case_id in by_case}  # nothing specific asked: nothing to ground
    places = gazetteer()
    fractions = {}
    for case_id, (case, text) in by_case.items():
        # A document title naming five cities (002's notice) does not put 衢州 into the 湖州 plan.
        own = text.replace(case.document_title, " ")
        found = sum(max(_weight(t) for t in g) for g in groups
                    if any(t in (own if t in places else text) for t in g))
        fractions[case_id] = found / total
    return fractions


def coverage(question: str, language: str, hits: list[Hit], top: int = 6,
             case_text: Callable[[Case], str] | None = None, similarity: float | None = None) -> Coverage:
    """Which single case among the top hits covers the question best.

    `case_text` gives a case's whole text, where an asked-for attribute is looked up (the sentence that
    states it need not be among the retrieved passages); without it only the passages count.
    `similarity` is the question's cosine to its nearest passage (RetrievalTrace.top_similarity).
    """
    groups, unknown = term_groups(question, language)
    terms, required = _terms_and_required(question, groups)
    result = Coverage(terms, required)
    by_case = _evidence_by_case(hits[:top])
    fractions = _fractions(groups, unknown, by_case)
    for case_id, (case, _) in by_case.items():
        if result.best_case is None or fractions[case_id] > result.best_fraction:
            result.best_case, result.best_fraction = case, fractions[case_id]
    # "Beijing's weather this weekend": the place is the only word the evidence shares, and the meaning
    # is far from every passage. Either alone is common in answerable English questions (a glossary gap;
    # a terse question), both together were only ever off-topic in the eval sets.
    only_places = bool(by_case) and not any(
        any(t in text for t in g) for g in groups if not all(t in gazetteer() or t.endswith("片区") for t in g)
        for _, text in by_case.values())
    result.off_topic = only_places and similarity is not None and similarity < OFF_TOPIC_SIMILARITY
    answering = _answering_cases(by_case, fractions, result.best_fraction, required, case_text)
    answering_text = " ".join(text for _, text in answering)
    # Places must appear in the passages (a comparison spreads them over two cases): 宁夏 in a question
    # about the Yellow River cases is in none of them, though their texts mention it in passing. A year,
    # batch or quoted name must be in a case that answers — anywhere in its text, as the passage with it
    # may not have been retrieved; 2022 in a neighbouring case does not date this one. The year in a
    # document's title (十佳案例（2021年第一批）) or preamble dates the collection, not the case; its
    # batch does name the collection.
    passages = " ".join(text for _, text in by_case.values())
    undated_text = " ".join(text.replace(case.document_title, " ") for case, text in answering
                            if case.kind != "preamble" or case is result.best_case)
    places = gazetteer()
    result.missing_required = [r for r in required if r not in (
        undated_text if YEAR.fullmatch(r) else passages if r in places else answering_text)]
    # The attribute asked for must be stated by an answering case, not by any passage retrieved: 利率 in
    # a loan case does not give the coupon rate of Hainan's bond.
    figure = attributes.wants_figure(question)
    counted = attributes.counted(question, language)
    result.missing_attributes = [a for a in attributes.asked(question, language)
                                 if not attributes.stated(a, answering_text, figure)]
    result.missing_attributes += [a for a in counted if not attributes.stated(a, answering_text, True)]
    result.unquantified = [a for a in result.missing_attributes
                           if (figure or a in counted) and attributes.stated(a, answering_text, False)]
    return result


def _answering_cases(by_case: dict[str, tuple[Case, str]], fractions: dict[str, float], best: float,
                     required: list[str], case_text: Callable[[Case], str] | None) -> list[tuple[Case, str]]:
    """Cases covering the question about as well as the best one, with their passages and whole text;
    when the question names places, only those that talk about one (not merely in their document's title)."""
    answering = [(case, text + " " + (case_text(case) if case_text else ""))
                 for case_id, (case, text) in by_case.items() if fractions[case_id] >= best - ANSWERING_MARGIN]
    places = [r for r in required if r in gazetteer()]
    if places:
        answering = [(case, text) for case, text in answering
                     if any(p in text.replace(case.document_title, " ") for p in places)]
    return answering
