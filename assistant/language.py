"""Which language a question is in, and the normalisation every question gets before retrieval."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_MARKUP = re.compile(r"<[^<>]{0,200}>|\]\([^)]{0,300}\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
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


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure-Python tables, no download

    return opencc.OpenCC("t2s")


def normalise_question(text: str) -> str:
    """NFKC, control chars and lone surrogates out, whitespace folded, traditional → simplified."""
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates become '?'
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub(" ", text)
    text = _MARKUP.sub(" ", text)  # tags, link targets and URLs are not part of what is asked
    text = re.sub(r"\s+", " ", text).strip()
    if has_chinese(text):
        text = _t2s().convert(text)
    return text
