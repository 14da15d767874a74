"""Incremental ingest: unchanged files cost a hash, changed ones are re-indexed, removed ones vanish.

Order of work makes a kill -9 harmless: new vectors are upserted under ids that include the file's
hash, the catalog is then replaced atomically (the commit), and only after that are vectors of
versions no longer live deleted. A killed run leaves the old catalog answering; the next run
reuses vectors already stored and finishes.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, Field
from tqdm import tqdm

from assistant.config import Settings, get_settings
from assistant.models import Case, Document
from ingest.parse import ParsedDocument, folder_metadata, parse_file
from ingest.readers import SUPPORTED_SUFFIXES, UnreadableFile
from store.catalog import Catalog
from store.embeddings import get_embedding
from store.index import Index, reset_shared
from store.sentences import case_sentences, sentence_id

T = TypeVar("T")


class SkippedFile(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    documents: int = 0
    cases: int = 0
    chunks: int = 0
    added: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    skipped: list[SkippedFile] = Field(default_factory=list)
    embedded_chunks: int = 0
    embedded_sentences: int = 0
    seconds: float = 0.0


#: Files beside the documents that describe them rather than being one: titles for documents that state none
#: (documents.json) and the English case cards written for them (cards.json, see assistant/cards.py).
SIDECARS = frozenset({"documents.json", "cards.json"})


def discover(paths: Iterable[Path]) -> tuple[list[tuple[Path, str]], list[Path], list[SkippedFile]]:
    """Files to ingest as (path, name relative to its folder), the folders scanned, and unsupported files."""
    files: list[tuple[Path, str]] = []
    folders: list[Path] = []
    skipped: list[SkippedFile] = []
    for path in paths:
        path = path.resolve()
        if path.is_dir():
            folders.append(path)
            for f in sorted(p for p in path.rglob("*") if p.is_file()):
                if f.name.startswith(".") or f.name in SIDECARS:
                    continue
                if f.suffix.lower() in SUPPORTED_SUFFIXES:
                    files.append((f, f.relative_to(path).as_posix()))
                else:
                    skipped.append(SkippedFile(path=str(f), reason=f"unsupported file type {f.suffix or '(none)'}"))
        elif path.is_file():
            files.append((path, path.name))
        else:
            skipped.append(SkippedFile(path=str(path), reason="no such file or folder"))
    return files, folders, skipped


#: on_progress(file, done, total): `file` (its name as in the report) is being indexed and `done` of its `total`
#: steps are finished — the pages OCR reads first for a scan, then the texts embedded; (file, 0, 0) when reading
#: it starts. Called from the thread running ingest().
OnProgress = Callable[[str, int, int], None]


def ingest(paths: Iterable[Path] | None = None, settings: Settings | None = None, *, rebuild: bool = False,
           progress: bool = False, on_parsed: Callable[[ParsedDocument], None] | None = None,
            on_progress: OnProgress | None = None) -> IngestReport:
    """Bring the index in line with the given files and folders (default: settings.ingest_folders(), the corpus
    and the uploads folder).

    progress shows bars (files, chunks, and pages of scans being read by OCR); on_progress receives each new or
    changed file's progress (OCR'd pages, then texts embedded), for a caller that shows its own (the documents tab).
    """
    settings = settings or get_settings()
    started = time.perf_counter()
    if rebuild:
        Index.wipe(settings)
    index = Index(settings)
    old = index.catalog
    files, folders, skipped = discover(list(paths) if paths else _default_folders(settings))
    report = IngestReport(skipped=skipped)
    new = Catalog()
    by_source = {(old.origins.get(d.id), d.sha256): d.id for d in old.documents.values()}
    embedder = None
    seen_origins: set[str] = set()

    for path, relative in tqdm(files, desc="ingest", unit="file", disable=not progress):
        origin = str(path)
        seen_origins.add(origin)
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            report.skipped.append(SkippedFile(path=origin, reason=f"cannot open: {exc.strerror or exc}"))
            _keep_previous(old, new, origin)
            continue
        previous = by_source.get((origin, sha))
        if previous and not rebuild:
            _copy_document(old, new, previous)
            report.unchanged.append(relative)
            doc = old.documents[previous]
            report.embedded_sentences += _embed_sentences(
                index, doc, _sentences_to_embed(index, doc, [c for c in old.cases.values() if c.document_id == previous],
                                                old.texts.get(previous, "")),
                old.texts.get(previous, ""), embedder, progress)
            continue
        if on_progress:
            on_progress(relative, 0, 0)
        try:
            parsed = parse_file(path, relative, settings.ingest, sha, folder_metadata(path.parent).get(path.name),
                                progress=_page_progress(relative, on_progress, progress))
        except UnreadableFile as exc:
            report.skipped.append(SkippedFile(path=origin, reason=str(exc)))
            _keep_previous(old, new, origin)  # what was indexed before is not lost
            continue
        if on_parsed:
            on_parsed(parsed)
        if embedder is None:
            embedder = get_embedding(settings.embedding.model, settings.embedding.threads)
        cases = {c.id: c for c in parsed.cases}
        stored = index.vectors.existing_ids([c.id for c in parsed.chunks])  # left by a killed run
        todo = [c for c in parsed.chunks if c.id not in stored]
        texts = [c.embedding_text(cases[c.case_id]) for c in todo]
        sentences = _sentences_to_embed(index, parsed.document, parsed.cases, parsed.text)
        tick = _ticker(relative, len(texts) + len(sentences), on_progress)
        vectors = [tick(embedder.get_text_embedding(t)) for t in tqdm(texts, desc=relative[:30], unit="chunk",
                                                                      disable=not progress, leave=False)]
        index.vectors.upsert(parsed.document, cases, todo, vectors, text=parsed.text)
        report.embedded_chunks += len(todo)
        report.embedded_sentences += _embed_sentences(index, parsed.document, sentences, parsed.text, embedder,
                                                      progress, tick)
        doc_id = parsed.document.id
        if doc_id in old.documents:
            report.updated.append(relative)
        else:
            report.added.append(relative)
        new.documents[doc_id] = parsed.document
        new.cases.update(cases)
        new.chunks.update({c.id: c for c in parsed.chunks})
        new.texts[doc_id] = parsed.text
        new.origins[doc_id] = origin

    # Documents not seen this run stay unless their file is gone (or lies in a scanned folder and vanished).
    for doc_id, doc in old.documents.items():
        if doc_id in new.documents:
            continue
        origin = old.origins.get(doc_id, "")
        scanned = any(origin.startswith(str(folder) + "/") for folder in folders)
        if origin in seen_origins or (not scanned and Path(origin).is_file()):
            _copy_document(old, new, doc_id)
        else:
            report.removed.append(doc.source_file)

    index.commit(new)
    index.bm25()  # build the derived keyword index now, not on the first question
    report.documents = len(new.documents)
    report.cases = sum(1 for c in new.cases.values() if c.kind != "preamble")
    report.chunks = len(new.chunks)
    report.seconds = round(time.perf_counter() - started, 3)
    reset_shared()  # a running process picks up the new catalog on its next question
    return report


def _default_folders(settings: Settings) -> list[Path]:
    folders = settings.ingest_folders()
    settings.upload_folder.mkdir(parents=True, exist_ok=True)  # an empty uploads folder is a folder, not an error
    return folders


def _ticker(relative: str, total: int, on_progress: OnProgress | None) -> Callable[[T], T]:
    """Pass-through that counts one finished step of `relative` per call and reports it."""
    done = 0
    if on_progress:
        on_progress(relative, 0, total)

    def tick(value: T) -> T:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(relative, done, total)
        return value

    return tick


def _sentences_to_embed(index: Index, doc: Document, cases: list[Case], text: str) -> list[tuple[str, str, int, int]]:
    """The case sentences (id, case id, start, end) whose vectors are not stored yet (a killed run, or an
    index from before sentence vectors, left the others)."""
    rows = [(sentence_id(doc.id, doc.sha256, a), case.id, a, b) for case in cases for a, b in case_sentences(text, case)]
    stored = index.sentences.existing_ids([r[0] for r in rows])
    return [r for r in rows if r[0] not in stored]


def _embed_sentences(index: Index, doc: Document, todo: list[tuple[str, str, int, int]], text: str, embedder,
                     progress: bool, tick: Callable[[Any], Any] | None = None) -> int:
    """Every case sentence's vector, for evidence inside a case."""
    if not todo:
        return 0
    embedder = embedder or get_embedding(index.settings.embedding.model, index.settings.embedding.threads)
    tick = tick or (lambda value: value)
    vectors = [tick(embedder.get_text_embedding(text[a:b])) for _, _, a, b in tqdm(
        todo, desc=f"{doc.source_file[:24]} sentences", unit="sentence", disable=not progress, leave=False)]
    index.sentences.upsert(doc, todo, vectors)
    return len(todo)


