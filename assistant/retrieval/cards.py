"""English case cards made searchable: their vectors (a Chroma collection beside the chunks, one vector per card,
made once) and an English BM25 over their titles, gists and names. An English question that shares no word
with the Chinese text still shares them with the card of the case it is about."""

from __future__ import annotations

import re
from typing import Any

import bm25s
import numpy as np

from assistant.cards import CardStore, card_file, cards_of
from assistant.config import Settings
from assistant.lexicon.wordlists import english_stopwords
from assistant.models import CaseCard
from store.embeddings import get_embedding
from store.index import Index

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def english_tokens(text: str) -> list[str]:
    stop = english_stopwords()
    words = [w for w in _WORD.findall(text.lower()) if w not in stop and len(w) >= 2]
    return [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in words]  # plural → singular, roughly


class CardIndex:
    """The cards of the live catalog with their vectors and a BM25 over their English text."""

    def __init__(self, cards: dict[str, CaseCard], vectors: dict[str, np.ndarray]):
        self.case_ids = [cid for cid in cards if cid in vectors]
        self.cards = cards
        self.matrix = np.stack([vectors[c] for c in self.case_ids]) if self.case_ids else np.zeros((0, 1))
        self.bm25: Any = None
        if self.case_ids:
            self.bm25 = bm25s.BM25()
            self.bm25.index([english_tokens(cards[c].text) or ["∅"] for c in self.case_ids], show_progress=False)

    def dense(self, vector: list[float] | None, k: int) -> list[str]:
        if vector is None or not self.case_ids:
            return []
        scores = self.matrix @ np.asarray(vector, dtype=np.float32)
        return [self.case_ids[i] for i in np.argsort(-scores)[:k]]

    def lexical(self, question: str, k: int) -> list[str]:
        if self.bm25 is None:
            return []
        tokens = [t for t in english_tokens(question) if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        docs, scores = self.bm25.retrieve([tokens], k=min(k, len(self.case_ids)), show_progress=False, n_threads=1)
        return [self.case_ids[int(d)] for d, s in zip(docs[0], scores[0]) if s > 0]


def build(index: Index, settings: Settings) -> CardIndex:
    """The card index of the loaded catalog; card vectors missing from the store are embedded and stored now
    (a fresh clone's shipped cards: about 10 ms each, once)."""
    catalog = index.catalog
    cards = cards_of(catalog.cases.values(), catalog.case_text, CardStore(card_file(settings)))
    collection: Any = index.vectors.client.get_or_create_collection(
        f"{settings.index_name}_cards", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    ids = sorted({card.content_sha for card in cards.values()})
    stored: dict[str, np.ndarray] = {}
    for i in range(0, len(ids), 256):
        got = collection.get(ids=ids[i : i + 256], include=["embeddings"])
        stored.update({sid: np.asarray(v, dtype=np.float32) for sid, v in zip(got["ids"], got["embeddings"])})
    missing = [c for c in cards.values() if c.content_sha not in stored]
    if missing:
        embedder = get_embedding(settings.embedding.model, settings.embedding.threads)
        vectors = [embedder.get_text_embedding(c.text) for c in missing]
        collection.upsert(ids=[c.content_sha for c in missing], embeddings=vectors)
        stored.update({c.content_sha: np.asarray(v, dtype=np.float32) for c, v in zip(missing, vectors)})
    return CardIndex(cards, {cid: stored[card.content_sha] for cid, card in cards.items()})
