"""Which language a question is in, and the normalisation every question gets before retrieval."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")


def detect_language(text: str) -> Literal["zh", "en"]:
    """zh when Chinese characters dominate Latin words (mixed 'FTF账户是什么' is Chinese)."""
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
    text = _CONTROL.sub(" ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if has_chinese(text):
        text = _t2s().convert(text)
    return text
