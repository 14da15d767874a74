"""The case catalog: every Document, Case and Chunk of the live index, persisted as one JSON file.

The catalog file is the commit point of an ingest: it is replaced atomically, so a run killed
half-way leaves the previous catalog (and with it the previous index) answering.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from assistant.models import Case, Chunk, Document


class IndexCorrupted(RuntimeError):
    """The index folder cannot be read; the message tells the user how to recover."""

    def __init__(self, detail: str):
        super().__init__(
            f"索引已损坏 / The index is corrupted ({detail}). "
            "Run `ftzqa ingest --rebuild` to rebuild it from the documents."
        )


class Catalog(BaseModel):
    documents: dict[str, Document] = Field(default_factory=dict)
    cases: dict[str, Case] = Field(default_factory=dict)
    chunks: dict[str, Chunk] = Field(default_factory=dict)
    texts: dict[str, str] = Field(default_factory=dict, description="doc id → cleaned text")
    origins: dict[str, str] = Field(default_factory=dict, description="doc id → absolute path it was read from")

    @property
    def version(self) -> str:
        """Changes whenever the set of live chunks changes; derived indexes are keyed on it."""
        digest = hashlib.sha256()
        for doc_id in sorted(self.documents):
            digest.update(f"{doc_id}:{self.documents[doc_id].sha256};".encode())
        return digest.hexdigest()[:16]

    def live_shas(self) -> set[str]:
        return {d.sha256 for d in self.documents.values()}

    def remove_document(self, doc_id: str) -> None:
        self.documents.pop(doc_id, None)
        self.texts.pop(doc_id, None)
        self.origins.pop(doc_id, None)
        self.cases = {k: v for k, v in self.cases.items() if v.document_id != doc_id}
        self.chunks = {k: v for k, v in self.chunks.items() if v.case_id.split("#")[0] != doc_id}

    def section_text(self, case: Case, section_label: str) -> str:
        """The full text of one section of a case (for 'show the whole section')."""
        text = self.texts.get(case.document_id, "")
        for section in case.sections:
            if section.label == section_label:
                return text[section.start : section.end]
        return text[case.start : case.end]

    def case_text(self, case: Case) -> str:
        return self.texts.get(case.document_id, "")[case.start : case.end]

    # ---- persistence

    @classmethod
    def load(cls, path: Path) -> Catalog:
        if not path.exists():
            return cls()
        try:
            return cls.model_validate_json(path.read_bytes())
        except (ValidationError, ValueError, OSError) as exc:
            raise IndexCorrupted(f"catalog {path.name}: {type(exc).__name__}") from exc

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            fh.write(self.model_dump_json().encode())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # atomic: readers see the old or the new catalog, never half of one
