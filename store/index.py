"""The index as one object: catalog (commit point), Chroma vectors, and the derived BM25 index."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from pathlib import Path

from assistant.config import Settings, get_settings
from assistant.models import Case, Chunk, Document
from store.bm25 import BM25Index
from store.catalog import Catalog, IndexCorrupted
from store.catalog_version import CatalogVersion, StoredVersion
from store.sentences import SentenceVectors
from store.tokenize import warm_up
from store.vectors import VectorStore

log = logging.getLogger(__name__)


class Index:
    """Everything retrieval needs, loaded once per process (see assistant.service)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.folder: Path = settings.index_dir / settings.index_name
        self.catalog_path = self.folder / "catalog.json"
        try:
            self.vectors = VectorStore(settings.index_name, path=self.folder / "chroma", url=settings.store.chroma_url)
            self.sentences = SentenceVectors(self.vectors, settings.index_name)
            self.committed = CatalogVersion(self.vectors.client, settings.index_name)
        except Exception as exc:  # chromadb raises assorted sqlite/rust errors on a damaged folder
            if settings.store.chroma_url:
                raise
            raise IndexCorrupted(f"vector store: {type(exc).__name__}: {str(exc)[:120]}") from exc
        self.catalog = Catalog.load(self.catalog_path)
        self.loaded_version: str | None = self.catalog.version  # the committed version this object answers from
        if settings.store.chroma_url:
            stored = self.committed.read()
            if stored is not None and stored.version != self.catalog.version:
                # Another process committed to the shared Chroma server: its catalog comes from the records.
                self.catalog = _catalog_of(stored, self.vectors.all_records())
                self._exact_texts()
                self.loaded_version = stored.version
            elif stored is None and not self.catalog.documents and self.vectors.count():
                # A store filled before versions were recorded: every record counts.
                self.catalog = catalog_from_records(self.vectors.all_records())
                self._exact_texts()
        self.checked_at = time.monotonic()
        self._bm25: BM25Index | None = None
        self._lock = threading.Lock()

    @staticmethod
    def wipe(settings: Settings) -> None:
        """Remove this configuration's index (ingest --rebuild), also when it is too damaged to open."""
        folder = settings.index_dir / settings.index_name
        try:
            # Through the client: chromadb keeps one in-process system per path, so deleting the
            # folder under a live client would leave the old collection answering.
            store = VectorStore(settings.index_name, path=folder / "chroma", url=settings.store.chroma_url)
            for name in (SentenceVectors(store, settings.index_name).name,
                         CatalogVersion(store.client, settings.index_name).name, store.texts.name,
                         settings.index_name):
                store.client.delete_collection(name)
        except Exception:  # noqa: BLE001 - a damaged store is removed with its folder below
            pass
        for name in ("catalog.json", "bm25"):
            target = folder / name
            shutil.rmtree(target, ignore_errors=True) if target.is_dir() else target.unlink(missing_ok=True)
        if not settings.store.chroma_url and (folder / "chroma").exists() and not _opens(folder, settings):
            shutil.rmtree(folder / "chroma", ignore_errors=True)

    def bm25(self) -> BM25Index:
        with self._lock:
            if self._bm25 is None:
                ids = list(self.catalog.chunks)
                texts = [self.embedding_text(self.catalog.chunks[i]) for i in ids]
                self._bm25 = BM25Index.load_or_build(self.folder / "bm25", self.catalog.version, ids, texts)
                warm_up()
            return self._bm25

    def embedding_text(self, chunk: Chunk) -> str:
        return chunk.embedding_text(self.catalog.cases[chunk.case_id])

    def commit(self, catalog: Catalog) -> None:
        """Make a new catalog live, then drop vectors nobody points to any more."""
        catalog.save(self.catalog_path)
        self.catalog = catalog
        self.vectors.delete_except(catalog.live_shas())
        self.sentences.delete_except(catalog.live_shas())
        # Last: processes sharing the store reload when they see it, and then find only live vectors.
        self.loaded_version = self.committed.write(catalog).version
        with self._lock:
            self._bm25 = None

    def outdated(self) -> bool:
        """Has another process committed a different catalog to the shared Chroma server since this one loaded?

        Always False for the embedded store (one process owns it; its own ingests reset the shared index).
        """
        if not self.settings.store.chroma_url:
            return False
        try:
            current = self.committed.current()
        except Exception as exc:  # noqa: BLE001 - a server hiccup keeps the loaded catalog answering
            log.warning("cannot read the catalog version from the Chroma server: %s", type(exc).__name__)
            return False
        return current is not None and current != self.loaded_version

    def _exact_texts(self) -> None:
        """The stored document texts in place of those laid back from the chunks."""
        docs = self.catalog.documents
        stored = self.vectors.stored_texts(sorted({d.sha256 for d in docs.values()}))
        for doc_id, doc in docs.items():
            if doc.sha256 in stored:
                self.catalog.texts[doc_id] = stored[doc.sha256]

    def case(self, case_id: str) -> Case | None:
        return self.catalog.cases.get(case_id)


