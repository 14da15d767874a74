"""Run ui.server.create_app on a free 127.0.0.1 port in a thread; the test that starts it stops it."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

START_TIMEOUT = 60  # s; the first start builds the Gradio page and loads the catalog


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "openapi.json", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True  # something answered (401 when keys are required)
    except OSError:
        return False


@contextlib.contextmanager
def running(app, log_level: str = "warning") -> Iterator[str]:
    """Serve `app` on 127.0.0.1:<free port>; yields the base URL ending in '/'; stops and waits on exit."""
    import uvicorn

    port = free_port()
    # log_config=None: uvicorn's loggers propagate to the root logger, so caplog sees the access log too.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level=log_level, log_config=None,
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    while not (server.started and _up(url)):
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the test server on port {port} did not start")
        time.sleep(0.05)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        assert not thread.is_alive(), "the test server did not stop"


def stop_group(proc, term_wait: float = 15) -> None:
    """Stop a subprocess started with start_new_session=True and all it spawned: SIGTERM, then SIGKILL."""
    import os
    import signal
    import subprocess

    for sig, wait in ((signal.SIGTERM, term_wait), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def open_app(**env: str) -> Iterator[tuple[str, object]]:
    """The serve app as a single-user desktop runs it — loopback, no login, no key — with the extractive backend and
    any further FTZQA_* variables given; yields (base URL, its settings) and resets the service singletons after."""
    import pytest

    from assistant import service
    from assistant.config import get_settings
    from ui.server import create_app

    with pytest.MonkeyPatch.context() as mp:
        for name in ("FTZQA_UI__AUTH", "FTZQA_UI__API_KEYS", "FTZQA_UI__ADMIN_API_KEYS", "FTZQA_UI__HOST"):
            mp.delenv(name, raising=False)
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        for name, value in env.items():
            mp.setenv(name, value)
        service.reset()
        settings = get_settings()
        try:
            with running(create_app(settings)) as url:
                yield url, settings
        finally:
            service.reset()


def settings_with(host="127.0.0.1", auth=(), keys=(), admin_keys=(), admins=()):
    """A copy of the settings with the given bind address, page logins, admins and API keys."""
    from pydantic import SecretStr

    from assistant.config import get_settings

    settings = get_settings().model_copy(deep=True)
    settings.ui.host = host
    settings.ui.auth = list(auth)
    settings.ui.admins = list(admins)
    settings.ui.api_keys = [SecretStr(k) for k in keys]
    settings.ui.admin_api_keys = [SecretStr(k) for k in admin_keys]
    return settings
