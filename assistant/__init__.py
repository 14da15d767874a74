"""自贸案例问答 · FTZ Case Assistant — the Python API.

Imported lazily so that store/ and ingest/ can use assistant.models without pulling in (and
circularly importing) the whole answer pipeline.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "answer": "assistant.pipeline", "stream_answer": "assistant.pipeline", "InvalidQuestion": "assistant.pipeline",
    "retrieve": "assistant.retrieval", "cases": "assistant.retrieval",
    "Answer": "assistant.models", "Case": "assistant.models", "Citation": "assistant.models", "Hit": "assistant.models",
}
__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # pragma: no cover
    from assistant.pipeline import InvalidQuestion, answer, stream_answer
    from assistant.models import Answer, Case, Citation, Hit
    from assistant.retrieval import cases, retrieve


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