def _page_progress(relative: str, on_progress: OnProgress | None, bars: bool) -> Callable[[int, int], None] | None:
    """The reader's OCR progress for one file, sent to the caller and, with bars, shown as a page bar."""
    if on_progress is None and not bars:
        return None
    bar: tqdm | None = None

    def report(done: int, total: int) -> None:
        nonlocal bar
        if bars:
            if done == 0 and bar is None:
                from ingest.ocr import estimate_seconds

                minutes = estimate_seconds(total) / 60
                about = f"about {minutes:.0f} minutes" if minutes >= 1.5 else \
                    f"about {max(1, round(minutes * 60))} seconds"
                tqdm.write(f"OCR: {relative}: {total} page{'s' if total != 1 else ''}, {about} on this machine")
                bar = tqdm(total=total, desc=f"OCR {relative[:24]}", unit="page", leave=False)
            elif bar is not None:
                bar.update(done - bar.n)
                if done >= total:
                    bar.close()
                    bar = None
        if on_progress is not None:
            on_progress(relative, done, total)

    return report


def _copy_document(old: Catalog, new: Catalog, doc_id: str) -> None:
    new.documents[doc_id] = old.documents[doc_id]
    new.cases.update({k: v for k, v in old.cases.items() if v.document_id == doc_id})
    new.chunks.update({k: v for k, v in old.chunks.items() if v.case_id.split("#")[0] == doc_id})
    if doc_id in old.texts:
        new.texts[doc_id] = old.texts[doc_id]
    if doc_id in old.origins:
        new.origins[doc_id] = old.origins[doc_id]


def _keep_previous(old: Catalog, new: Catalog, origin: str) -> None:
    for doc_id, doc_origin in old.origins.items():
        if doc_origin == origin:
            _copy_document(old, new, doc_id)
