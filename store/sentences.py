"""Sentence vectors: every sentence of every case, embedded once at ingest, for evidence inside a case.

Retrieval finds the case by its passages; the answer needs the sentence that states the figure asked
for, and an English question shares no words with it. The vectors live in a second Chroma collection
beside the chunk vectors, so a shared Chroma server gives them to every app process, and they go the
same way as the chunks when a document changes (ids carry the document's hash).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from assistant.models import Case, Document
from assistant.text import sentence_spans
from store.vectors import VectorStore, delete_except

_BATCH = 256
MIN_SENTENCE = 6  # characters; shorter spans are list markers and stray headings


def sentence_id(document_id: str, sha256: str, start: int) -> str:
    return f"{document_id}:{sha256[:8]}:s{start}"


def case_sentences(text: str, case: Case) -> list[tuple[int, int]]:
    """Sentence spans of a case's body (its sections), in document order; the title and provider lines
    are the case's name, not its evidence."""
    spans: list[tuple[int, int]] = []
    for section in case.sections or []:
        for a, b in sentence_spans(text, section.start, section.end):
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b - a >= MIN_SENTENCE and (not spans or a >= spans[-1][1]):
                spans.append((a, b))
    return spans


class SentenceVectors:
    """The sentence collection of one index (named after it), in the same Chroma client as the chunks."""

    def __init__(self, vectors: VectorStore, index_name: str):
        self.name = f"{index_name}_sentences"
        # Any: chromadb annotates its inputs with invariant unions that reject plain list[list[float]].
        self.collection: Any = vectors.client.get_or_create_collection(
            self.name, metadata={"hnsw:space": "cosine"}, embedding_function=None)

    def existing_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for i in range(0, len(ids), _BATCH):
            found.update(self.collection.get(ids=ids[i : i + _BATCH], include=[])["ids"])
        return found

    def upsert(self, document: Document, rows: list[tuple[str, str, int, int]], embeddings: list[list[float]]) -> None:
        """rows: (sentence id, case id, start, end) with their vectors."""
        for i in range(0, len(rows), _BATCH):
            part = rows[i : i + _BATCH]
            self.collection.upsert(
                ids=[r[0] for r in part], embeddings=embeddings[i : i + _BATCH],
                metadatas=[{"doc_id": document.id, "doc_sha": document.sha256, "case_id": r[1], "start": r[2],
                            "end": r[3]} for r in part])

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these sentence ids (missing ids are absent from the result)."""
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), _BATCH):
            got = self.collection.get(ids=ids[i : i + _BATCH], include=["embeddings"])
            for sid, vector in zip(got["ids"], got["embeddings"]):
                out[sid] = np.asarray(vector, dtype=np.float32)
        return out

    def delete_except(self, live_shas: set[str]) -> None:
        """Drop the sentences of document versions that are no longer live."""
        delete_except(self.collection, live_shas)

    def count(self) -> int:
        return self.collection.count()
