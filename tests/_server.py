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
