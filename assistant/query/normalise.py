"""Every question and history turn is validated and normalised before anything else looks at it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from assistant.text import has_chinese

_MARKUP = re.compile(r"<[^<>]{0,200}>|\]\([^)]{0,300}\)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
HISTORY_TURNS = 8  # earlier turns kept; a follow-up refers to the last one or two
HISTORY_CHARS = 2000


class InvalidQuestion(ValueError):
    """The question cannot be used (empty, not text); the message says so in plain words."""


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


def validate(question: object) -> str:
    """The normalised question, or InvalidQuestion with a plain message."""
    if not isinstance(question, str):
        raise InvalidQuestion("问题必须是文字 / The question must be text.")
    cleaned = normalise_question(question)
    if not re.search(r"[\w\u4e00-\u9fff]", cleaned):
        raise InvalidQuestion("请输入问题 / Please type a question.")
    return cleaned


def clean_history(history: object) -> list[dict]:
    """The last turns of a conversation as {'role', 'content'} dicts; anything malformed is dropped."""
    if not isinstance(history, list):
        return []
    out = []
    for turn in history[-HISTORY_TURNS:]:
        if isinstance(turn, dict) and turn.get("role") in ("user", "assistant") and isinstance(turn.get("content"), str):
            out.append({"role": turn["role"], "content": normalise_question(turn["content"])[:HISTORY_CHARS]})
    return out
