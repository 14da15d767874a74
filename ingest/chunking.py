"""Sentence-aware chunking inside sections: Chinese sentence ends, a size target, a small overlap.

Written by hand because llama-index's SentenceSplitter counts tiktoken tokens (~1.1 per Chinese
char), does not break on ；, and its overlap vanishes on long Chinese sentences; chunks here are
char spans of the cleaned document so a quote can always be located verbatim.
"""

from __future__ import annotations

import re

from assistant.text import sentence_spans

_SOFT_BREAK = re.compile(r"[，、,：:]")


def _split_long(text: str, a: int, b: int, size: int) -> list[tuple[int, int]]:
    """A sentence longer than the target is cut at commas, else hard."""
    pieces: list[tuple[int, int]] = []
    while b - a > size:
        cut = None
        for m in _SOFT_BREAK.finditer(text, a + size // 2, a + size):
            cut = m.end()
        cut = cut or a + size
        pieces.append((a, cut))
        a = cut
    pieces.append((a, b))
    return pieces


def chunk_spans(text: str, start: int, end: int, size: int, overlap: int, min_chunk: int) -> list[tuple[int, int]]:
    """Pack sentences of text[start:end] into spans of about `size` chars with `overlap` chars repeated."""
    sentences: list[tuple[int, int]] = []
    for a, b in sentence_spans(text, start, end):
        sentences.extend(_split_long(text, a, b, size))
    chunks: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        first = i
        chunk_end = sentences[i][1]
        i += 1
        while i < len(sentences) and sentences[i][1] - sentences[first][0] <= size:
            chunk_end = sentences[i][1]
            i += 1
        chunk_start = sentences[first][0]
        if chunks and first > 0:
            # Overlap: carry back whole sentences of the previous chunk that fit the overlap budget.
            back = first
            while back > 0 and chunk_start - sentences[back - 1][0] <= overlap and sentences[back - 1][0] >= chunks[-1][0]:
                back -= 1
            chunk_start = sentences[back][0]
        chunks.append((chunk_start, chunk_end))
    if len(chunks) > 1 and chunks[-1][1] - chunks[-1][0] < min_chunk:
        tail = chunks.pop()
        chunks[-1] = (chunks[-1][0], tail[1])
    return [(_lstrip(text, a, b), b) for a, b in chunks]


def _lstrip(text: str, a: int, b: int) -> int:
    while a < b and text[a].isspace():
        a += 1
    return a
