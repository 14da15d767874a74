"""Retrieval baselines scored on the same items as our hybrid retriever.

- ``bm25``: our jieba BM25 alone (``search_text(mode="bm25")``).
- ``dense``: our Chroma/USE vectors alone (``search_text(mode="dense")``).
- ``llamaindex-default``: what a plain llama-index pipeline does with the same files — one Document per
  file (read with our reader), the default ``SentenceSplitter``, the SAME embedding model, an in-memory
  ``VectorStoreIndex`` and ``similarity_top_k=5``. Retrieved nodes are mapped to our case ids by
  char-bigram overlap with each case's cleaned text in the same document. Node embeddings are cached
  under ``<home>/cache/`` keyed by the file hashes, splitter settings and embedding model.

Each baseline is a callable ``(question, history) -> list[(case_id, passage text)]`` (ranked, cases may repeat).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.config import Settings, get_settings
from assistant.retrieval.hybrid import Mode

log = logging.getLogger(__name__)

Retriever = Callable[[str, list[dict]], list[tuple[str, str]]]
BASELINES = ("bm25", "dense", "llamaindex-default")


def get_baseline(name: str, settings: Settings | None = None, cache_dir: Path | None = None) -> Retriever:
    """The retriever of a named baseline (built once; the llama-index one embeds or loads its nodes)."""
    settings = settings or get_settings()
    if name in ("bm25", "dense"):
        return _search_baseline("bm25" if name == "bm25" else "dense", settings)
    if name in ("llamaindex-default", "llamaindex"):
        return LlamaIndexDefault(settings, cache_dir=cache_dir)
    raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")


def _search_baseline(mode: Mode, settings: Settings) -> Retriever:
    from assistant.retrieval.hybrid import search_text

    def run(question: str, history: list[dict]) -> list[tuple[str, str]]:
        return [(h.case.id, h.chunk.text) for h in search_text(question, k=10, history=history, mode=mode, settings=settings)]

    return run


# ------------------------------------------------------------------------------------ llama-index default
def _bigrams(text: str) -> list[str]:
    s = "".join(text.split())
    return [s[i : i + 2] for i in range(len(s) - 1)]


class CaseMatcher:
    """Maps a raw-text passage to the catalog case whose cleaned text shares most of its char bigrams."""

    def __init__(self, catalog):
        self.by_doc: dict[str, list[tuple[str, set[str]]]] = {}
        for case in sorted(catalog.cases.values(), key=lambda c: (c.document_id, c.start)):
            text = catalog.texts.get(case.document_id, "")[case.start : case.end]
            self.by_doc.setdefault(case.document_id, []).append((case.id, set(_bigrams(text))))

    def match(self, doc_id: str, text: str) -> str | None:
        grams = Counter(_bigrams(text))
        best, best_score = None, -1
        for case_id, case_grams in self.by_doc.get(doc_id, []):
            score = sum(c for g, c in grams.items() if g in case_grams)
            if score > best_score:
                best, best_score = case_id, score
        return best


class LlamaIndexDefault:
    """A plain llama-index VectorStoreIndex over the corpus files (retriever only; no LLM is touched)."""

    top_k = 5

    def __init__(self, settings: Settings | None = None, cache_dir: Path | None = None,
                 files: list[Path] | None = None):
        from llama_index.core import Document, VectorStoreIndex
        from llama_index.core import Settings as LISettings
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.core.schema import MetadataMode

        from assistant import service
        from ingest.readers import read_text
        from store.embeddings import get_embedding

        settings = settings or get_settings()
        LISettings.llm = None  # a MockLLM: nothing may reach OpenAI
        embed_model = get_embedding(settings.embedding.model, settings.embedding.threads)
        LISettings.embed_model = embed_model
        catalog = service.index(settings).catalog
        self.matcher = CaseMatcher(catalog)

        if files is None:
            # The files our index was built from (origins), else the configured corpus folder.
            files = [Path(p) for p in catalog.origins.values() if Path(p).exists()]
            if not files:
                corpus = settings.ingest.corpus_dir
                files = [p for p in sorted(corpus.iterdir()) if p.suffix.lower() in (".txt", ".md", ".docx", ".pdf")]
        files = sorted(files, key=lambda p: p.name)
        docs = [Document(text=read_text(p), metadata={"file_name": p.name}) for p in files]
        splitter = SentenceSplitter()  # llama-index defaults: chunk_size 1024 tokens, overlap 200
        nodes = splitter.get_nodes_from_documents(docs)

        digest = hashlib.sha256()
        for p in files:
            digest.update(p.name.encode() + hashlib.sha256(p.read_bytes()).digest())
        digest.update(json.dumps({"model": settings.embedding.model, "chunk_size": splitter.chunk_size,
                                  "chunk_overlap": splitter.chunk_overlap, "n": len(nodes)}).encode())
        cache_dir = cache_dir or (settings.home / "cache")
        cache_file = cache_dir / f"llamaindex-default-{digest.hexdigest()[:16]}.npy"
        texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
        vectors = None
        if cache_file.exists():
            try:
                vectors = np.load(cache_file)
                if vectors.shape[0] != len(nodes):
                    vectors = None
            except (OSError, ValueError):
                vectors = None
        if vectors is None:
            log.info("embedding %d llama-index nodes (cached in %s)", len(nodes), cache_file)
            vectors = np.asarray(embed_model.get_text_embedding_batch(texts), dtype=np.float32)
            cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(cache_file)
        for node, vector in zip(nodes, vectors):
            node.embedding = vector.tolist()
        self.nodes = nodes
        # Nodes that carry embeddings are not re-embedded by the index.
        self.index = VectorStoreIndex(nodes, embed_model=embed_model, show_progress=False)
        self.retriever = self.index.as_retriever(similarity_top_k=self.top_k)
        self._case_of: dict[str, str | None] = {}

    def case_of(self, node) -> str | None:
        if node.node_id not in self._case_of:
            doc_id = Path(node.metadata.get("file_name", "")).stem
            self._case_of[node.node_id] = self.matcher.match(doc_id, node.get_content())
        return self._case_of[node.node_id]

    def __call__(self, question: str, history: list[dict] | None = None) -> list[tuple[str, str]]:
        # A plain pipeline has no condensing step: the history is ignored, as it would be there.
        results = self.retriever.retrieve(question)
        return [(cid, r.node.get_content()) for cid, r in ((self.case_of(r.node), r) for r in results) if cid]
