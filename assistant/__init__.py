"""自贸案例问答 · FTZ Case Assistant — the Python API."""

from assistant.answer import InvalidQuestion, answer, stream_answer
from assistant.models import Answer, Case, Citation, Hit
from assistant.retrieve import cases, retrieve

__all__ = ["Answer", "Case", "Citation", "Hit", "InvalidQuestion", "answer", "cases", "retrieve", "stream_answer"]
