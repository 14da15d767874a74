"""A jieba-tokenised BM25 index over the live chunks, derived from the catalog and cached on disk."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import bm25s

from store.tokenize import tokenize


class BM25Index:
    """BM25 over chunk texts (case title and section path included); rebuilt when the catalog changes."""

    def __init__(self, chunk_ids: list[str], retriever: bm25s.BM25 | None):
        self.chunk_ids = chunk_ids
        self._retriever = retriever

    @classmethod
    def build(cls, chunk_ids: list[str], texts: list[str]) -> BM25Index:
        if not chunk_ids:
            return cls([], None)
        retriever = bm25s.BM25()
        retriever.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)
        return cls(chunk_ids, retriever)

    @classmethod
    def load_or_build(cls, folder: Path, version: str, chunk_ids: list[str], texts: list[str]) -> BM25Index:
        """Load the cached index for this catalog version, or build and cache it (several processes may race: last wins)."""
        marker = folder / "version.json"
        try:
            meta = json.loads(marker.read_text())
            if meta.get("version") == version and meta.get("chunk_ids") == chunk_ids:
                return cls(chunk_ids, bm25s.BM25.load(str(folder / "bm25")))
        except (OSError, ValueError, KeyError):
            pass
        index = cls.build(chunk_ids, texts)
        try:
            tmp = folder.with_name(folder.name + ".tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir(parents=True)
            if index._retriever is not None:
                index._retriever.save(str(tmp / "bm25"), show_progress=False)
            (tmp / "version.json").write_text(json.dumps({"version": version, "chunk_ids": chunk_ids}))
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)
        except OSError:
            pass  # a read-only index folder still answers from the in-memory index
        return index

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; empty when no query token is in the vocabulary."""
        if self._retriever is None:
            return []
        vocab = self._retriever.vocab_dict
        tokens = [t for t in tokenize(query) if t in vocab]
        if not tokens:
            return []
        k = min(k, len(self.chunk_ids))
        docs, scores = self._retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.chunk_ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]
