"""Text helpers every layer shares: sentence spans, figures, and which script a text is in.

Base layer: imports nothing of ours. Document text (Chinese, from ingest) and answer text (either
language, from a model) are split by two functions here, so there is one place that says what a
sentence is.
"""

from __future__ import annotations

import re
from typing import Literal

# ---------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"[。！？；!?;]+[”’」』）)]*|\n")
# Answer text: Chinese sentence ends, newlines, and an English full stop followed by a space (not 11.7 or e.g.).
_ANSWER_SENTENCE = re.compile(r"[^。！？!?；;\n]+?(?:[。！？!?；;]+[”’」』）)]*\n?|(?<!\be\.g)(?<!\bi\.e)\.(?:\s+|$)|\n|$)")


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans of document text[start:end], ends on 。！？； and newlines; whitespace-only spans dropped."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def split_sentences(text: str) -> list[str]:
    """Sentences of answer text in either language (an English '. ' ends one; '11.7' and 'e.g.' do not)."""
    return [s for s in (m.group(0) for m in _ANSWER_SENTENCE.finditer(text)) if s.strip()]


# ---------------------------------------------------------------- figures

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A number with a unit: "1210保税出口模式" names a customs regime and 一个 is an article; neither is a figure.
_UNIT = ("%|％|万|亿|千|百|元|美元|个|家|项|人|名|位|倍|成|年|月|日|天|小时|分钟|秒|次|件|票|单|吨|列|箱|标箱|公里|米|平方|亩|"
         "艘|架|台|辆|条|批|余|多|笔|份|户|类|种")
_CN_NUMBER = "(?:[二三四五六七八九十百千][一二两三四五六七八九十百千]*|[一两][十百千万亿][一二两三四五六七八九十百千]*)"  # not 一个/两个 ("a")
_FIGURE = re.compile(rf"\d+(?:\.\d+)?\s*(?:{_UNIT})|{_CN_NUMBER}[万亿]?(?:{_UNIT})|(?:达|约|超过|逾|近)\s*\d")
_DATE = re.compile(r"(?:19|20)\d{2}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?|\d{1,2}\s*月\s*\d{1,2}\s*日")  # when, not how much


_NUM = rf"(?:\d+(?:[.,]\d+)*|{_CN_NUMBER}|[一二两三四五六七八九十百千]+)\s*(?:余|多)?\s*"
_KIND_UNITS: dict[str, re.Pattern[str]] = {
    "money": re.compile(rf"{_NUM}(?:[万亿千百]\s*)?(?:元|美元|欧元|港元|日元|英镑|卢布|人民币)|(?:人民币|美元)\s*\d"),
    "time": re.compile(rf"{_NUM}(?:个)?\s*(?:小时|分钟|秒|天|日|工作日|个工作日|周|星期|个月|年(?!\d|度|份))|半(?:天|小时|年)"),
    "percent": re.compile(rf"{_NUM}[%％]|百分之|个百分点|{_NUM}成(?![本立功员])|[一二两三四五六七八九]成(?![本立功员])|\d+(?:\.\d+)?倍"),
    "quantity": re.compile(rf"{_NUM}(?:[万亿千百]\s*)?(?:吨|公里|千米|米|标箱|TEU|平方米|平方公里|平方|亩|立方米|千瓦|兆瓦|升|公斤|千克)"
                           r"|(?:吨|标箱|TEU|吞吐量|货值|货量|运量)\s*(?:超过|超|达到|达|约|近|逾|为)?\s*\d"),
    "count": re.compile(rf"{_NUM}(?:[万亿千百]\s*)?(?:个|家|项|名|位|条|座|所|只|辆|艘|列|次|件|票|批|种|类|笔|份|户|人|单|张|套|台|架|"
                        r"艘次|人次|航次|班|趟|车|箱|省|市|区|国|城|站|线|路|园|所|号)"),
}


# "国发〔2017〕16号": a document's number names it; it counts nothing.
_DOCUMENT_NUMBER = re.compile(r"[〔\[（(【]\s*(?:19|20)\d{2}\s*[〕\]）)】]\s*\d+\s*号")
# 一年 reads "per year" ("一年节省运费700余万元") far more often than "it took a year".
_PER_YEAR = re.compile(r"(?<![\d〇一二两三四五六七八九十百])一年(?![多半内以])")


