"""Resolve backend names ("local", "openai:<model>", "extractive", or one a test registered) to Generators,
built once each."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable

from assistant.config import Settings, get_settings
from assistant.llm.base import BackendUnavailable, Generator

#: Tests set this to False (like pydantic-ai's ALLOW_MODEL_REQUESTS) so nothing touches a real model.
ALLOW_REAL_MODELS = True

VALID_FORMS = "'local', 'openai:<model>' or 'extractive'"

_CACHE: dict[tuple[str, str, str], Generator] = {}
_CACHE_LOCK = threading.Lock()
# Extra backends by name, e.g. the tests' scriptable fake ("mock"); the factory is called on every lookup.
_REGISTERED: dict[str, Callable[[], Generator]] = {}


def register(name: str, factory: Callable[[], Generator]) -> None:
    """Make get_generator(name) return factory() (tests register their fake generator this way)."""
    _REGISTERED[name.strip().lower()] = factory


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
    if not sep and provider in _REGISTERED:
        return _REGISTERED[provider]()
    if provider not in ("local", "openai") or (provider == "local" and sep) or (provider == "openai" and not model):
        raise ValueError(f"Unknown LLM backend {raw!r}; use {VALID_FORMS}.")

    _check_real_allowed(name)
    settings = settings or get_settings()

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
