"""One process for `ftzqa serve`: a FastAPI app with the HTTP API (ui.api) and the Gradio page mounted at "/".

OpenAPI docs at /docs. The Gradio page keeps the look launch() gave it (theme, CSS, the IME guard in HEAD)
and its login when ui.auth is set; the API routes are guarded by ui.auth.require (Bearer keys).
"""

from __future__ import annotations

import logging
import os

import gradio as gr
from fastapi import FastAPI

from assistant.config import Settings, get_settings
from ui import api, documents, documents_api
from ui.app import TITLE, auth_pairs, build_app
from ui.auth import has_admin, has_credentials, is_loopback, refusal_to_serve
from ui.style import CSS, HEAD, theme

log = logging.getLogger(__name__)

DESCRIPTION = """Grounded answers over Chinese free-trade-zone case documents, each sentence cited.

* **OpenAI-compatible**: point a chat client (Open WebUI, Chatbox, Cherry Studio…) at `<this server>/v1`,
  model `ftzqa`. The reply is the answer with [n] markers and a sources list; `ftzqa` carries the citations.
* **REST**: `POST /api/answer` returns the `Answer` JSON; `GET /api/cases` lists the cases;
  `POST /api/export` turns an answer or a conversation into .docx or Markdown.
* **Documents**: `GET /api/documents` lists them with their indexing status; `POST /api/documents` (multipart,
  field `file`) uploads one, `DELETE /api/documents/{name}` removes one — both need the admin role.
* **Auth**: open on 127.0.0.1 when nothing is configured; otherwise `Authorization: Bearer <API key>`
  (viewer keys ask, admin keys also upload and remove).
"""


class _QueryRedactor(logging.Filter):
    """Access-log lines show the path without its query string: a key pasted as ?api_key=… (which the API
    does not accept) must still never reach a log."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], args[2].split("?", 1)[0] + "?…", *args[3:])
        return True


def _redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _QueryRedactor) for f in access.filters):
        access.addFilter(_QueryRedactor())


class ServeRefused(RuntimeError):
    """The settings would serve the assistant to the network without any credential."""


def create_app(settings: Settings | None = None) -> FastAPI:
    """The FastAPI app: API routes, OpenAPI docs at /docs, the Gradio page at "/"."""
    settings = settings or get_settings()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    _redact_access_log()
    auth = auth_pairs(settings.ui.auth)
    if settings.ui.auth and not auth:
        raise ValueError("ui.auth is set but has no valid 'user:password' entry; refusing to start without login")

    app = FastAPI(title=TITLE, description=DESCRIPTION, version="1.0", docs_url="/docs", redoc_url=None,
                  openapi_url="/openapi.json")
    app.state.settings = settings
    api.install_error_handlers(app)
    app.include_router(documents_api.router)  # before api.router, whose catch-all answers unknown /api/ routes
    app.include_router(api.router)
    documents.library(settings)  # re-queues jobs a stopped server left and starts the indexing worker

    demo = build_app(settings)
    gr.mount_gradio_app(
        app, demo, path="/", server_name=settings.ui.host, server_port=settings.ui.port,
        auth=auth or None,
        auth_message="请登录 / Please sign in — 自贸案例问答 · FTZ Case Assistant" if auth else None,
        footer_links=[], run_history=False, show_error=False, ssr_mode=False, mcp_server=False, pwa=False,
        enable_monitoring=False, theme=theme(), css=CSS, head=HEAD,
        max_file_size=int(settings.ingest.max_upload_mb * 2**20),  # the documents tab's uploads
    )
    app.state.blocks = demo
    return app


def serve(host: str | None = None, port: int | None = None) -> None:
    """`ftzqa serve`: the app on 127.0.0.1:7860 unless told otherwise, until interrupted.

    Raises ServeRefused on a non-loopback address when no login and no API key is configured.
    """
    import uvicorn

    settings = get_settings().model_copy(deep=True)
    if host:
        settings.ui.host = host
    if port:
        settings.ui.port = port
    problem = refusal_to_serve(settings)
    if problem:
        raise ServeRefused(problem)
    if not is_loopback(settings.ui.host) and not settings.ui.auth and has_credentials(settings):
        log.warning("serving on %s with API keys but no page login: the chat page itself is open to anyone "
                    "who can reach it (set FTZQA_UI__AUTH to require a login)", settings.ui.host)
    if not is_loopback(settings.ui.host) and not has_admin(settings):
        log.warning("serving on %s without an admin login or admin API key: nobody can upload or remove documents "
                    "(set FTZQA_UI__ADMINS or FTZQA_UI__ADMIN_API_KEYS)", settings.ui.host)
    app = create_app(settings)
    uvicorn.run(app, host=settings.ui.host, port=settings.ui.port, log_level="info", timeout_graceful_shutdown=5)