def _opens(folder: Path, settings: Settings) -> bool:
    try:
        VectorStore(settings.index_name, path=folder / "chroma")
        return True
    except Exception:  # noqa: BLE001
        return False


def _catalog_of(stored: StoredVersion, records: list[dict]) -> Catalog:
    """The committed catalog from the shared records: only the live document versions, with their origins."""
    catalog = catalog_from_records([r for r in records if stored.is_live(r)])
    catalog.origins = {doc_id: live.origin for doc_id, live in stored.documents.items()
                       if live.origin and doc_id in catalog.documents}
    return catalog


def catalog_from_records(records: list[dict]) -> Catalog:
    """Rebuild the catalog from Chroma metadata (texts are laid back from the chunks)."""
    catalog = Catalog()
    pieces: dict[str, list[Chunk]] = {}
    for meta in records:
        doc = Document.model_validate_json(meta["doc_json"])
        case = Case.model_validate_json(meta["case_json"])
        chunk = Chunk.model_validate_json(meta["chunk_json"])
        catalog.documents[doc.id] = doc
        catalog.cases[case.id] = case
        catalog.chunks[chunk.id] = chunk
        pieces.setdefault(doc.id, []).append(chunk)
    for doc_id, chunks in pieces.items():
        size = max(c.end for c in chunks)
        buf = [" "] * size
        for c in chunks:
            buf[c.start : c.end] = list(c.text)
        catalog.texts[doc_id] = "".join(buf)
    catalog.chunks = dict(sorted(catalog.chunks.items(), key=lambda kv: (kv[1].case_id.split("#")[0], kv[1].start)))
    return catalog


_shared_lock = threading.Lock()
_shared: Index | None = None


def shared(settings: Settings | None = None) -> Index:
    """The process-wide loaded index for the current settings, built once (reloaded after reset_shared()).

    With a Chroma server, at most every store.version_check_seconds it also checks the catalog version other
    processes commit there, and loads the new catalog when it changed: a document added or removed through
    another process is answered from, or no longer cited, without a restart. Callers holding the previous
    Index (a question being answered) keep a consistent view of it.
    """
    global _shared
    settings = settings or get_settings()
    with _shared_lock:
        if _shared is None or _shared.settings is not settings:
            _shared = Index(settings)
        elif settings.store.chroma_url and time.monotonic() - _shared.checked_at >= settings.store.version_check_seconds:
            _shared.checked_at = time.monotonic()
            if _shared.outdated():
                log.info("the shared catalog changed in another process: reloading it")
                _shared = Index(settings)
        return _shared


def reset_shared() -> None:
    """Forget loaded state: after an ingest (a running process picks up the new catalog on its next
    question), or when tests change settings."""
    global _shared
    with _shared_lock:
        _shared = None
    get_settings.cache_clear()