def figure_kinds(sentence: str) -> set[str]:
    """Which kinds of figure a sentence states: money, time, percent, quantity, count, date (and 'figure'
    when it states any quantity). Dates are not durations: 2020年 is when, 3年 is how long."""
    kinds = {"date"} if _DATE.search(sentence) else set()
    unnumbered = _DOCUMENT_NUMBER.sub(" ", sentence)
    undated = _PER_YEAR.sub(" ", _DATE.sub(" ", unnumbered))
    kinds |= {kind for kind, pattern in _KIND_UNITS.items() if pattern.search(undated)}
    if kinds - {"date"} or has_figure(unnumbered):
        kinds.add("figure")
    return kinds


def numbers_in(text: str) -> set[str]:
    """Figures a reader would check: '11.7', '4350', '2020' (thousands separators removed)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text) if len(n.replace(",", "").replace(".", "")) >= 2}


_SCALED_EN = re.compile(r"(\d+(?:[.,]\d+)*)\s*(thousand|million|billion|trillion)\b", re.I)
_SCALED_ZH = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万亿|千亿|百亿|亿|千万|百万|万|千)")
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_ZH_SCALE = {"千": 1e3, "万": 1e4, "百万": 1e6, "千万": 1e7, "亿": 1e8, "百亿": 1e10, "千亿": 1e11, "万亿": 1e12}


def scaled_values(text: str) -> set[float]:
    """Amounts a text states with a magnitude word, as plain values: '50亿元' → 5e9, '4.3 billion' → 4.3e9."""
    out = set()
    for number, scale in _SCALED_EN.findall(text):
        out.add(float(number.replace(",", "")) * _EN_SCALE[scale.lower()])
    for number, scale in _SCALED_ZH.findall(text):
        out.add(float(number.replace(",", "")) * _ZH_SCALE[scale])
    return out


def unscaled_numbers(text: str) -> set[str]:
    """numbers_in() of the text without its English magnitude amounts (checked by value, magnitudes_match)."""
    return numbers_in(_SCALED_EN.sub(" ", text))


def magnitudes_match(sentence: str, source: str) -> bool:
    """Every amount an English sentence gives with a magnitude word ('50 billion yuan') is one the source states
    ('50亿元' is 5 billion): a small model translating 万 and 亿 gets the magnitude wrong while keeping the digits."""
    wanted = [float(n.replace(",", "")) * _EN_SCALE[s.lower()] for n, s in _SCALED_EN.findall(sentence)]
    if not wanted:
        return True
    stated = scaled_values(source) | {float(n.replace(",", "")) for n in _NUMBER.findall(source)}
    return all(any(abs(w - v) <= 0.01 * max(w, v) for v in stated) for w in wanted)


def has_figure(sentence: str) -> bool:
    """A quantity (a number with its unit), not a date or a code."""
    return bool(_FIGURE.search(_DATE.sub(" ", sentence)))


# ---------------------------------------------------------------- script

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Scripts of a third language: such questions are answered (or refused) in English.
_OTHER_SCRIPT = re.compile(r"[\u3040-\u30ff\uac00-\ud7af\u0400-\u04ff\u0600-\u06ff\u0590-\u05ff\u0e00-\u0e7f]")


def detect_language(text: str) -> Literal["zh", "en"]:
    """zh when Chinese characters dominate Latin words (mixed 'FTF账户是什么' is Chinese)."""
    if _OTHER_SCRIPT.search(text) and len(_OTHER_SCRIPT.findall(text)) >= len(_HAN.findall(text)) / 2:
        return "en"
    han = len(_HAN.findall(text))
    words = len(_LATIN_WORD.findall(text))
    return "zh" if han and han >= 2 * words else "en"


def has_chinese(text: str) -> bool:
    return bool(_HAN.search(text))


def quoted(title: str) -> str:
    """A title in English quotes, once: “全球中心仓” is already quoted in its document."""
    return title if title.startswith("“") and title.endswith("”") else f"“{title}”"
