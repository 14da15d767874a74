"""Turn a file into text, or say in one line why it cannot be read."""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES = {".txt", ".md", ".docx", ".pdf"}
# A .docx is a zip: limits checked from its directory before python-docx inflates anything. Real documents
# hold tens of parts and rarely more than 100 MB inflated even with many images; a zip bomb is far beyond both.
DOCX_MAX_MEMBERS = 5000
DOCX_MAX_INFLATED = 500 * 1024 * 1024


class UnreadableFile(Exception):
    """A file that is skipped; the message is the one-line reason shown to the user."""


def read_text(path: Path) -> str:
    """Return the text of a .txt/.md/.docx/.pdf file or raise UnreadableFile with the reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {suffix or '(none)'}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot open: {exc.strerror or exc}") from exc
    if not data.strip():
        raise UnreadableFile("empty file")
    reader = {".txt": _read_plain, ".md": _read_plain, ".docx": _read_docx, ".pdf": _read_pdf}[suffix]
    text = reader(path, data)
    if not text.strip():
        raise UnreadableFile("no text found (a scanned PDF without a text layer?)")
    return text


def _read_plain(path: Path, data: bytes) -> str:
    if b"\x00" in data[:4096]:
        raise UnreadableFile("binary content in a text file")
    for encoding in ("utf-8-sig", "gb18030"):
        # GB18030 is the other encoding Chinese government text files come in.
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if encoding == "gb18030" and not _looks_like_text(text):
            break
        return text
    raise UnreadableFile("undecodable bytes (neither UTF-8 nor GB18030)")


def _looks_like_text(text: str) -> bool:
    """GB18030 decodes almost any bytes; accept it only when the result is mostly CJK/ASCII text."""
    sample = text[:4000]
    good = sum(1 for ch in sample if ch.isspace() or ch.isascii() and ch.isprintable() or "\u4e00" <= ch <= "\u9fff"
               or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef")
    return good >= 0.9 * len(sample)


def check_docx_zip(path: Path) -> None:
    """Raise UnreadableFile unless the file is a zip of sane size holding word/document.xml.

    The sizes come from the zip's directory; zipfile never inflates a member beyond its declared size (it
    fails the CRC check instead), so a lying directory cannot get past this either.
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile("corrupted .docx (not a zip archive)") from exc
    if len(members) > DOCX_MAX_MEMBERS:
        raise UnreadableFile(f"refused .docx: {len(members)} parts (a zip bomb?)")
    if sum(m.file_size for m in members) > DOCX_MAX_INFLATED:
        raise UnreadableFile(f"refused .docx: over {DOCX_MAX_INFLATED // 2**20} MB when unpacked (a zip bomb?)")
    if not any(m.filename == "word/document.xml" for m in members):
        raise UnreadableFile("corrupted .docx (no word/document.xml inside: not a Word file)")


def _read_docx(path: Path, data: bytes) -> str:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise UnreadableFile(f"corrupted .docx ({type(exc).__name__})") from exc
    except Exception as exc:  # zipfile.BadZipFile and lxml errors surface as assorted types
        raise UnreadableFile(f"corrupted .docx ({type(exc).__name__})") from exc
    from ingest.docx_text import docx_lines

    # A blank line between paragraphs, as in markdown: each Word paragraph is a paragraph, not a line
    # wrapped by a converter (a Shift+Enter break inside one stays a single newline).
    return "\n\n".join(docx_lines(document))


def _read_pdf(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableFile("encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except UnreadableFile:
        raise
    except (PyPdfError, ValueError, KeyError, OSError) as exc:
        raise UnreadableFile(f"corrupted PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pypdf raises assorted errors on truncated files
        raise UnreadableFile(f"corrupted PDF ({type(exc).__name__})") from exc
    return "\n".join(pages)
