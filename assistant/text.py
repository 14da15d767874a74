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


def numbers_in(text: str) -> set[str]:
    """Figures a reader would check: '11.7', '4350', '2020' (thousands separators removed)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text) if len(n.replace(",", "").replace(".", "")) >= 2}


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
