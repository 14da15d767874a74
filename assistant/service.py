"""Process-wide singletons built once, never per question: the loaded index (store.index.shared), the name
index of the ingested documents (the proper nouns English questions name in pinyin) and their English cards."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from assistant import cards as case_cards
from assistant.cards import SHIPPED_CARDS, CardStore, card_file
from assistant.config import Settings, get_settings
from assistant.lexicon.propernouns import NameIndex
from assistant.llm.registry import get_generator
from assistant.retrieval.cards import CardIndex
from assistant.retrieval.cards import build as build_cards
from store.index import reset_shared
from store.index import shared as index

__all__ = ["cards", "cards_missing", "cases_with_cards", "index", "names", "reset", "write_cards"]

log = logging.getLogger(__name__)
_names_lock = threading.Lock()
_names: tuple[str, NameIndex] | None = None  # (catalog version, index)
NAMES_FILE = "names.json"


def names(settings: Settings | None = None) -> NameIndex:
    """The documents' proper nouns, kept in step with the catalog: stored beside the index and brought up to
    date per document hash (a changed document is re-read, an unchanged one costs nothing)."""
    global _names
    loaded = index(settings)
    catalog = loaded.catalog
    with _names_lock:
        if _names is not None and _names[0] == catalog.version:
            return _names[1]
        path = loaded.folder / NAMES_FILE
        try:
            current = NameIndex.model_validate_json(path.read_bytes()) if path.is_file() else NameIndex()
        except (OSError, ValueError):
            current = NameIndex()  # a damaged file is rebuilt below
        updated = current
        for doc_id in list(updated.documents):
            if doc_id not in catalog.documents:
                updated = updated.without_document(doc_id)
        for doc_id, doc in catalog.documents.items():
            updated = updated.with_document(doc_id, catalog.texts.get(doc_id, ""), doc.sha256)
        if updated is not current:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(updated.model_dump_json())
                tmp.replace(path)
            except OSError as exc:  # a read-only index folder still answers from memory
                log.warning("name index not saved: %s", exc)
        _names = (catalog.version, updated)
        return updated


_cards_lock = threading.Lock()
_cards: tuple[tuple, CardIndex] | None = None


def cards(settings: Settings | None = None) -> CardIndex:
    """The English case cards of the live catalog, searchable; rebuilt when the catalog or a card file changes."""
    global _cards
    loaded = index(settings)
    settings = loaded.settings
    key = (loaded.catalog.version, _mtime(card_file(settings)), _mtime(SHIPPED_CARDS))
    with _cards_lock:
        if _cards is None or _cards[0] != key:
            _cards = (key, build_cards(loaded, settings))
        return _cards[1]


def _store(settings: Settings, out: Path | None) -> CardStore:
    target = out or card_file(settings)
    return CardStore(target, shipped=target if target == SHIPPED_CARDS else SHIPPED_CARDS)


def cards_missing(settings: Settings | None = None, out: Path | None = None) -> int:
    """How many cases of the live catalog have no English card."""
    catalog = index(settings).catalog
    settings = settings or get_settings()
    return case_cards.missing(catalog.cases.values(), catalog.case_text, _store(settings, out))


def cases_with_cards(settings: Settings | None = None) -> set[str]:
    """Ids of the live catalog's cases that have an English card."""
    catalog = index(settings).catalog
    settings = settings or get_settings()
    return set(case_cards.cards_of(catalog.cases.values(), catalog.case_text, _store(settings, None)))


def write_cards(settings: Settings | None = None, backend: str | None = None, out: Path | None = None,
                progress: Callable[[int, int], None] | None = None,
                stop: Callable[[], bool] | None = None) -> tuple[int, list[str]]:
    """Write the missing English cards of the live catalog with `backend` (default: llm.cards_backend)
    into `out` (default <home>/cards.json): (cards made, cases not done with the reason). Raises BackendError
    when the backend cannot be loaded, ValueError when it is not a generator (extractive writes no cards)."""
    catalog = index(settings).catalog  # the shared index: passing its own settings object would load another
    settings = settings or get_settings()
    name = backend or settings.llm.cards_backend
    generator = get_generator(name, settings)  # BackendError: the caller says why in its own words
    if generator is None:
        raise ValueError(f"cards need a generator (local or openai:<model>); {name!r} writes none")
    return case_cards.fill_cards(sorted(catalog.cases.values(), key=lambda c: c.id), catalog.case_text,
                                 _store(settings, out), generator, names(settings), name, progress, stop)


def _mtime(path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def reset() -> None:
    """Forget loaded state: after an ingest, or when tests change settings."""
    global _names, _cards
    with _names_lock:
        _names = None
    with _cards_lock:
        _cards = None
    reset_shared()
