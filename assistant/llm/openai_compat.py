"""Any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Ollama, OpenAI itself) via the openai client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from assistant.llm.base import BackendUnavailable

if TYPE_CHECKING:
    from assistant.config import Settings

NO_KEY = "not-needed"
UNAVAILABLE = "LLM 服务不可用 / The LLM endpoint is unavailable"
_MAX_REASON = 160


class OpenAICompatible:
    """Generator for an OpenAI-compatible /chat/completions endpoint.

    settings.llm.timeout bounds connecting and every wait for data (the first token included);
    settings.llm.retries is passed to the client as max_retries.
    """

    def __init__(self, model: str, settings: Settings | None = None) -> None:
        if not model:
            raise ValueError("OpenAICompatible needs a model name, e.g. 'openai:qwen2.5-7b-instruct'")
        if settings is None:
            from assistant.config import get_settings

            settings = get_settings()
        self.model = model
        self.name = f"openai:{model}"
        self.settings = settings
        self._client: Any = None

    @property
    def base_url(self) -> str | None:
        return self.settings.llm.openai_base_url

    def _api_key(self) -> str:
        secret = self.settings.llm.openai_api_key
        value = secret.get_secret_value() if secret is not None else ""
        return value or NO_KEY

    def _secrets(self) -> list[str]:
        key = self._api_key()
        return [key] if key != NO_KEY else []

    def check_available(self) -> None:
        if not self.base_url:
            raise BackendUnavailable(
                f"{UNAVAILABLE}: FTZQA_LLM__OPENAI_BASE_URL must be set (e.g. http://localhost:8000/v1)."
            )
        try:
            import openai  # noqa: F401
        except ImportError as exc:
            raise BackendUnavailable(f"{UNAVAILABLE}: the openai package is not installed.") from exc

    def client(self) -> Any:
        if self._client is None:
            self.check_available()
            import openai

            llm_cfg = self.settings.llm
            self._client = openai.OpenAI(
                base_url=self.base_url,
                api_key=self._api_key(),
                timeout=llm_cfg.timeout,
                max_retries=llm_cfg.retries,
            )
        return self._client

    def _reason(self, exc: BaseException) -> str:
        """A short, key-free description of what went wrong."""
        import openai

        if isinstance(exc, openai.APITimeoutError):
            reason = f"timed out after {self.settings.llm.timeout:g} s"
        elif isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            reason = "cannot connect"
            if cause is not None and str(cause):
                reason += f" ({type(cause).__name__}: {cause})"
        elif isinstance(exc, openai.APIStatusError):
            detail = getattr(exc, "message", "") or ""
            reason = f"HTTP {exc.status_code}" + (f": {detail}" if detail else "")
        else:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        for secret in self._secrets():
            reason = reason.replace(secret, "***")
        reason = re.sub(r"(?i)(bearer\s+)\S+", r"\1***", reason)
        reason = " ".join(reason.split())
        if len(reason) > _MAX_REASON:
            reason = reason[: _MAX_REASON - 1] + "…"
        return reason

    def stream(self, messages: list[dict[str, str]], *, max_tokens: int, temperature: float = 0.0) -> Iterator[str]:
        """Yield the reply's text deltas; endpoint failures become BackendUnavailable without the key."""
        client = self.client()
        import httpx2
        import openai

        failures: tuple[type[BaseException], ...] = (openai.OpenAIError, httpx2.HTTPError, OSError)
        response = None
        try:
            try:
                response = client.chat.completions.create(
                    model=self.model,
                    messages=messages,
                    max_tokens=max_tokens,
                    temperature=temperature,
                    stream=True,
                )
                for chunk in response:
                    for choice in chunk.choices or []:
                        delta = getattr(choice, "delta", None)
                        text = getattr(delta, "content", None) if delta is not None else None
                        if text:
                            yield text
            except failures as exc:
                # `from None`: the chained exception could carry request headers.
                raise BackendUnavailable(f"{UNAVAILABLE}: {self._reason(exc)}") from None
        finally:
            if response is not None:
                try:
                    response.close()
                except Exception:  # pragma: no cover
                    pass
