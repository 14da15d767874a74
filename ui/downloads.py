"""The chat window's Export buttons: the chosen answer, or the whole conversation, written as .docx or .md.

A gr.DownloadButton downloads the file it already holds when clicked, so the files are written whenever
what they would contain changes (a new answer, another answer selected, another format) and handed to the
buttons. Nothing here raises into the page: a failure disables the buttons and says so in plain words.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from assistant.export import FORMATS, render, suggested_filename

log = logging.getLogger(__name__)

EXPORT_DIR = Path(tempfile.gettempdir()) / "ftzqa-exports"  # Gradio serves files from the temp dir
KEEP_SECONDS = 3600  # Gradio copies each file into its own cache; ours only need to live that long
FORMAT_CHOICES = [("Word (.docx)", "docx"), ("Markdown (.md)", "md")]
NOTHING = '<div class="ftz-export-status ftz-muted">回答完成后可导出 / Export becomes available after an answer.</div>'
FAILED = ('<div class="ftz-export-status ftz-warn">导出文件未能生成，请稍后再试 / '
          'The export file could not be made; please try again.</div>')


def turns(answers: list | None) -> list[tuple[str, Any]]:
    """(question, Answer) for every answered turn of the chat (failed turns have no Answer)."""
    return [(item["answer"].question, item["answer"]) for item in answers or [] if item and item.get("answer")]


def chosen(answers: list | None, selected: int | None) -> tuple[int, tuple[str, Any]] | None:
    """(1-based turn number, turn) of the selected answer, or of the latest when none is selected."""
    items = [(i, item) for i, item in enumerate(answers or []) if item and item.get("answer")]
    if not items:
        return None
    if selected is not None:
        for number, (i, item) in enumerate(items, 1):
            if i == selected:
                return number, (item["answer"].question, item["answer"])
    number, (_, item) = len(items), items[-1]
    return number, (item["answer"].question, item["answer"])


def _prune(now: float) -> None:
    if not EXPORT_DIR.is_dir():
        return
    for folder in EXPORT_DIR.iterdir():
        try:
            if now - folder.stat().st_mtime > KEEP_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass


def write(items: list[tuple[str, Any]], fmt: str, conversation: bool) -> Path:
    """The export written to a fresh folder under the temp dir; older exports are removed."""
    if fmt not in FORMATS:
        fmt = "docx"
    _prune(time.time())
    folder = EXPORT_DIR / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / suggested_filename(fmt, conversation=conversation)
    path.write_bytes(render(items, fmt))
    return path


def status(number: int | None, total: int, question: str = "", fmt: str = "docx") -> str:
    """The line under the buttons: which answer "Export" writes, and in which format."""
    from ui.render import esc

    if number is None:
        return NOTHING
    short = question if len(question) <= 40 else question[:40] + "…"
    which = "最新回答 / the latest answer" if number == total else f"第 {number} 个回答 / answer {number}"
    kind = dict((v, k) for k, v in FORMAT_CHOICES).get(fmt, fmt)
    return (f'<div class="ftz-export-status ftz-muted">“导出”将导出{which}（{esc(kind)}）：{esc(short)}'
            f'（点选对话中的回答可改选 / click an answer in the chat to choose another）</div>')


def prepare(answers: list | None, selected: int | None, fmt: str | None) -> tuple[str | None, str | None, str]:
    """(file for "Export", file for "Export conversation", status line); (None, None, message) on failure."""
    fmt = fmt if fmt in FORMATS else "docx"
    try:
        pick = chosen(answers, selected)
        if pick is None:
            return None, None, NOTHING
        number, turn = pick
        everything = turns(answers)
        one = write([turn], fmt, conversation=False)
        whole = write(everything, fmt, conversation=True)
        return str(one), str(whole), status(number, len(everything), turn[0], fmt)
    except Exception:  # noqa: BLE001 - the page must survive a failed export
        log.exception("writing the export files failed")
        return None, None, FAILED
