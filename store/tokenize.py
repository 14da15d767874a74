"""Tokenisation for BM25: jieba words for Chinese, lower-cased words for Latin script, no stop words."""

from __future__ import annotations

import logging
import re
import threading

import jieba

jieba.setLogLevel(logging.WARNING)
_init_lock = threading.Lock()
_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z]+|\d+(?:\.\d+)?")
# Function words that match everywhere and only add noise to BM25 scores.
_STOP = set("的 了 和 与 及 等 在 是 为 对 将 把 被 从 以 于 其 之 也 并 或 中 上 下 个 有 这 那 哪 什么 哪些 哪个 如何 怎么 多少 是否 吗 呢 "
            "the a an of and or to in on for by with what which how is are was were did does do from that this".split())


def warm_up() -> None:
    """Load jieba's dictionary now (≈1 s) rather than on the first Chinese question."""
    with _init_lock:
        jieba.initialize()


def tokenize(text: str) -> list[str]:
    """Tokens for BM25; Chinese runs are cut by jieba in search mode (words and their parts)."""
    tokens: list[str] = []
    for run in _WORD.findall(text):
        if "\u4e00" <= run[0] <= "\u9fff":
            with _init_lock:  # jieba initialises its dictionary lazily and not thread-safely
                words = jieba.lcut_for_search(run)
            tokens.extend(w for w in words if w not in _STOP)
        else:
            low = run.lower()
            if low not in _STOP:
                tokens.append(low)
    return tokens


def person_names(text: str) -> list[str]:
    """Person names jieba's part-of-speech tagger finds (tag nr), for questions that ask who."""
    import jieba.posseg as pseg

    with _init_lock:
        return [w.word for w in pseg.lcut(text) if w.flag == "nr" and len(w.word) >= 2]
