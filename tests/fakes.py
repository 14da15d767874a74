"""A scriptable fake Generator for tests (backend name "mock"): queue replies, queue failures, inspect
what it was sent (cf. simonw/llm MockModel.enqueue)."""

from __future__ import annotations

import re
import threading
from collections import deque
from collections.abc import Iterator

NOT_FOUND = "资料中未找到相关信息。"

# "[1] text", "【1】text", "[1]\ntext" – the usual ways a prompt numbers its evidence.
_MARKER = re.compile(r"^[ \t]*(?:[\[【]\s*(\d+)\s*[\]】]|<(?:doc|evidence|source)\b[^>]*?\b(?:id|index)=\"?(\d+)\"?[^>]*>)[ \t:：.、]*(.*)$", re.M)
_SENTENCE_END = re.compile(r"(.+?[。！？!?；;]|.+?\.(?=\s|$))")
_WORDISH = re.compile(r"[\w\u4e00-\u9fff]")


def _chunks(text: str, parts: int = 3) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // parts))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _last_user_text(messages: list[dict[str, str]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return str(message.get("content") or "")
    return ""


def _sentence_like(line: str) -> bool:
    line = line.strip()
    # A bare title or source note ("《条例》", "（来源：…）") is not a sentence.
    body = re.sub(r"《[^》]*》|（[^）]*）|\([^)]*\)|【[^】]*】", "", line)
    if len(_WORDISH.findall(body)) < 4:
        return False
    return not line.endswith((":", "："))


def default_reply(messages: list[dict[str, str]]) -> str:
    """First sentence of the first evidence block in the last user message plus its citation, else NOT_FOUND."""
    text = _last_user_text(messages)
    match = _MARKER.search(text)
    if not match:
        return NOT_FOUND
    number = match.group(1) or match.group(2)
    rest_lines = text[match.end() :].splitlines()[1:]
    candidates = [match.group(3)]
    for line in rest_lines:
        if _MARKER.match(line):
            break
        candidates.append(line)
    for line in candidates:
        line = re.sub(r"</?\w+[^>]*>", "", line).strip()
        if not _sentence_like(line):
            continue
        sentence = _SENTENCE_END.match(line)
        first = (sentence.group(1) if sentence else line).strip()
        if first[-1] in "。！？!?；;.":
            return f"{first[:-1]}[{number}]{first[-1]}"
        return f"{first}[{number}]"
    return NOT_FOUND


class MockGenerator:
    """Replies from a queue (enqueue), raises on demand (fail_with), records every call (calls)."""

    name = "mock"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[list[str] | BaseException] = deque()
        self.calls: list[list[dict[str, str]]] = []
        self.call_kwargs: list[dict[str, float | int]] = []

    def enqueue(self, response: str | list[str]) -> MockGenerator:
        """Queue one reply: a string (streamed in a few chunks) or the exact list of chunks."""
        chunks = _chunks(response) if isinstance(response, str) else [str(c) for c in response]
        with self._lock:
            self._queue.append(chunks)
        return self

    def fail_with(self, exc: BaseException) -> MockGenerator:
        """Make the next call raise exc (after being recorded)."""
        with self._lock:
            self._queue.append(exc)
        return self

    def reset(self) -> None:
        """Empty the queue and forget recorded calls."""
        with self._lock:
            self._queue.clear()
            self.calls.clear()
            self.call_kwargs.clear()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def last_messages(self) -> list[dict[str, str]] | None:
        return self.calls[-1] if self.calls else None

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        # Recorded and dequeued when called (not on first next()), so ordering follows call order.
        with self._lock:
            self.calls.append([dict(m) for m in messages])
            self.call_kwargs.append({"max_tokens": max_tokens, "temperature": temperature})
            item = self._queue.popleft() if self._queue else None
        if item is None:
            item = _chunks(default_reply(messages))
        return self._replay(item)

    @staticmethod
    def _replay(item: list[str] | BaseException) -> Iterator[str]:
        if isinstance(item, BaseException):
            raise item
        yield from item

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 320, temperature: float = 0.0) -> str:
        """The whole reply as one string (convenience for tests)."""
        return "".join(self.stream(messages, max_tokens=max_tokens, temperature=temperature))


_MOCK: MockGenerator | None = None
_MOCK_LOCK = threading.Lock()


def mock_generator() -> MockGenerator:
    """The process-wide MockGenerator that get_generator('mock') returns; tests enqueue into it."""
    global _MOCK
    with _MOCK_LOCK:
        if _MOCK is None:
            _MOCK = MockGenerator()
        return _MOCK
