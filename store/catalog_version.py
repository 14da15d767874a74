"""The live catalog's version kept inside the vector store, so processes sharing one Chroma server notice a
commit made by another.

Each process has its own catalog.json; only the vectors are shared. At commit the writer records, in a tiny
collection beside the chunks, the catalog version and which document versions (id → sha256, origin) are live.
Another process compares that version with the one it loaded (at most every few seconds, before answering) and,
when they differ, rebuilds its catalog from the chunk records of exactly those document versions, ignoring
vectors a concurrent ingest has written but not yet committed.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from store.catalog import Catalog

RECORD_ID = "catalog"


class LiveDocument(BaseModel):
    sha256: str
    origin: str = ""


class StoredVersion(BaseModel):
    """What the last commit made live."""

    version: str
    documents: dict[str, LiveDocument] = Field(default_factory=dict)
    committed_at: float = 0.0

    @classmethod
    def of(cls, catalog: Catalog) -> StoredVersion:
        return cls(version=catalog.version, committed_at=time.time(), documents={
            doc_id: LiveDocument(sha256=doc.sha256, origin=catalog.origins.get(doc_id, ""))
            for doc_id, doc in catalog.documents.items()})

    def is_live(self, record: dict) -> bool:
        """Does a chunk record belong to a committed document version?"""
        live = self.documents.get(str(record.get("doc_id", "")))
        return live is not None and live.sha256 == record.get("doc_sha")


class CatalogVersion:
    """One record in `<index name>_version`, in the same Chroma client as the chunk vectors."""

    def __init__(self, client: Any, index_name: str):
        self.name = f"{index_name}_version"
        # Chroma stores records with a vector; this one is a constant of dimension 1.
        self.collection: Any = client.get_or_create_collection(self.name, embedding_function=None)

    def write(self, catalog: Catalog) -> StoredVersion:
        stored = StoredVersion.of(catalog)
        # The version alone in the metadata: the frequent check reads just that, the document list only on change.
        self.collection.upsert(ids=[RECORD_ID], embeddings=[[1.0]], documents=[stored.model_dump_json()],
                               metadatas=[{"version": stored.version}])
        return stored

    def current(self) -> str | None:
        """The last committed version (one small read), or None when no commit has recorded one (an older store)."""
        got = self.collection.get(ids=[RECORD_ID], include=["metadatas"])
        metadatas = got.get("metadatas") or []
        return str(metadatas[0].get("version")) if metadatas and metadatas[0] else None

    def read(self) -> StoredVersion | None:
        """The last committed version with its live documents, or None."""
        got = self.collection.get(ids=[RECORD_ID], include=["documents"])
        documents = got.get("documents") or []
        if not documents or not documents[0]:
            return None
        try:
            return StoredVersion.model_validate_json(documents[0])
        except ValueError:
            return None
