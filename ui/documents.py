"""The documents of the index as officials manage them — the 资料管理 / Documents tab and /api/documents.

`library(settings)` is one `Library` per data home: it lists every indexed document with the state of its
job, accepts uploads and removals, and runs one background worker that takes one job at a time.

- An upload is checked (ui.uploads), staged in <home>/incoming and queued. Its job moves it into the uploads
  folder and runs ingest.pipeline.ingest over settings.ingest_folders() — exactly what `ftzqa ingest` indexes.
  The ingest commit is atomic (catalog.json replaced after the vectors are written), so questions are answered
  from the previous index until then; right after it assistant.service.reset() makes the next question use the
  new catalog (and with a Chroma server, other processes notice the new version, see store.index.shared).
- A removal deletes the file from the uploads folder and queues the same run, which drops the document from
  Chroma, BM25 and the catalog. The shipped corpus is read-only.
- Jobs live in <home>/document_jobs.json. After a crash or kill -9, a job that was being indexed is queued
  again once; cut short a second time it fails with the reason. A file that cannot be read fails its job
  and is taken out of the uploads folder, so no later run trips over it.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Literal

from pydantic import BaseModel, Field

from assistant import service
from assistant.config import Settings
from ingest.parse import document_id
from ingest.pipeline import IngestReport, ingest
from ingest.structure import doubt
from store.catalog import Catalog
from ui.jobs import MAX_ATTEMPTS, Job, JobBoard
from ui.uploads import Rejected, check_content, check_suffix, copy_limited, duplicate_of, split_name, unique_name

log = logging.getLogger(__name__)

Status = Literal["queued", "indexing", "ready", "failed", "removing"]
Source = Literal["corpus", "uploads", "other"]
IDLE_WAIT = 5.0  # s between looks at the board when nothing wakes the worker


class DocumentInfo(BaseModel):
    """One document as the documents tab and GET /api/documents show it."""

    name: str = Field(description="File name: as stored in the uploads folder, or relative to the corpus folder")
    title: str | None = Field(None, description="The document's title (once indexed)")
    cases: int = Field(0, description="Cases found in it")
    chunks: int = Field(0, description="Passages indexed")
    status: Status = Field(description="queued | indexing | ready | failed | removing")
    error: str | None = Field(None, description="Why it failed, in one line")
    done: int = Field(0, description="While indexing: texts embedded so far")
    total: int = Field(0, description="While indexing: texts to embed (0 while the file is being read)")
    added: datetime | None = Field(None, description="When the file was uploaded (or last changed in the corpus)")
    source: Source = Field(description="corpus (shipped, read-only) | uploads | other (indexed from a CLI path)")
    removable: bool = Field(description="Can an admin remove it here")
    sha256: str | None = None
    original_name: str | None = Field(None, description="The name it was uploaded under, when it differs")
    cards_en: int = Field(0, description="Of its cases, those with an English card (title and gist English questions "
                          "are matched against); written after indexing by llm.cards_backend")
    check: str | None = Field(None, description="Why its split into cases should be checked before relying on it: "
                              "no cases recognised in a long text, or cases found by the layout-agnostic fallback")


class UploadAccepted(BaseModel):
    """An upload taken in: stored under `name` and queued for indexing."""

    name: str = Field(description="The safe name it is stored under (use it to follow or remove the document)")
    original_name: str
    status: Literal["queued"] = "queued"
    sha256: str
    size: int


class Removal(BaseModel):
    """What a removal did: "removing" (queued: gone from answers once indexed) or "removed" (nothing was indexed)."""

    name: str
    status: Literal["removing", "removed"]


class Library:
    """Documents of one data home: listing, uploads, removals, and the one worker that indexes them."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.folder = settings.upload_folder
        self.incoming = settings.home / "incoming"
        self.board = JobBoard(settings.jobs_file)
        self._submit_lock = threading.Lock()  # duplicate check, naming and queueing as one step
        self._cards_due = False  # an upload was indexed: its English cards are written when the queue is empty
        self._recover()
        self._worker = threading.Thread(target=self._work, name="ftzqa-documents", daemon=True)
        self._worker.start()

    # ---------------------------------------------------------------- reading

    def documents(self) -> list[DocumentInfo]:
        """Pending and failed uploads (newest first), then every indexed document (uploads first, newest first)."""
        catalog = _catalog()
        jobs = self.board.snapshot()
        removing = {j.name for j in jobs if j.action == "remove" and j.pending}
        failed_removals = {j.name: j for j in jobs if j.action == "remove" and j.state == "failed"}
        indexed = {(d.source_file, d.sha256) for d in catalog.documents.values()}
        rows = [self._job_row(j) for j in reversed(jobs)
                if j.action == "add" and j.state != "ready" and (j.name, j.sha256) not in indexed]
        counts = Counter(c.document_id for c in catalog.cases.values() if c.kind != "preamble")
        with_card = service.cases_with_cards()
        cards = Counter(c.document_id for c in catalog.cases.values() if c.kind != "preamble" and c.id in with_card)
        chunks = Counter(c.case_id.split("#")[0] for c in catalog.chunks.values())
        docs = []
        for doc_id, doc in catalog.documents.items():
            origin = catalog.origins.get(doc_id, "")
            source = self._source(origin)
            status: Status = "ready"
            error = None
            if source == "uploads" and doc.source_file in removing:
                status = "removing"
            elif source == "uploads" and doc.source_file in failed_removals:
                status, error = "failed", failed_removals[doc.source_file].error
            docs.append(DocumentInfo(
                name=doc.source_file, title=doc.title, cases=counts[doc_id], chunks=chunks[doc_id], status=status,
                error=error, added=_mtime(origin), source=source, removable=source == "uploads", sha256=doc.sha256,
                cards_en=cards[doc_id], check=doubt(doc.layout, catalog.texts.get(doc_id, "")) or None))
        docs.sort(key=lambda d: (d.source != "uploads", -(d.added.timestamp() if d.added else 0), d.name))
        return rows + docs

    def document(self, name: str) -> DocumentInfo | None:
        return next((d for d in self.documents() if d.name == name), None)

    def busy(self) -> bool:
        """Is any job queued or being indexed?"""
        return any(j.pending for j in self.board.snapshot())

    def _job_row(self, job: Job) -> DocumentInfo:
        return DocumentInfo(
            name=job.name, status=job.state, error=job.error, done=job.done, total=job.total,
            added=datetime.fromtimestamp(job.submitted, UTC), source="uploads", removable=job.state != "indexing",
            sha256=job.sha256, original_name=job.original_name if job.original_name != job.name else None)

    def _source(self, origin: str) -> Source:
        if origin and _inside(origin, self.folder):
            return "uploads"
        if origin and _inside(origin, self.settings.ingest.corpus_dir):
            return "corpus"
        return "other"

    # ---------------------------------------------------------------- uploads

    def submit(self, original_name: str | None, source: BinaryIO) -> UploadAccepted:
        """Check an uploaded file, stage it and queue its indexing; raises Rejected with the reason."""
        stem, suffix = split_name(original_name)
        check_suffix(suffix, self.settings)
        limit = int(self.settings.ingest.max_upload_mb * 2**20)
        self.incoming.mkdir(parents=True, exist_ok=True)
        part = self.incoming / f".part-{uuid.uuid4().hex}{suffix}"  # the suffix: readers go by it
        sha, size = copy_limited(source, part, limit)
        try:
            check_content(part, suffix)
            with self._submit_lock:
                catalog = _catalog()
                known = [(d.source_file, d.sha256) for d in catalog.documents.values()]
                known += [(j.name, j.sha256) for j in self.board.snapshot() if j.action == "add" and j.pending]
                twin = duplicate_of(sha, known)
                if twin is not None:
                    raise Rejected(409, "duplicate", f"This file is already in the library as {twin}. "
                                                     f"/ 该文件已在资料库中（{twin}）。")
                job = Job(action="add", name=unique_name(stem, suffix, self._taken_ids(catalog)),
                          original_name=(original_name or "")[:300], sha256=sha, size=size)
                os.replace(part, self.incoming / job.id)
                self.board.add(job)
        finally:
            part.unlink(missing_ok=True)
        log.info("upload queued: %s (%d bytes)", job.name, size)
        return UploadAccepted(name=job.name, original_name=job.original_name, sha256=sha, size=size)

    def _taken_ids(self, catalog: Catalog) -> set[str]:
        """Document ids already used: indexed, on disk in an indexed folder, or on the job board."""
        taken = set(catalog.documents)
        for folder in self.settings.ingest_folders():
            if folder.is_dir():
                taken.update(document_id(p.relative_to(folder).as_posix()) for p in folder.rglob("*") if p.is_file())
        taken.update(document_id(j.name) for j in self.board.snapshot())
        return taken

    # ---------------------------------------------------------------- removal

    def remove(self, name: str) -> Removal:
        """Remove an uploaded document (queued), cancel a queued upload or dismiss a failed one (done at once)."""
        with self._submit_lock:
            job = self.board.find(name)
            on_disk = self._stored(name)
            if job is not None and job.action == "add" and job.state == "indexing":
                raise Rejected(409, "being_indexed", f"{name} is being indexed; remove it once it is ready. "
                                                     f"/ 正在索引，请完成后再删除。")
            if job is not None and job.action == "add" and job.state == "queued":
                (self.incoming / job.id).unlink(missing_ok=True)
                self.board.drop(job)
                return Removal(name=name, status="removed")
            if job is not None and job.action == "remove" and job.pending:
                return Removal(name=name, status="removing")
            catalog = _catalog()
            doc = next((d for i, d in catalog.documents.items()
                        if d.source_file == name and self._source(catalog.origins.get(i, "")) == "uploads"), None)
            if job is not None and job.state == "failed":
                self.board.drop(job)  # a failed upload or removal is dismissed; a removal is tried again below
                if doc is None and on_disk is None:
                    return Removal(name=name, status="removed")
            if doc is None and on_disk is None:
                if any(d.source_file == name for d in catalog.documents.values()):
                    raise Rejected(409, "read_only", f"{name} is part of the shipped corpus (or indexed from a path "
                                                     f"given to `ftzqa ingest`) and cannot be removed here. "
                                                     f"/ 该文件不是上传的资料，不能在此删除。")
                raise Rejected(404, "no_such_document", f"There is no uploaded document named {name!r}. "
                                                        f"/ 没有该名称的上传资料。")
            if on_disk is not None:
                on_disk.unlink(missing_ok=True)
            self.board.add(Job(action="remove", name=name, sha256=doc.sha256 if doc else ""))
        log.info("removal queued: %s", name)
        return Removal(name=name, status="removing")

    def _stored(self, name: str) -> Path | None:
        """The uploads folder's file of exactly this name (never a path built from user input)."""
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            return None
        try:
            entries = {e.name: e for e in os.scandir(self.folder) if e.is_file(follow_symlinks=False)}
        except OSError:
            return None
        entry = entries.get(name)
        return Path(entry.path) if entry is not None else None

    # ---------------------------------------------------------------- the worker

    def _recover(self) -> None:
        """After a restart: a job cut short is queued again, or failed once it was cut short MAX_ATTEMPTS times."""
        with self.board.lock:
            for job in list(self.board.jobs):
                if job.state != "indexing":
                    continue
                if job.action == "add" and self._indexed(job):
                    self.board.drop(job)  # stopped after the commit: it is in the index
                elif job.attempts >= MAX_ATTEMPTS:
                    self._fail(job, f"indexing was cut short {job.attempts} times (the server stopped); the file "
                                    "was taken out of the library — check it and upload it again")
                else:
                    log.warning("re-queueing %s: the server stopped while it was being indexed", job.name)
                    self.board.update(job, state="queued", done=0, total=0)

    def _indexed(self, job: Job) -> bool:
        try:
            catalog = _catalog()
        except Exception:  # noqa: BLE001 - an unreadable index: treat as not indexed, the job reruns
            return False
        target = str((self.folder / job.name).resolve())
        return any(catalog.origins.get(i) == target and d.sha256 == job.sha256 for i, d in catalog.documents.items())

    def _work(self) -> None:
        while True:
            with self.board.changed:
                job = self.board.next_queued()
                while job is None and not self._cards_due:
                    self.board.changed.wait(IDLE_WAIT)
                    job = self.board.next_queued()
            if job is None:
                self._write_cards()
                continue
            try:
                self._run(job)
            except Exception:  # noqa: BLE001 - the worker outlives any one job
                log.exception("document job %s failed unexpectedly", job.name)
                self._fail(job, "internal error while indexing; see the server log")

    def _run(self, job: Job) -> None:
        with self._submit_lock:  # a removal deciding between "cancel" and "being indexed" sees one state
            if job.state != "queued" or all(j.id != job.id for j in self.board.jobs):
                return  # cancelled meanwhile
            self.board.update(job, state="indexing", attempts=job.attempts + 1, done=0, total=0, error=None)
        target = self.folder / job.name
        if job.action == "add":
            self.folder.mkdir(parents=True, exist_ok=True)
            staged = self.incoming / job.id
            if staged.exists():
                shutil.move(staged, target)
            elif not target.exists():
                self._fail(job, "the uploaded file is gone; upload it again")
                return

        def progress(file: str, done: int, total: int) -> None:
            if file == job.name:
                job.done, job.total = done, total

        log.info("indexing for %s %s", job.action, job.name)
        try:
            report = ingest(None, self.settings, on_progress=progress)
        except Exception as exc:  # noqa: BLE001 - the reason goes to the job, the traceback to the log
            log.exception("indexing for %s failed", job.name)
            self._fail(job, f"indexing stopped: {type(exc).__name__}: {str(exc)[:200]}")
            return
        finally:
            service.reset()  # the next question reads the committed catalog
        self._settle(job, report, str(target.resolve()))

    def _write_cards(self) -> None:
        """English cards of the indexed uploads' cases, one case at a time, giving way to any upload or removal
        queued meanwhile (the rest is written when the queue is empty again)."""
        self._cards_due = False
        try:
            made, failed = service.write_cards(stop=lambda: self.board.next_queued() is not None)
        except Exception as exc:  # noqa: BLE001 - no generator, or it cannot load: the documents stay answerable
            log.info("English cards not written after upload: %s", exc)
            return
        if self.board.next_queued() is not None:
            self._cards_due = True
        log.info("English cards after upload: %d written%s", made, f", {len(failed)} not: {failed[:3]}" if failed else "")

    def _settle(self, job: Job, report: IngestReport, origin: str) -> None:
        if job.action == "remove":
            self.board.drop(job)
            return
        skipped = next((s for s in report.skipped if s.path == origin), None)
        if skipped is not None:
            self._fail(job, skipped.reason)
        elif job.name in (*report.added, *report.updated, *report.unchanged):
            self.board.drop(job)  # ready: the catalog is its record now
            self._cards_due = self.settings.ingest.cards_after_upload
            log.info("indexed %s", job.name)
        else:
            self._fail(job, "the file was not indexed")

    def _fail(self, job: Job, reason: str) -> None:
        """Mark the job failed; a failed upload leaves the uploads folder so no later run reads it again."""
        if job.action == "add":
            (self.folder / job.name).unlink(missing_ok=True)
            (self.incoming / job.id).unlink(missing_ok=True)
        self.board.update(job, state="failed", error=reason, finished=datetime.now(UTC).timestamp())
        log.warning("document job for %s failed: %s", job.name, reason)


def _catalog() -> Catalog:
    """The catalog questions are answered from."""
    return service.index().catalog


def _inside(path: str, folder: Path) -> bool:
    return path.startswith(str(folder.resolve()) + os.sep)


def _mtime(path: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(os.stat(path).st_mtime, UTC) if path else None
    except OSError:
        return None


_libraries: dict[Path, Library] = {}
_libraries_lock = threading.Lock()


def library(settings: Settings) -> Library:
    """The Library of this data home, created (with its worker) on first use."""
    key = settings.jobs_file.resolve()
    with _libraries_lock:
        found = _libraries.get(key)
        if found is None:
            found = _libraries[key] = Library(settings)
        return found
