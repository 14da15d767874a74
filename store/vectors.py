"""Dense vectors in Chroma: embedded (persistent folder) by default, a Chroma server when configured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings

from assistant.models import Case, Chunk, Document

_BATCH = 256


def delete_except(collection: Any, live_shas: set[str]) -> None:
    """Drop every record of `collection` whose `doc_sha` is not live. With nothing live, ids are deleted in batches:
    Chroma has no "delete all" and an empty `$nin` list is rejected."""
    if live_shas:
        collection.delete(where={"doc_sha": {"$nin": sorted(live_shas)}})
    else:
        ids = collection.get(include=[])["ids"]
        for i in range(0, len(ids), _BATCH):
            collection.delete(ids=ids[i : i + _BATCH])


class VectorStore:
    """One Chroma collection per (embedding model, chunking) — the name is the settings hash."""

    def __init__(self, collection_name: str, path: Path | None = None, url: str | None = None):
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if url:
            parsed = urlparse(url)
            self.client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1", port=parsed.port or 8000,
                ssl=parsed.scheme == "https", settings=chroma_settings,
            )
        else:
            assert path is not None
            path.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        # Any: chromadb annotates its inputs with invariant unions that reject plain list[list[float]].
        self.collection: Any = self.client.get_or_create_collection(
            # search_ef 200: the default 100 let two builds of the same vectors swap near-tied hits.
            collection_name, metadata={"hnsw:space": "cosine", "hnsw:search_ef": 200}, embedding_function=None
        )
        # Each document's cleaned text, so a catalog rebuilt from the store alone has the exact text (chunks leave
        # out headings and title lines): its sentences, and the content hashes its English cards are kept by.
        self.texts: Any = self.client.get_or_create_collection(f"{collection_name}_texts", embedding_function=None)

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), _BATCH):
            found.update(self.collection.get(ids=ids[i : i + _BATCH], include=[])["ids"])
        return found

    def upsert(self, document: Document, cases: dict[str, Case], chunks: list[Chunk],
               embeddings: list[list[float]], text: str | None = None) -> None:
        """Store vectors with enough metadata to rebuild the catalog from the store alone (and the text)."""
        if text is not None:  # a one-number vector: the collection is looked up by id, never searched
            self.texts.upsert(ids=[document.sha256], embeddings=[[1.0]], documents=[text],
                              metadatas=[{"doc_id": document.id, "doc_sha": document.sha256}])
        doc_json = document.model_dump_json()
        for i in range(0, len(chunks), _BATCH):
            part = chunks[i : i + _BATCH]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=embeddings[i : i + _BATCH],
                documents=[c.text for c in part],
                metadatas=[{
                    "doc_id": document.id, "doc_sha": document.sha256, "case_id": c.case_id,
                    "source_file": document.source_file, "provider": cases[c.case_id].provider or "",
                    "chunk_json": c.model_dump_json(), "case_json": cases[c.case_id].model_dump_json(),
                    "doc_json": doc_json,
                } for c in part],
            )

    def delete_except(self, live_shas: set[str]) -> None:
        """Drop every vector of a document version that is no longer live (changed, removed, or orphaned)."""
        delete_except(self.collection, live_shas)
        delete_except(self.texts, live_shas)

    def query(self, embedding: list[float], n: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first."""
        count = self.collection.count()
        if not count:
            return []
        result = self.collection.query(
            query_embeddings=[embedding], n_results=min(n, count), where=where or None, include=["distances"]
        )
        return [(cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0])]

    def all_records(self) -> list[dict]:
        """Every stored chunk's metadata, for rebuilding a missing catalog."""
        got = self.collection.get(include=["metadatas"])
        return [json.loads(json.dumps(m)) for m in got["metadatas"]]

    def stored_texts(self, shas: list[str]) -> dict[str, str]:
        """Document sha256 → its stored text (documents indexed before texts were stored have none)."""
        out: dict[str, str] = {}
        for i in range(0, len(shas), _BATCH):
            got = self.texts.get(ids=shas[i : i + _BATCH], include=["documents"])
            out.update({sha: text for sha, text in zip(got["ids"], got["documents"]) if text is not None})
        return out

    def count(self) -> int:
        return self.collection.count()
