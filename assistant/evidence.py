"""How much the retrieved evidence covers the question: key terms, required entities, per case.

Drives refusal ("the documents don't say") without an LLM, and the extractive backend's choice of
sentences. A question naming a place, year or figure is only answerable from a case that contains
it *together with* the question's other terms — 杭州 in a news item does not make a 湖州 plan
about 杭州.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import glossary
from assistant.models import Case, Hit
from store.tokenize import tokenize

# Words every question in this domain contains; they say nothing about which case answers it.
_GENERIC = set(
    "案例 什么 哪个 哪些 哪家 哪里 介绍 一下 主要 做法 成效 效果 取得 情况 内容 方面 问题 提供 请问 多少 几个 是否 怎样 如何 具体 "
    "自贸 试验 试验区 自贸试验区 自由贸易 自由 贸易 片区 中国 我国 全国 通过 进行 开展 实现 推动 有关 相关 这个 那个 它们 其中 "
    "最终 目前 当前 分别 哪一 一年 年份 哪年 时候 什么样 实践 经验 创新 模式 机制 新模式 工作 建设 发展 提升 推进 加强 "
    "province city area zone document documents case cases what which how many much did does do was were "
    "about main results practice practices measures describe explain tell give me please".split()
)
_YEAR = re.compile(r"(?:19|20)\d{2}")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")


@lru_cache(maxsize=1)
def gazetteer() -> frozenset[str]:
    """Provinces and cities questions name, whether or not the corpus does (温州 is a near-miss)."""
    return frozenset(
        "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 重庆 四川 "
        "贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 香港 澳门 台湾 温州 绍兴 杭州 宁波 舟山 金华 义乌 湖州 嘉兴 衢州 台州 丽水 "
        "厦门 深圳 广州 南京 苏州 青岛 大连 成都 西安 昆明 贵阳 乌鲁木齐 济南 郑州 武汉 长沙 合肥 烟台 开封 洛阳 临港 兰州 "
        "西咸 贵安 钱塘 萧山 滨江 东京 新加坡 几内亚".split()
    )


@dataclass
class Coverage:
    key_terms: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)  # places, years, quoted names
    best_case: Case | None = None
    best_fraction: float = 0.0  # weighted share of key terms found in the best case's evidence
    missing_required: list[str] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        return not self.missing_required and self.best_fraction >= 0.5


def key_terms(question: str, language: str) -> tuple[list[str], list[str]]:
    """(content terms, required terms) of a question, in Chinese where the evidence is Chinese."""
    if language == "en":
        terms = [t for t in glossary.expand(question) if t not in _GENERIC]
        terms += re.findall(r"\b[A-Z]{2,}[A-Z0-9]*\b", question)
    else:
        terms = [t for t in tokenize(question) if t not in _GENERIC and (len(t) >= 2 or t.isdigit())]
    terms = list(dict.fromkeys(terms))
    required = [p for p in gazetteer() if p in question or p in terms]
    required = [r for r in required if not any(r != o and r in o for o in required)]
    required += _YEAR.findall(question) + _QUOTED.findall(question)
    return terms, list(dict.fromkeys(required))


def _weight(term: str) -> float:
    return min(len(term), 4) if not term.isascii() else 2.0


def coverage(question: str, language: str, hits: list[Hit], top: int = 6) -> Coverage:
    """Which single case among the top hits covers the question best."""
    terms, required = key_terms(question, language)
    result = Coverage(terms, required)
    by_case: dict[str, tuple[Case, str]] = {}
    for hit in hits[:top]:
        case, text = by_case.get(hit.case.id, (hit.case, f"{hit.case.title} {hit.case.provider or ''} "
                                                         f"{hit.case.document_title} {hit.chunk.section}"))
        by_case[hit.case.id] = (case, text + " " + hit.chunk.text)
    best_missing: list[str] | None = None
    total = sum(_weight(t) for t in terms) or 1.0
    for case, text in by_case.values():
        fraction = sum(_weight(t) for t in terms if t in text) / total if terms else 0.6
        missing = [r for r in required if r not in text]
        better = (len(missing), -fraction) < ((len(best_missing), -result.best_fraction) if best_missing is not None
                                               else (10**6, 0))
        if better:
            result.best_case, result.best_fraction, best_missing = case, fraction, missing
    result.missing_required = best_missing if best_missing is not None else required
    return result
