"""自贸案例问答 · FTZ Case Assistant — the Python API.

Stages, each a folder: query/ (normalise, follow-up, route, analyse) → retrieval/ (hybrid, fusion, rerank)
→ ground/ (coverage, refusal) → answers/ (generate, extractive, catalog, citations), with llm/ backends and
lexicon/ word lists. The base layer — models, config, text — imports nothing of ours; ingest/ and store/
import only the base layer. The names below are imported lazily, so `import assistant.models` stays light.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "answer": "assistant.answers.pipeline", "stream_answer": "assistant.answers.pipeline",
    "InvalidQuestion": "assistant.query.normalise",
    "retrieve": "assistant.retrieval.hybrid", "cases": "assistant.retrieval.hybrid",
    "Answer": "assistant.models", "Case": "assistant.models", "Citation": "assistant.models", "Hit": "assistant.models",
}
__all__ = ["Answer", "Case", "Citation", "Hit", "InvalidQuestion", "answer", "cases", "retrieve", "stream_answer"]

if TYPE_CHECKING:  # pragma: no cover
    from assistant.answers.pipeline import answer, stream_answer
    from assistant.models import Answer, Case, Citation, Hit
    from assistant.query.normalise import InvalidQuestion
    from assistant.retrieval.hybrid import cases, retrieve


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'assistant' has no attribute {name!r}")
