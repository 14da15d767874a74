"""Process-wide singletons: the loaded index (built once, never per question) — see store.index.shared."""

from __future__ import annotations

from store.index import reset_shared as reset
from store.index import shared as index

__all__ = ["index", "reset"]
