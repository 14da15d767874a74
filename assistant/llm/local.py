"""The embedded model through llama-cpp-python: loaded once per process, one request at a time."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.llm.base import BackendBusy, BackendError, BackendUnavailable
from assistant.llm.model_files import default_model_path

if TYPE_CHECKING:
    from assistant.config import Settings

# llama.cpp's OpenMP threads spin while idle otherwise; must be set before llama_cpp is imported
# (which only happens lazily, in _import_llama).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

BUSY_MESSAGE = "本地模型正忙，请稍后再试 / The local model is busy, please try again shortly."
SETUP_HINT = "run `ftzqa setup` (or `make run`)"

TOP_P = 0.9
REPEAT_PENALTY = 1.1


@dataclass
class ModelSlot:
    """One loaded model and the lock serialising its requests (llama.cpp is not thread-safe)."""

    path: Path
    llm: Any = None
    load_lock: threading.Lock = field(default_factory=threading.Lock)
    run_lock: threading.Lock = field(default_factory=threading.Lock)
    state_lock: threading.Lock = field(default_factory=threading.Lock)
    waiting: int = 0
    load_seconds: float | None = None


_SLOTS: dict[str, ModelSlot] = {}
_SLOTS_LOCK = threading.Lock()


def model_slot(path: Path) -> ModelSlot:
    """The process-wide slot for a model file (created empty; the model loads on first use)."""
    key = str(Path(path).expanduser().resolve())
    with _SLOTS_LOCK:
        slot = _SLOTS.get(key)
        if slot is None:
            slot = _SLOTS[key] = ModelSlot(path=Path(key))
        return slot


def reset_models() -> None:
    """Forget every loaded model (tests); a model in use stays alive until its request finishes."""
    with _SLOTS_LOCK:
        _SLOTS.clear()


def _import_llama() -> Any:
    try:
        import llama_cpp
    except Exception as exc:  # ImportError, or a broken shared library (OSError)
        raise BackendUnavailable(
            f"本地模型运行库未安装 / llama-cpp-python is not installed ({type(exc).__name__}); {SETUP_HINT}."
        ) from exc
    return llama_cpp


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def estimate_tokens(text: str) -> int:
    """Rough Qwen2.5 token count without the tokenizer: ~0.7 token per Chinese character, ~4 chars per token else."""
    cjk = len(_CJK.findall(text))
    other = len(text) - cjk
    return int(cjk * 0.7 + other / 4) + 1 if text else 0


class LocalLlama:
    """Generator backed by the local GGUF (Qwen2.5-Coder-1.5B-Instruct by default)."""

    name = "local"

    def __init__(self, settings: Settings | None = None, model_path: Path | None = None) -> None:
        if settings is None:
            from assistant.config import get_settings

            settings = get_settings()
        self.settings = settings
        self.model_path = Path(model_path) if model_path is not None else default_model_path(settings)

    # -- loading -----------------------------------------------------------------------------------------
    @property
    def slot(self) -> ModelSlot:
        return model_slot(self.model_path)

    @property
    def loaded(self) -> bool:
        return self.slot.llm is not None

    def check_available(self) -> None:
        """BackendUnavailable unless the model is loaded or loadable (file present, llama_cpp importable)."""
        slot = self.slot
        if slot.llm is not None:
            return
        if not slot.path.is_file():
            raise BackendUnavailable(
                f"本地模型文件缺失 / The local model file is missing ({slot.path}); {SETUP_HINT}."
            )
        _import_llama()

    def load(self) -> Any:
        """The Llama object for this model path, loading it once per process."""
        slot = self.slot
        if slot.llm is not None:
            return slot.llm
        self.check_available()
        with slot.load_lock:
            if slot.llm is None:
                llama_cpp = _import_llama()
                llm_cfg = self.settings.llm
                start = time.perf_counter()
                try:
                    slot.llm = llama_cpp.Llama(
                        model_path=str(slot.path),
                        n_ctx=llm_cfg.n_ctx,
                        n_threads=llm_cfg.threads,
                        n_threads_batch=llm_cfg.threads,
                        verbose=False,
                    )
                except Exception as exc:  # llama-cpp raises ValueError for an unreadable GGUF
                    raise BackendUnavailable(
                        f"本地模型无法加载 / The local model could not be loaded ({slot.path.name}: {exc}); "
                        f"{SETUP_HINT}."
                    ) from exc
                slot.load_seconds = time.perf_counter() - start
        return slot.llm

    # -- generation --------------------------------------------------------------------------------------
    def _acquire(self, slot: ModelSlot) -> None:
        """Take the model's lock, or queue for it; BackendBusy when the queue is full or the wait too long."""
        if slot.run_lock.acquire(blocking=False):
            return
        with slot.state_lock:
            if slot.waiting >= self.settings.llm.queue_limit:
                raise BackendBusy(BUSY_MESSAGE)
            slot.waiting += 1
        try:
            got = slot.run_lock.acquire(timeout=self.settings.llm.timeout)
        finally:
            with slot.state_lock:
                slot.waiting -= 1
        if not got:
            raise BackendBusy(BUSY_MESSAGE)

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """Yield the reply's text deltas; the model lock is held until the generator finishes or is closed."""
        self.check_available()
        slot = self.slot
        self._acquire(slot)
        chunks = None
        try:
            llm = self.load()
            try:
                chunks = llm.create_chat_completion(
                    messages=messages,
                    stream=True,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    top_p=TOP_P,
                    repeat_penalty=REPEAT_PENALTY,
                )
                for chunk in chunks:
                    choices = chunk.get("choices") or []
                    if not choices:
                        continue
                    text = (choices[0].get("delta") or {}).get("content")
                    if text:
                        yield text
            except ValueError as exc:
                if "context window" in str(exc):
                    raise BackendError(
                        "问题和资料超出本地模型的上下文长度 / The question and evidence are too long for the "
                        f"local model's context ({self.settings.llm.n_ctx} tokens)."
                    ) from exc
                raise
        finally:
            if chunks is not None and hasattr(chunks, "close"):
                try:
                    chunks.close()
                except Exception:  # pragma: no cover - closing must never mask the real error
                    pass
            slot.run_lock.release()

    def count_tokens(self, text: str) -> int:
        """Tokens of text with the model's tokenizer when loaded, else a close estimate."""
        llm = self.slot.llm
        if llm is None or not text:
            return estimate_tokens(text)
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))
