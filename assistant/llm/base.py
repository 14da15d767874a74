"""What every generative backend provides, and the errors the pipeline turns into plain messages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol


class BackendError(Exception):
    """A generator could not produce an answer; the message is shown to the user as is."""


class BackendUnavailable(BackendError):
    """The backend is not installed, its model is missing, or its endpoint is down or timed out."""


class BackendBusy(BackendError):
    """The local model's queue is full; the user should try again shortly."""


class Generator(Protocol):
    """A chat model: OpenAI-style messages in, text deltas out."""

    name: str

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """Yield text deltas; raise BackendUnavailable / BackendBusy instead of hanging or crashing."""
        ...
