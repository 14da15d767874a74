"""Feedback log: one JSON line per 👍/👎, appended to settings.feedback_file and nothing else.

Writes are append-only and atomic per record: the whole line (with its "\\n") goes out in one
write() on a file opened for appending, then flush + fsync. A crash can at worst leave a
half-written *last* line, which read_feedback() skips. The path always comes from the settings,
never from anything a user typed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.models import Answer

log = logging.getLogger(__name__)

Vote = Literal["up", "down"]
MAX_COMMENT_CHARS = 2000
_lock = threading.Lock()  # one writer at a time inside this process; O_APPEND covers other processes


def make_record(answer: Answer, vote: Vote, comment: str = "", filters: dict | None = None) -> dict[str, Any]:
    """The JSON object written for one vote on one answer."""
    if vote not in ("up", "down"):
        raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "vote": vote,
        "comment": (comment or "").strip()[:MAX_COMMENT_CHARS],
        "question": answer.question,
        "answer": answer.text,
        "citations": [c.model_dump() for c in answer.citations],
        "refused": answer.refused,
        "filters": filters or {},
        "backend": answer.backend,
        "config_hash": answer.config_hash,
    }


def append_feedback(path: Path, record: dict[str, Any]) -> None:
    """Append one record as one line: a single write() of the full line, then flush + fsync."""
    line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _lock:
        # Unbuffered binary append: exactly one write(2) of the whole line (O_APPEND puts it at the end).
        with open(path, "ab", buffering=0) as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())


def read_feedback(path: Path) -> list[dict[str, Any]]:
    """All complete records; a half-written last line (no newline, or not JSON) is skipped."""
    path = Path(path)
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    # The piece after the last "\n" is empty for a complete file and a torn record otherwise.
    complete, tail = lines[:-1], lines[-1]
    if tail.strip():
        log.warning("feedback %s: skipping a half-written last line (%d bytes)", path, len(tail))
    records: list[dict[str, Any]] = []
    for number, raw in enumerate(complete, 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            log.warning("feedback %s: skipping unreadable line %d", path, number)
            continue
        if isinstance(item, dict):
            records.append(item)
    return records
