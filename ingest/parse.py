"""One file → the typed objects that get indexed: Document, its Cases (with Sections) and Chunks."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from assistant.config import IngestSettings
from assistant.models import Case, Chunk, Document, Section
from ingest.chunking import chunk_spans
from ingest.clean import clean
from ingest.readers import Progress, ReadResult, read
from ingest.structure import detect, sections

# Optional per-folder metadata for documents whose text names no title (004 starts with its first
# case; 000 is a newsletter page): {"file name": {"title": …, "publisher": …, "date": …}}.
METADATA_FILE = "documents.json"


@dataclass
class ParsedDocument:
    document: Document
    cases: list[Case]
    chunks: list[Chunk]
    text: str  # the cleaned document every span points into
    source_map: list[int]  # cleaned char offset → raw char offset


def document_id(relative: str) -> str:
    return Path(relative).with_suffix("").as_posix().replace("/", "__")


def folder_metadata(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def parse_file(path: Path, relative: str, settings: IngestSettings, raw_bytes_sha: str | None = None,
               metadata: dict[str, str] | None = None, progress: Progress | None = None) -> ParsedDocument:
    """Read, clean, detect structure and chunk one file (raises UnreadableFile); progress follows OCR pages."""
    sha = raw_bytes_sha or hashlib.sha256(path.read_bytes()).hexdigest()
    source = read(path, progress)
    cleaned = clean(source.text, physical_lines=source.physical_lines)
    structure = detect(cleaned, source.title)
    metadata = metadata or {}
    doc_id = document_id(relative)
    title = metadata.get("title") or structure.title or Path(relative).stem
    document = Document(
        id=doc_id, title=title, source_file=relative, sha256=sha, layout=structure.layout,
        publisher=metadata.get("publisher") or structure.publisher, date=metadata.get("date") or structure.date,
    )
    cases: list[Case] = []
    chunks: list[Chunk] = []
    seen_numbers: set[int] = set()
    for span in structure.cases:
        number = span.number
        while number in seen_numbers:  # duplicate numbering in a source must not merge two cases
            number += 1000
        seen_numbers.add(number)
        case_start, case_end = cleaned.line_span(span.first_line, span.last_line)
        case = Case(
            id=f"{doc_id}#{number}", number=number, title=span.title or title, provider=span.provider,
            kind=span.kind, document_id=doc_id, document_title=title, source_file=relative,
            start=case_start, end=case_end,
        )
        for sec in sections(cleaned.lines, span):
            a, b = cleaned.line_span(sec.first_line, sec.last_line)
            case.sections.append(Section(path=sec.path, start=a, end=b))
            for a_, b_ in chunk_spans(cleaned.text, a, b, settings.chunk_size, settings.chunk_overlap,
                                      settings.min_chunk):
                chunks.append(Chunk(
                    id=f"{doc_id}:{sha[:8]}:{len(chunks)}", case_id=case.id, text=cleaned.text[a_:b_],
                    start=a_, end=b_, section=sec_label(sec.path), page=_page(source, cleaned.source_map, a_),
                ))
        cases.append(case)
    for first, last, label in structure.own_blocks if cases and cases[0].kind == "preamble" else []:
        # The document's own text after its first case (a notice's 抄送 tail, a closing block, news items between
        # cases): sections of the preamble, never of the case they follow.
        a, b = cleaned.line_span(first, last)
        cases[0].sections.append(Section(path=[label], start=a, end=b))
        for a_, b_ in chunk_spans(cleaned.text, a, b, settings.chunk_size, settings.chunk_overlap, settings.min_chunk):
            chunks.append(Chunk(id=f"{doc_id}:{sha[:8]}:{len(chunks)}", case_id=cases[0].id, text=cleaned.text[a_:b_],
                                start=a_, end=b_, section=label, page=_page(source, cleaned.source_map, a_)))
    return ParsedDocument(document, cases, chunks, cleaned.text, cleaned.source_map)


def _page(source: ReadResult, source_map: list[int], start: int) -> int | None:
    """1-based page of the chunk's first char: its cleaned offset mapped back to the raw text."""
    if not source.page_starts or not source_map:
        return None
    return source.page_at(source_map[min(start, len(source_map) - 1)])


def sec_label(path: list[str]) -> str:
    return " › ".join(path)
