"""Process-wide singletons: the settings, the loaded index and the encoder — built once, never per question."""

from __future__ import annotations

import threading

from assistant.config import Settings, get_settings
from store.index import Index

_lock = threading.Lock()
_index: Index | None = None


def index(settings: Settings | None = None) -> Index:
    """The loaded index for the current settings (reloaded after reset())."""
    global _index
    settings = settings or get_settings()
    with _lock:
        if _index is None or _index.settings is not settings:
            _index = Index(settings)
        return _index


def reset() -> None:
    """Forget loaded state: after an ingest, or when tests change settings."""
    global _index
    with _lock:
        _index = None
    get_settings.cache_clear()
