"""Asked-for attributes: the rate, price, headcount or founding date a question wants.

Near-miss questions name real cases and ask for something those cases never state ("what coupon rate
did Hainan's blue bond pay?"). Every other word of such a question is in the evidence, so term
coverage cannot tell it from an answerable one; what can is whether the evidence states the attribute
asked for — with a figure beside it when the question asks how much or how many.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant import glossary
from ingest.chunking import sentence_spans

ATTRIBUTES_FILE = Path(__file__).with_name("data") / "attributes.tsv"

# How much / how many, in either language: the answer must be a figure.
_WANTS_FIGURE = re.compile(r"多少|几[个家项名人次年天倍]|多大|多高|多长|多久|比例|比重|how (?:many|much)|what (?:\w+ )?"
                           r"(?:rate|price|cost|amount|share|percentage|number|value|size)|at what price", re.I)
# A number with a unit: "1210保税出口模式" names a customs regime and 一个 is an article; neither is a figure.
_UNIT = "%|％|万|亿|千|百|元|美元|个|家|项|人|名|位|倍|成|年|月|日|天|小时|分钟|秒|次|件|票|单|吨|列|箱|标箱|公里|米|平方|亩|艘|架|台|辆|条|批|余|多|笔|份|户|类|种"
_CN_NUMBER = "(?:[二三四五六七八九十百千][一二两三四五六七八九十百千]*|[一两][十百千万亿][一二两三四五六七八九十百千]*)"  # not 一个/两个 ("a")
_FIGURE = re.compile(rf"\d+(?:\.\d+)?\s*(?:{_UNIT})|{_CN_NUMBER}[万亿]?(?:{_UNIT})|(?:达|约|超过|逾|近)\s*\d")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日")  # when, not how much


@dataclass(frozen=True)
class Attribute:
    phrase: str  # English phrase as listed
    forms: tuple[str, ...]  # Chinese forms; the first is the canonical one

    @property
    def chinese(self) -> str:
        return self.forms[0]


@lru_cache(maxsize=1)
def _lexicon() -> list[tuple[re.Pattern[str], Attribute]]:
    rows = []
    for line in ATTRIBUTES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, _, forms = line.partition("\t")
        rows.append(Attribute(phrase.strip(), tuple(f for f in forms.strip().split("|") if f)))
    rows.sort(key=lambda a: -len(a.phrase))  # "cost to develop" before "cost"
    return [(re.compile(rf"(?<![a-z]){re.escape(a.phrase)}(?:s|es)?(?![a-z])"), a) for a in rows]


def asked(question: str, language: str) -> list[Attribute]:
    """Attributes the question asks for (each concept once, the most specific phrase winning)."""
    found: list[Attribute] = []
    if language == "en":
        text = glossary.names_removed(question)
        for pattern, attribute in _lexicon():
            if pattern.search(text):
                text = pattern.sub(" ", text)
                found.append(attribute)
    else:
        for attribute in sorted((a for _, a in _lexicon()), key=lambda a: -len(a.chinese)):
            if attribute.chinese in question and not any(attribute.chinese in a.chinese for a in found):
                found.append(attribute)  # 票面利率 asked: 利率 is part of it, not a second attribute
    return list({a.chinese: a for a in found}.values())


# "建成多少个公共海外仓" counts 海外仓s: the thing counted is asked for as much as any listed attribute.
# (English "how many X" is left to the listed attributes: glossary terms for X are too coarse to tell
# whether a sentence counts X — "298艘次 remote re-inspections" names no 船舶.)
# The counted noun ends the clause; "多少件提升到了…" is a verb phrase, not a noun.
_COUNTED_ZH = re.compile(r"(?:多少|几)[个家项名位条座所只辆艘列次件]((?:(?![多少几到至为了是和与及])[\u4e00-\u9fff]){2,8})"
                         r"(?=[？?，,。；、]|的|和|与|$)")


def counted(question: str, language: str) -> list[Attribute]:
    """What a Chinese how-many question counts, named by its head noun (公共海外仓 → 海外仓)."""
    if language != "zh":
        return []
    from store.tokenize import tokenize  # jieba: loaded only when a Chinese count question is checked

    found = []
    for noun in _COUNTED_ZH.findall(question):
        words = tokenize(noun.split("的")[0])
        head = words[-1] if words and len(words[-1]) >= 2 else "".join(words[-2:])
        if len(head) >= 2:
            found.append(Attribute(head, (head,)))
    return found


def wants_figure(question: str) -> bool:
    return bool(_WANTS_FIGURE.search(question))


def has_figure(sentence: str) -> bool:
    """A quantity (a number with its unit), not a date or a code."""
    return bool(_FIGURE.search(_DATE.sub(" ", sentence)))


def stated(attribute: Attribute, text: str, with_figure: bool) -> bool:
    """Whether some sentence of the text names the attribute (beside a figure, when one is wanted)."""
    for a, b in sentence_spans(text, 0, len(text)):
        sentence = text[a:b]
        if any(form in sentence for form in attribute.forms) and (not with_figure or has_figure(sentence)):
            return True
    return False
