"""The 资料管理 / Documents tab: every document with its title, cases, chunks, when it was added and its state;
upload (several files at once) and remove with a confirmation, for admins.

Everyone sees the list; the upload and remove controls are shown to admins only (ui.auth.page_role: a login
listed in ui.admins, or the desktop user on loopback with no login configured), and every handler checks the
role again on the server from gr.Request.username — a hidden button is not a permission.

A timer refreshes the list every few seconds while the page is open, and when the catalog version changes
(a job committed here, or another process committed to a shared Chroma server) it also refreshes the header,
the chat's filters and the case catalog, so they follow the index without a reload.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from assistant import service
from assistant.config import Settings
from ui import render
from ui.auth import page_role
from ui.documents import DocumentInfo, library
from ui.uploads import Rejected, accepted_suffixes

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0
NOT_ADMIN = "只有管理员可以上传或删除资料 / Only admins can upload or remove documents."
VIEWER_NOTE = ('<div class="ftz-muted" id="ftz-doc-viewer-note">只有管理员可以上传或删除资料 / '
               'Only admins can upload or remove documents.</div>')


def _is_admin(settings: Settings, request: gr.Request | None) -> bool:
    return page_role(settings, getattr(request, "username", None)) == "admin"


def _frame(docs: list[DocumentInfo]) -> pd.DataFrame:
    return pd.DataFrame(render.document_rows(docs), columns=render.DOCUMENT_COLUMNS)


def _signature(docs: list[DocumentInfo]) -> str:
    return repr(render.document_rows(docs))


def _catalog_version() -> str:
    try:
        return service.index().catalog.version
    except Exception:  # noqa: BLE001 - a broken index: the tab still loads
        log.exception("cannot load the index")
        return ""


def _status(message: str, ok: bool = True) -> str:
    return render.upload_results([(ok, message)])


def build_documents_tab(demo: gr.Blocks, settings: Settings, catalog_views: list[Any],
                        refresh_catalog_views: Callable[[], tuple]) -> None:
    """Lay out the tab inside the current gr.Tab and wire its events (page load included). `catalog_views` are
    the components `refresh_catalog_views()` updates (header, filters, case catalog)."""
    lib = library(settings)
    private: dict[str, Any] = {"api_visibility": "private"}
    quick = {"queue": False, "show_progress": "hidden", **private}
    types = accepted_suffixes(settings)

    docs_seen = gr.State("")  # signature of the table as last sent
    version_seen = gr.State("")  # catalog version the header, filters and case catalog show
    with gr.Column(elem_id="ftz-documents"):
        table = gr.Dataframe(value=_frame([]), headers=render.DOCUMENT_COLUMNS, interactive=False, wrap=True,
                             max_height=420, elem_id="ftz-doc-table", label="全部资料 / All documents",
                             column_widths=["20%", "29%", "7%", "7%", "12%", "9%", "16%"])
        viewer_note = gr.HTML(VIEWER_NOTE, js_on_load=None, visible=False, elem_id="ftz-doc-viewer")
        with gr.Group(visible=False, elem_id="ftz-doc-admin") as admin_box:
            files = gr.File(label=f"上传资料（可多选）/ Upload documents: {' '.join(types)} · "
                                  f"≤ {settings.ingest.max_upload_mb:g} MB",
                            file_count="multiple", file_types=types, elem_id="ftz-doc-upload")
            with gr.Row(equal_height=True):
                pick = gr.Dropdown(choices=[], value=None, label="删除资料 / Remove a document", scale=4,
                                   elem_id="ftz-doc-remove-pick")
                remove = gr.Button("删除 / Remove", variant="stop", scale=0, min_width=120, elem_id="ftz-doc-remove")
            with gr.Row(visible=False, equal_height=True, elem_id="ftz-doc-confirm") as confirm_box:
                confirm_text = gr.HTML("", js_on_load=None, elem_id="ftz-doc-confirm-text")
                confirm = gr.Button("确认删除 / Confirm removal", variant="stop", scale=0, min_width=170,
                                    elem_id="ftz-doc-confirm-btn")
                cancel = gr.Button("取消 / Cancel", scale=0, min_width=100, elem_id="ftz-doc-cancel")
        status = gr.HTML("", js_on_load=None, elem_id="ftz-doc-status")
    timer = gr.Timer(POLL_SECONDS)

    def listing(**pick_update: Any) -> tuple[list[DocumentInfo], Any, Any, str]:
        docs = lib.documents()
        return docs, _frame(docs), gr.update(choices=render.removable_choices(docs), **pick_update), _signature(docs)

    def on_load(request: gr.Request) -> tuple:
        admin = _is_admin(settings, request)
        _, frame, choices, signature = listing()
        return (gr.update(visible=admin), gr.update(visible=not admin), frame, choices, signature,
                _catalog_version())

    def upload(paths: list[str] | None, request: gr.Request) -> tuple:
        if not _is_admin(settings, request):
            return _status(NOT_ADMIN, ok=False), None, *listing()[1:]
        results: list[tuple[bool, str]] = []
        for path in paths or []:
            shown = Path(path).name  # Gradio keeps the original name as the temp file's name
            try:
                with open(path, "rb") as fh:
                    accepted = lib.submit(shown, fh)
                note = f"（保存为 / stored as {accepted.name}）" if accepted.name != shown else ""
                results.append((True, f"{shown}: 已加入队列 / queued{note}"))
            except Rejected as exc:
                results.append((False, f"{shown}: {exc.message}"))
            except OSError:
                log.exception("reading an uploaded file failed")
                results.append((False, f"{shown}: 无法读取 / the upload could not be read"))
        return render.upload_results(results), None, *listing()[1:]

    def ask_removal(name: str | None, request: gr.Request) -> tuple:
        if not _is_admin(settings, request):
            return gr.update(visible=False), "", _status(NOT_ADMIN, ok=False)
        if not name:
            return gr.update(visible=False), "", _status("请先选择要删除的资料 / Choose a document first.", ok=False)
        doc = lib.document(name)
        label = render.esc(doc.title if doc and doc.title else name)
        return (gr.update(visible=True),
                f'<div class="ftz-warn">确定删除《{label}》？删除后不再被引用。<br>'
                f'Remove “{render.esc(name)}”? It will no longer be cited.</div>', "")

    def do_removal(name: str | None, request: gr.Request) -> tuple:
        if not _is_admin(settings, request):
            return gr.update(visible=False), _status(NOT_ADMIN, ok=False), *listing()[1:]
        try:
            removal = lib.remove(name or "")
            message = (f"{name}: 正在删除 / removing (gone from answers once the index is updated)"
                       if removal.status == "removing" else f"{name}: 已删除 / removed")
            result = _status(message)
        except Rejected as exc:
            result = _status(f"{name}: {exc.message}", ok=False)
        return gr.update(visible=False), result, *listing(value=None)[1:]

    def poll(seen_docs: str, seen_version: str) -> tuple:
        try:
            _, frame, choices, signature = listing()
        except Exception:  # noqa: BLE001 - the next tick tries again
            log.exception("listing documents failed")
            return (gr.skip(),) * (4 + len(catalog_views))
        version = _catalog_version()
        table_out = (frame, choices, signature) if signature != seen_docs else (gr.skip(),) * 3
        if version and version != seen_version:
            return (*table_out, version, *refresh_catalog_views())
        return (*table_out, gr.skip(), *(gr.skip(),) * len(catalog_views))

    listing_outputs = [table, pick, docs_seen]
    files.upload(upload, files, [status, files, *listing_outputs], **private)
    remove.click(ask_removal, pick, [confirm_box, confirm_text, status], **quick)
    cancel.click(lambda: (gr.update(visible=False), ""), None, [confirm_box, confirm_text], **quick)
    confirm.click(do_removal, pick, [confirm_box, status, *listing_outputs], **private)
    timer.tick(poll, [docs_seen, version_seen], [*listing_outputs, version_seen, *catalog_views], **quick)
    demo.load(on_load, None, [admin_box, viewer_note, *listing_outputs, version_seen], **quick)
