"""Resolve backend names ("local", "openai:<model>", "mock", "extractive") to Generators, built once each."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import TYPE_CHECKING

from assistant.llm.base import BackendUnavailable, Generator

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.llm.mock import MockGenerator

#: Tests set this to False (like pydantic-ai's ALLOW_MODEL_REQUESTS) so nothing touches a real model.
ALLOW_REAL_MODELS = True

VALID_FORMS = "'local', 'openai:<model>', 'mock' or 'extractive'"

_CACHE: dict[tuple[str, str, str], Generator] = {}
_CACHE_LOCK = threading.Lock()
_MOCK: MockGenerator | None = None


def mock_generator() -> MockGenerator:
    """The process-wide MockGenerator that get_generator('mock') returns; tests enqueue into it."""
    global _MOCK
    with _CACHE_LOCK:
        if _MOCK is None:
            from assistant.llm.mock import MockGenerator

            _MOCK = MockGenerator()
        return _MOCK


def clear_cache() -> None:
    """Forget the built generators (the loaded local model stays cached in assistant.llm.local)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _fingerprint(settings: Settings) -> str:
    """LLM settings (key included, hashed) so a changed timeout or key builds a new generator."""
    data = settings.llm.model_dump(mode="json")
    key = settings.llm.openai_api_key
    data["openai_api_key"] = key.get_secret_value() if key is not None else None
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _check_real_allowed(name: str) -> None:
    if not ALLOW_REAL_MODELS:
        raise BackendUnavailable(f"real model calls are disabled in tests (backend {name!r})")


def get_generator(name: str, settings: Settings | None = None) -> Generator | None:
    """The Generator for name, or None for 'extractive'; ValueError for an unknown name."""
    raw = name
    name = (name or "").strip()
    provider, sep, model = name.partition(":")
    provider = provider.lower()
    model = model.strip()

    if provider == "extractive" and not sep:
        return None
    if provider == "mock" and not sep:
        return mock_generator()
    if provider not in ("local", "openai") or (provider == "local" and sep) or (provider == "openai" and not model):
        raise ValueError(f"Unknown LLM backend {raw!r}; use {VALID_FORMS}.")

    _check_real_allowed(name)
    if settings is None:
        from assistant.config import get_settings

        settings = get_settings()

    if provider == "local":
        from assistant.llm.model_files import default_model_path

        key = ("local", str(default_model_path(settings)), _fingerprint(settings))
    else:
        key = (f"openai:{model}", str(settings.llm.openai_base_url), _fingerprint(settings))

    with _CACHE_LOCK:
        generator = _CACHE.get(key)
        if generator is None:
            if provider == "local":
                from assistant.llm.local import LocalLlama

                generator = LocalLlama(settings)
            else:
                from assistant.llm.openai_compat import OpenAICompatible

                generator = OpenAICompatible(model, settings)
            _CACHE[key] = generator
        return generator
