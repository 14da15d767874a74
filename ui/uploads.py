"""What an uploaded file must pass before it may join the documents folder, as pure checks with plain reasons.

- its name: only the last path component is kept (whatever the client's OS), unsafe characters become "_",
  so "../../x.txt" or "C:\\x\\y.docx" can only ever be stored inside the uploads folder;
- its type: a suffix the settings accept *and* the readers read (415 otherwise);
- its size: at most ingest.max_upload_mb (413), and not empty (400);
- its content: what the suffix says — a PDF header, a .docx that is a zip of sane size holding a Word body
  (a zip bomb is refused before anything is inflated), an image signature, text that decodes (400);
- not a copy of a document already indexed or queued, recognised by sha256 (409).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from assistant.config import Settings
from ingest.parse import document_id
from ingest.readers import SUPPORTED_SUFFIXES, UnreadableFile, check_docx_zip, read_text

MAX_STEM_CHARS = 100
COPY_CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^\w\-()（）\u3000-\u303f]+")  # \w: letters (CJK included), digits, underscore
_SIGNATURES = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}


class Rejected(Exception):
    """An upload or removal that cannot be done: an HTTP status, a stable code and a plain message."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def accepted_suffixes(settings: Settings) -> list[str]:
    """Suffixes an upload may have: configured and readable (images only once the OCR reader is present)."""
    return sorted({s.lower() for s in settings.ingest.upload_suffixes} & SUPPORTED_SUFFIXES)


def split_name(raw: str | None) -> tuple[str, str]:
    """(safe stem, lower-case suffix) of a client's file name: last path component, unsafe characters as "_"."""
    name = unicodedata.normalize("NFC", raw or "")
    name = "".join(ch for ch in name if ch.isprintable())
    name = re.split(r"[/\\]", name)[-1].strip()
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem.strip(". "):
        stem, ext = name, ""
    suffix = "." + ext.strip().lower() if ext.strip() else ""
    if not re.fullmatch(r"\.[a-z0-9]{1,10}", suffix):
        suffix = ""
    stem = _UNSAFE.sub("_", stem).strip("_-")[:MAX_STEM_CHARS].strip("_-")
    return stem or "document", suffix


def check_suffix(suffix: str, settings: Settings) -> None:
    accepted = accepted_suffixes(settings)
    if suffix not in accepted:
        shown = suffix or "(none)"
        raise Rejected(415, "unsupported_type",
                       f"File type {shown} is not accepted; upload one of {' '.join(accepted)}. "
                       f"/ 不支持的文件类型 {shown}。")


def unique_name(stem: str, suffix: str, taken_ids: set[str]) -> str:
    """stem+suffix, or stem-2+suffix, stem-3+suffix…: the first whose document id nothing uses yet.

    Document ids ignore the suffix (report.pdf and report.docx would both be "report"), so ids are compared.
    """
    candidate, n = stem, 1
    while document_id(candidate + suffix) in taken_ids:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate + suffix


def copy_limited(source: BinaryIO, target: Path, limit: int) -> tuple[str, int]:
    """Copy a stream to `target`, refusing (413) past `limit` bytes; returns (sha256, size). Removes
    `target` on any failure."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(target, "xb") as out:
            while True:
                block = source.read(COPY_CHUNK)
                if not block:
                    break
                size += len(block)
                if size > limit:
                    raise Rejected(413, "file_too_large", f"The file is larger than the limit of {_mb(limit)}. "
                                                          f"/ 文件超过 {_mb(limit)} 的上限。")
                digest.update(block)
                out.write(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def check_content(path: Path, suffix: str) -> None:
    """Raise Rejected (400) unless the file holds what its suffix says. Cheap: headers and the zip directory;
    the full reading happens in the background job."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        raise Rejected(400, "unreadable_file", "The uploaded file could not be read. / 无法读取上传的文件。") from exc
    if not head.strip():
        raise Rejected(400, "empty_file", "The file is empty. / 文件为空。")
    try:
        if suffix == ".pdf":
            if b"%PDF-" not in head:
                raise UnreadableFile("not a PDF (no %PDF- header)")
        elif suffix == ".docx":
            check_docx_zip(path)
        elif suffix in _SIGNATURES:
            if not head.startswith(_SIGNATURES[suffix]):
                raise UnreadableFile(f"not a {suffix[1:].upper()} image")
        elif suffix in (".txt", ".md"):
            read_text(path)  # binary content, undecodable bytes, whitespace only
    except UnreadableFile as exc:
        raise Rejected(400, "unreadable_file", f"The file cannot be used: {exc}. / 文件无法读取：{exc}。") from exc


def duplicate_of(sha256: str, known: Iterable[tuple[str, str]]) -> str | None:
    """The name of a known (name, sha256) with this content, else None."""
    return next((name for name, sha in known if sha == sha256), None)


def _mb(size: int) -> str:
    return f"{size / 2**20:g} MB"
