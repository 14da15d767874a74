"""Offline OCR: a page image in, its text out as printed rows, with a blank line at each paragraph break.

The models are PP-OCRv4 Chinese detection and recognition (and the 0°/180° line classifier, unused)
shipped as .onnx files inside the `rapidocr-onnxruntime` wheel (Apache-2.0, as are the PaddleOCR
models); nothing is downloaded. Each printed row stays one line so cleaning (clean.py) joins
hard-wrapped rows into sentences the way it does for the other readers; what only the picture shows —
a row that stops short of the right margin, an indented first line, a wider gap — is passed on as a
blank line, which ends a paragraph.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

# Recognition scores below this are smudges, stamps and texture read as text.
MIN_SCORE = 0.5
# A lone character or punctuation mark needs more certainty: specks of a scan come out as "·", "一", "'".
MIN_SCORE_SHORT = 0.8
# What the engine shrinks larger images to (rapidocr's max_side_len); long images are cut into pieces first.
MAX_SIDE_PX = 2000
# A long image is cut into pieces this many times as tall as they are wide (about an A4 page).
TILE_ASPECT = 1.4
# CPU seconds one dense A4 page of 12 pt Chinese costs (bench/results/ocr.json: p50 8.0, mean 8.3), for the
# estimate shown before a scan: divided by the cores other jobs leave free.
CPU_SECONDS_PER_PAGE = 8.0

_lock = threading.Lock()
_engine: Any = None
_seconds: list[float] = []  # OCR seconds of the pages read in this process, for the estimate


@dataclass
class Box:
    """One recognised text box in image pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str
    score: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Row:
    """Boxes on one printed row, merged left to right."""

    boxes: list[Box]

    @property
    def x0(self) -> float:
        return min(b.x0 for b in self.boxes)

    @property
    def x1(self) -> float:
        return max(b.x1 for b in self.boxes)

    @property
    def y0(self) -> float:
        return min(b.y0 for b in self.boxes)

    @property
    def y1(self) -> float:
        return max(b.y1 for b in self.boxes)

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    @property
    def height(self) -> float:
        return statistics.median(b.height for b in self.boxes)

    @property
    def text(self) -> str:
        out = ""
        for prev, box in zip([None, *self.boxes], self.boxes):
            if prev is not None:
                gap = box.x0 - prev.x1
                # Latin words split into boxes need their space back; digits of one figure never do.
                words = _latin(out[-1:]) and _latin(box.text[:1])
                if words or gap > 1.5 * self.height:
                    out += " "  # a word break, or cells of a table row kept apart
            out += box.text
        return out


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def engine() -> Any:
    """The OCR engine, loaded once per process on first use (importing onnxruntime and OpenCV costs ~1 s)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from rapidocr_onnxruntime import RapidOCR

                with _no_spinning():
                    _engine = RapidOCR()
    return _engine


@contextlib.contextmanager
def _no_spinning() -> Iterator[None]:
    """Build the engine's onnxruntime sessions with idle threads sleeping instead of spinning.

    On 2 shared cores a spinning worker burns the core another job (the local model answering a
    question, another ingest) needs: with one core busy elsewhere a dense page took 10–12 s spinning
    and 7–10 s without. rapidocr 1.4.4 exposes no such option, so its session-options factory is
    wrapped while the engine is built.
    """
    try:
        from rapidocr_onnxruntime.utils import infer_engine

        factory = infer_engine.OrtInferSession._init_sess_opts
    except (ImportError, AttributeError):  # another rapidocr version: build it as it comes
        yield
        return

    def options(config: dict) -> Any:
        opts = factory(config)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return opts

    infer_engine.OrtInferSession._init_sess_opts = staticmethod(options)
    try:
        yield
    finally:
        infer_engine.OrtInferSession._init_sess_opts = staticmethod(factory)


def recognise(image: Image.Image) -> list[Box]:
    """Text boxes of a page image, unordered (the engine's output as plain objects)."""
    ocr = engine()
    started = time.perf_counter()
    with _lock:
        # One page at a time: onnxruntime already uses every core for one image, and the engine keeps
        # per-call thresholds on itself. The angle classifier is off: printed pages are upright, and it
        # turned whole correct rows upside down (read as nothing) on a dense test page.
        result, _ = ocr(image.convert("RGB"), use_cls=False)
    _seconds.append(time.perf_counter() - started)
    boxes: list[Box] = []
    for points, text, score in result or []:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        boxes.append(Box(min(xs), min(ys), max(xs), max(ys), str(text), float(score)))
    return boxes


def page_text(image: Image.Image) -> str:
    """OCR one page: printed rows in reading order, one per line, a blank line where a paragraph ends."""
    return "\n".join(layout_text(recognise(tile)) for tile in tiles(image))


def tiles(image: Image.Image) -> list[Image.Image]:
    """A long image (a phone screenshot of a whole document) cut into page-shaped pieces between rows of text.

    The engine shrinks any image to MAX_SIDE_PX on its long side: a 1080 × 8000 screenshot would be
    read at 270 px wide, too small for Chinese. Each cut is placed in the emptiest band of pixel rows
    near a page's height, so no printed row is cut in two.
    """
    width, height = image.size
    page = max(int(width * TILE_ASPECT), 1)
    if height <= MAX_SIDE_PX or height <= page * 1.2:
        return [image]
    import numpy as np

    ink = (np.asarray(image.convert("L")) < 128).sum(axis=1)
    out, top = [], 0
    while height - top > page * 1.2:
        low, high = top + int(page * 0.8), top + page
        cut = low + int(np.argmin(ink[low:high]))
        out.append(image.crop((0, top, width, cut)))
        top = cut
    out.append(image.crop((0, top, width, height)))
    return out


def layout_text(boxes: list[Box]) -> str:
    """Rows in reading order with paragraph breaks as blank lines (pure: testable without the model)."""
    rows = reading_order([b for b in boxes if keep(b)])
    if not rows:
        return ""
    lines = [_tidy(rows[0].text)]
    for row, brk in zip(rows[1:], paragraph_breaks(rows)[1:]):
        if brk:
            lines.append("")
        lines.append(_tidy(row.text))
    return "\n".join(lines)


def keep(box: Box) -> bool:
    """Drop low-confidence noise; a single character needs a higher score than a word."""
    text = box.text.strip()
    if not text or box.score < MIN_SCORE:
        return False
    core = re.sub(r"[\W_]", "", text)
    return not (len(core) <= 1 and box.score < MIN_SCORE_SHORT)


def reading_order(boxes: list[Box]) -> list[Row]:
    """Top to bottom, then left to right; boxes whose vertical extents mostly overlap share a row."""
    rows: list[Row] = []
    for box in sorted(boxes, key=lambda b: (b.cy, b.x0)):
        row = rows[-1] if rows else None
        if row is not None:
            overlap = min(row.y1, box.y1) - max(row.y0, box.y0)
            if overlap >= 0.5 * min(row.height, box.height):
                row.boxes.append(box)
                continue
        rows.append(Row([box]))
    for row in rows:
        row.boxes.sort(key=lambda b: b.x0)
    return rows


def paragraph_breaks(rows: list[Row]) -> list[bool]:
    """For each row, whether a new paragraph starts there, judged from the page's geometry:
    a gap wider than the usual line pitch, an indented (or centred) first row, or a previous row that
    stopped well short of the right margin. Rows reaching the margin are wrapped text and continue."""
    if not rows:
        return []
    h = statistics.median(r.height for r in rows)
    pitches = [b.cy - a.cy for a, b in zip(rows, rows[1:])]
    pitch = statistics.median(pitches) if pitches else h
    lefts = sorted(r.x0 for r in rows)
    rights = sorted(r.x1 for r in rows)
    # The text column: most rows start at its left edge and wrapped rows end at its right edge.
    left = lefts[len(lefts) // 5]
    right = rights[(len(rights) * 4) // 5]
    out = [True]
    for prev, row in zip(rows, rows[1:]):
        out.append(
            row.cy - prev.cy > 1.5 * pitch
            or row.x0 - left > 1.2 * h
            or right - prev.x1 > 1.5 * h
        )
    return out


def _tidy(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def estimate_seconds(pages: int) -> float:
    """Expected OCR time for pages on this machine: this process's recent pages, else the measured CPU cost
    per page over the cores the current load average leaves free (at least one)."""
    if _seconds:
        return pages * statistics.median(_seconds[-10:])
    cores = os.cpu_count() or 1
    try:
        free = cores - os.getloadavg()[0]
    except OSError:
        free = cores
    return pages * CPU_SECONDS_PER_PAGE / min(cores, max(1.0, free))
