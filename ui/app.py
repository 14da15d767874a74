"""The Gradio chat window: `build_app()` makes the Blocks, `serve()` runs it (`ftzqa serve`).

It only renders what the Python API returns (stream_answer, the catalog); answering, retrieval,
truncation and fallbacks all live in assistant/. Nothing here may end a session: every handler
turns an error into a plain message in the chat and logs the traceback server-side.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any, Literal

import gradio as gr
import pandas as pd

from assistant import Answer, InvalidQuestion, service, stream_answer
from assistant.config import Settings, get_settings
from assistant.models import Retrieved
from ui import downloads, render
from ui.documents_tab import build_documents_tab
from ui.examples import examples
from ui.feedback import append_feedback, make_record
from ui.style import CSS, HEAD, HEADER, theme

log = logging.getLogger(__name__)

TITLE = "自贸案例问答 · FTZ Case Assistant"
CONCURRENCY = 4  # answers computed at the same time; the rest wait in Gradio's queue
QUEUE_MAX = 64
GENERIC_ERROR = ("抱歉，处理这个问题时出错了，请稍后重试或换个问法。\n"
                 "Sorry, something went wrong while answering. Please try again or rephrase the question.")
INDEX_ERROR = ("资料索引暂不可用，请联系管理员（运行 ftzqa ingest）。\n"
               "The document index is not available; ask the administrator to run `ftzqa ingest`.")
PLACEHOLDER = (
    '<div style="text-align:center;color:#64748b;line-height:1.8">'
    '<div style="font-size:18px;font-weight:700;color:#0b3a82">您好，请就自贸试验区案例提问</div>'
    '<div style="font-size:14px">Ask about free-trade-zone cases in Chinese or English — '
    '每个回答都标注来源 [n]，右侧可查看原文 / every answer cites its sources, shown on the right.</div></div>'
)


# ---------------------------------------------------------------- catalog access


def _catalog():
    """The live catalog (the one stream_answer() answers from)."""
    return service.index().catalog


def _titles(catalog) -> dict[str, str]:
    return {d.source_file: d.title for d in catalog.documents.values()}


def _safe_catalog():
    try:
        return _catalog()
    except Exception:  # noqa: BLE001 - a broken index shows a message, the page still loads
        log.exception("cannot load the index")
        return None


# ---------------------------------------------------------------- chat handlers


def _snapshot(chat, history, answers, sources, status="") -> tuple:
    return chat, "", history, answers, sources, status


def respond(question: str | None, chat: list | None, history: list | None, answers: list | None,
            files: list | None, providers: list | None) -> Iterator[tuple]:
    """Stream one answer into the chat.

    Yields (chat messages, question box value, plain-text history, answers per assistant message,
    sources panel HTML, feedback status). Never raises.
    """
    chat = list(chat or [])
    history = list(history or [])
    answers = list(answers or [])
    question = question if isinstance(question, str) else ""
    if question.strip():
        chat.append({"role": "user", "content": render.user_message(question)})
    chat.append({"role": "assistant", "content": render.pending_message()})
    answers.append(None)
    yield _snapshot(chat, history, answers, render.sources_pending())

    filters = render.build_filters(files, providers)
    final: Answer | None = None
    try:
        partial: list[str] = []
        sources_html = render.sources_pending()
        for item in stream_answer(question, history, filters=filters or None, yield_sources=True):
            if isinstance(item, Answer):
                final = item
                break
            if isinstance(item, Retrieved):
                # Sources on screen right after retrieval, while a local model reads them.
                sources_html = render.evidence_panel(item.hits)
                yield _snapshot(chat, history, answers, sources_html)
            elif isinstance(item, str) and item:
                partial.append(item)
                chat[-1] = {"role": "assistant", "content": render.streaming_message("".join(partial))}
                yield _snapshot(chat, history, answers, sources_html)
        if final is None:
            raise RuntimeError("stream_answer ended without an Answer")
        catalog = _safe_catalog()
        titles = _titles(catalog) if catalog is not None else {}
        line = render.filters_text(filters, titles)
        chat[-1] = {"role": "assistant",
                    "content": render.answer_message(final, f"筛选 / Filtered by: {line}" if line else "")}
        answers[-1] = {"answer": final, "filters": filters}
        limit = get_settings().ui.max_question_chars
        history = history + [{"role": "user", "content": question.strip()[:limit]},
                             {"role": "assistant", "content": final.text}]
        yield _snapshot(chat, history, answers, render.sources_panel(final, catalog))
    except InvalidQuestion as exc:
        chat[-1] = {"role": "assistant", "content": render.error_message(str(exc))}
        yield _snapshot(chat, history, answers, _latest_sources(answers))
    except Exception as exc:  # noqa: BLE001 - the session survives anything
        log.exception("answering failed for a %d-character question", len(question))
        message = INDEX_ERROR if type(exc).__name__ == "IndexCorrupted" else GENERIC_ERROR
        chat[-1] = {"role": "assistant", "content": render.error_message(message)}
        yield _snapshot(chat, history, answers, _latest_sources(answers))


def _latest(answers: list | None) -> dict | None:
    return next((a for a in reversed(answers or []) if a), None)


def _latest_sources(answers: list | None) -> str:
    latest = _latest(answers)
    if not latest:
        return render.sources_placeholder()
    return render.sources_panel(latest["answer"], _safe_catalog())


def _answer_position(chat: list | None, evt: gr.SelectData) -> int:
    """Which assistant message (0-based, as in `answers`) a click on the chat means."""
    index = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
    index = int(index)
    position = sum(1 for m in (chat or [])[:index] if m.get("role") == "assistant")
    if (chat or [])[index].get("role") != "assistant":
        position += 1  # a question: the answer that follows it
    return position


def show_turn_sources(answers: list | None, chat: list | None, evt: gr.SelectData) -> str:
    """Clicking an earlier answer shows that answer's sources."""
    try:
        position = _answer_position(chat, evt)
        item = (answers or [])[position] if position < len(answers or []) else None
        if item:
            return render.sources_panel(item["answer"], _safe_catalog())
    except Exception:  # noqa: BLE001
        log.exception("showing the sources of a turn failed")
    return gr.skip()


def new_conversation() -> tuple:
    return [], "", [], [], render.sources_placeholder(), "", ""


# ---------------------------------------------------------------- export


def _export_outputs(answers: list | None, selected: int | None, fmt: str | None) -> tuple:
    one, whole, line = downloads.prepare(answers, selected, fmt)
    return (gr.update(value=one, interactive=one is not None), gr.update(value=whole, interactive=whole is not None),
            line)


def exports_after_answer(answers: list | None, fmt: str | None) -> tuple:
    """A new answer: "Export" goes back to the latest one. Returns (selected, answer file, conversation file, status)."""
    return (None, *_export_outputs(answers, None, fmt))


def exports_for_selection(answers: list | None, chat: list | None, fmt: str | None, evt: gr.SelectData) -> tuple:
    """Clicking an answer (or its question) in the chat makes it the one "Export" writes."""
    try:
        position = _answer_position(chat, evt)
    except Exception:  # noqa: BLE001
        log.exception("selecting an answer for export failed")
        return (gr.skip(),) * 4
    if position >= len(answers or []) or not (answers or [])[position]:
        return (gr.skip(),) * 4
    return (position, *_export_outputs(answers, position, fmt))


def exports_for_format(answers: list | None, selected: int | None, fmt: str | None) -> tuple:
    return _export_outputs(answers, selected, fmt)


def exports_cleared() -> tuple:
    return None, gr.update(value=None, interactive=False), gr.update(value=None, interactive=False), downloads.NOTHING


def example_text(evt: gr.SelectData) -> str:
    value = evt.value
    if isinstance(value, dict):
        return str(value.get("text") or value.get("display_text") or "")
    return str(value or "")


def filters_changed(files: list | None, providers: list | None) -> str:
    catalog = _safe_catalog()
    return render.active_filters_line(render.build_filters(files, providers), _titles(catalog) if catalog else {})


# ---------------------------------------------------------------- feedback


def make_vote_handler(settings: Settings, vote: Literal["up", "down"]):
    def handler(comment: str | None, answers: list | None) -> tuple[str, Any]:
        latest = _latest(answers)
        if not latest:
            return ('<div class="ftz-feedback-status ftz-warn">还没有可评价的回答 / There is no answer to rate yet.</div>',
                    gr.skip())
        try:
            record = make_record(latest["answer"], vote, comment or "", latest.get("filters"))
            append_feedback(settings.feedback_file, record)
        except Exception:  # noqa: BLE001
            log.exception("writing feedback failed")
            return ('<div class="ftz-feedback-status ftz-warn">反馈未能保存，请稍后再试 / '
                    'The feedback could not be saved; please try again.</div>', gr.skip())
        mark = "👍" if vote == "up" else "👎"
        return (f'<div class="ftz-feedback-status">{mark} 已记录，谢谢！/ Thanks — your feedback was recorded.</div>', "")
    return handler


# ---------------------------------------------------------------- case browser


def _case_frame(catalog, query: str = "") -> pd.DataFrame:
    rows = render.case_rows(catalog.cases.values(), query) if catalog is not None else []
    return pd.DataFrame(rows, columns=render.CASE_COLUMNS)


def search_cases(query: str | None) -> pd.DataFrame:
    return _case_frame(_safe_catalog(), query or "")


def case_from_row(evt: gr.SelectData) -> Any:
    """A table row → its case id, for the case dropdown (identity is (document, number))."""
    catalog = _safe_catalog()
    row = evt.row_value or []
    if catalog is None or len(row) < 2:
        return gr.skip()
    doc_title, number = str(row[0]), str(row[1]).strip()
    for case in catalog.cases.values():
        if case.document_title == doc_title and str(case.number) == number:
            return case.id
    return gr.skip()


def show_case(case_id: str | None) -> str:
    catalog = _safe_catalog()
    case = catalog.cases.get(case_id) if (catalog is not None and case_id) else None
    return render.case_view(case, catalog)


def _case_choices(catalog) -> list[tuple[str, str]]:
    if catalog is None:
        return []
    return [(render.case_label(c), c.id) for c in render.sorted_cases(catalog.cases.values())]


def _header(catalog) -> str:
    if catalog is None or not catalog.cases:
        stats = "资料库为空 / no documents indexed yet"
    else:
        cases = sum(1 for c in catalog.cases.values() if c.kind == "case")
        stats = f"{len(catalog.documents)} 份文件 · {cases} 个案例<br>{len(catalog.documents)} documents · {cases} cases"
    return HEADER % {"stats": stats}


def _examples(catalog) -> list[Any]:
    """The chat's example buttons, about the cases loaded now."""
    if catalog is None:
        return []
    try:
        cards = service.cards().cards
    except Exception:  # noqa: BLE001 - without cards the examples are simply all Chinese
        log.exception("cannot load the English cards")
        cards = {}
    return [{"text": q, "display_text": q} for q in examples(list(catalog.cases.values()), cards)]


def refresh_catalog_views() -> tuple:
    """On page load and after an upload: filters, header, case browser and examples follow the current index."""
    catalog = _safe_catalog()
    docs = render.document_choices(catalog.documents.values()) if catalog else []
    providers = render.provider_choices(catalog.cases.values()) if catalog else []
    return (_header(catalog), gr.update(choices=docs), gr.update(choices=providers), _case_frame(catalog),
            gr.update(choices=_case_choices(catalog)), gr.update(examples=_examples(catalog) or None))


# ---------------------------------------------------------------- the app


def build_app(settings: Settings | None = None) -> gr.Blocks:
    """The chat window. Launch it with launch()/serve() so theme, CSS, login and queue apply."""
    settings = settings or get_settings()
    catalog = _safe_catalog()
    docs = render.document_choices(catalog.documents.values()) if catalog else []
    providers = render.provider_choices(catalog.cases.values()) if catalog else []
    private: dict[str, Any] = {"api_visibility": "private"}

    with gr.Blocks(title=TITLE, analytics_enabled=False) as demo:
        header = gr.HTML(_header(catalog), js_on_load=None, elem_id="ftz-header-block")
        history = gr.State([])  # plain text turns for stream_answer(): no HTML
        answers = gr.State([])  # one entry per assistant message: {"answer", "filters"} or None
        selected = gr.State(None)  # which of `answers` "Export" writes; None = the latest

        with gr.Tabs():
            with gr.Tab("问答 / Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=7, min_width=520):
                        with gr.Group(elem_id="ftz-filters"):
                            with gr.Row():
                                doc_filter = gr.Dropdown(choices=docs, value=[], multiselect=True, scale=3,
                                                         label="筛选文件 / Documents", elem_id="ftz-doc-filter")
                                provider_filter = gr.Dropdown(choices=providers, value=[], multiselect=True, scale=2,
                                                              label="提供方 / Providers",
                                                              elem_id="ftz-provider-filter")
                            active_filters = gr.HTML(render.active_filters_line({}), js_on_load=None,
                                                     elem_id="ftz-active-filters")
                        chatbot = gr.Chatbot(
                            elem_id="ftz-chat", label="对话 / Conversation", show_label=False, height=440,
                            placeholder=PLACEHOLDER, feedback_options=None, buttons=["copy"],
                            latex_delimiters=[], group_consecutive_messages=False,
                            examples=_examples(catalog) or None,
                        )
                        with gr.Row(equal_height=True, elem_id="ftz-input-row"):
                            question = gr.Textbox(
                                elem_id="ftz-question", show_label=False, lines=1, max_lines=8, scale=8,
                                placeholder="输入问题，Enter 发送，Shift+Enter 换行 / Type a question: Enter sends, Shift+Enter adds a line",
                                autofocus=True,
                            )
                            with gr.Column(scale=0, min_width=150, elem_id="ftz-actions"):
                                send = gr.Button("发送 / Send", variant="primary", elem_id="ftz-send")
                                new_chat = gr.Button("新对话 / New chat", variant="secondary", size="sm", elem_id="ftz-new")
                        with gr.Column(elem_id="ftz-export"):
                            with gr.Row(equal_height=True, elem_id="ftz-export-row"):
                                export_answer = gr.DownloadButton("导出 / Export", value=None, interactive=False,
                                                                  size="sm", scale=0, min_width=120,
                                                                  elem_id="ftz-export-answer")
                                export_all = gr.DownloadButton("导出全部对话 / Export chat", value=None,
                                                               interactive=False, size="sm", scale=0, min_width=190,
                                                               elem_id="ftz-export-all")
                                export_format = gr.Radio(downloads.FORMAT_CHOICES, value="docx", show_label=False,
                                                         container=False, scale=1, elem_id="ftz-export-format")
                            export_status = gr.HTML(downloads.NOTHING, js_on_load=None, elem_id="ftz-export-status")
                        with gr.Row(elem_id="ftz-feedback", equal_height=True):
                            gr.HTML('<div class="ftz-feedback-label">评价最新回答<br><span>Rate the latest answer</span></div>',
                                    js_on_load=None, scale=0, min_width=130, elem_id="ftz-feedback-label")
                            comment = gr.Textbox(show_label=False, scale=6, lines=1, max_lines=3, max_length=2000,
                                                 elem_id="ftz-comment", container=False,
                                                 placeholder="意见（可选）/ Comment")
                            up = gr.Button("👍 有用 / Helpful", size="sm", scale=0, min_width=120, elem_id="ftz-up")
                            down = gr.Button("👎 没用 / Not helpful", size="sm", scale=0, min_width=140, elem_id="ftz-down")
                        feedback_status = gr.HTML("", js_on_load=None, elem_id="ftz-feedback-status")
                    with gr.Column(scale=5, min_width=380, elem_id="ftz-sources-col"):
                        sources = gr.HTML(render.sources_placeholder(), js_on_load=None, elem_id="ftz-sources")

            with gr.Tab("案例目录 / Cases", id="cases"):
                with gr.Row():
                    case_search = gr.Textbox(label="搜索案例 / Search cases", scale=3, elem_id="ftz-case-search",
                                             placeholder="标题、提供方或文件，如 舟山、跨境电商 / title, provider or document")
                    case_pick = gr.Dropdown(choices=_case_choices(catalog), value=None, label="选择案例 / Select a case",
                                            scale=4, filterable=True, elem_id="ftz-case-pick")
                case_table = gr.Dataframe(
                    value=_case_frame(catalog), headers=render.CASE_COLUMNS, interactive=False, wrap=True,
                    max_height=420, column_widths=["30%", "9%", "41%", "20%"], elem_id="ftz-case-table",
                    label="全部案例 / All cases（点击一行查看全文 / click a row to read it）",
                )
                case_text = gr.HTML(render.case_view(None), js_on_load=None, elem_id="ftz-case-view")

            with gr.Tab("资料管理 / Documents", id="documents"):
                build_documents_tab(demo, settings, [header, doc_filter, provider_filter, case_table, case_pick, chatbot],
                                    refresh_catalog_views)

        # ---- events
        chat_outputs = [chatbot, question, history, answers, sources, feedback_status]
        chat_inputs = [question, chatbot, history, answers, doc_filter, provider_filter]
        ask = {"show_progress": "minimal", **private}
        quick = {"queue": False, "show_progress": "hidden", **private}
        export_outputs = [export_answer, export_all, export_status]
        after_answer = (exports_after_answer, [answers, export_format], [selected, *export_outputs])
        question.submit(respond, chat_inputs, chat_outputs, **ask).then(*after_answer, **quick)
        send.click(respond, chat_inputs, chat_outputs, **ask).then(*after_answer, **quick)
        chatbot.example_select(example_text, None, question, **quick).then(
            respond, chat_inputs, chat_outputs, **ask).then(*after_answer, **quick)
        chatbot.select(show_turn_sources, [answers, chatbot], sources, **quick)
        chatbot.select(exports_for_selection, [answers, chatbot, export_format], [selected, *export_outputs], **quick)
        export_format.change(exports_for_format, [answers, selected, export_format], export_outputs, **quick)
        reset_outputs = [chatbot, question, history, answers, sources, feedback_status, comment]
        for reset in (new_chat.click, chatbot.clear):
            reset(new_conversation, None, reset_outputs, queue=False, **private).then(
                exports_cleared, None, [selected, *export_outputs], **quick)
        for dropdown in (doc_filter, provider_filter):
            dropdown.change(filters_changed, [doc_filter, provider_filter], active_filters, queue=False,
                            show_progress="hidden", **private)
        up.click(make_vote_handler(settings, "up"), [comment, answers], [feedback_status, comment], **private)
        down.click(make_vote_handler(settings, "down"), [comment, answers], [feedback_status, comment], **private)

        case_search.change(search_cases, case_search, case_table, queue=False, **private)
        case_table.select(case_from_row, None, case_pick, queue=False, **private)
        case_pick.change(show_case, case_pick, case_text, queue=False, **private)
        demo.load(refresh_catalog_views, None, [header, doc_filter, provider_filter, case_table, case_pick, chatbot],
                  queue=False, show_progress="hidden", **private)

    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_MAX, api_open=False)
    demo.ftz_settings = settings
    return demo


def auth_pairs(entries: list[str] | None) -> list[tuple[str, str]]:
    """settings.ui.auth ("user:password" strings) → Gradio's [(user, password)]; malformed entries are skipped."""
    pairs = []
    for entry in entries or []:
        user, sep, password = str(entry).partition(":")
        if sep and user and password:
            pairs.append((user, password))
        else:
            log.warning("ignoring a malformed ui.auth entry (expected 'user:password')")
    return pairs


def launch(demo: gr.Blocks, settings: Settings | None = None, *, host: str | None = None, port: int | None = None,
           prevent_thread_lock: bool = False, quiet: bool = False):
    """Start the server: 127.0.0.1 unless another host is passed or configured; login when ui.auth is set."""
    settings = settings or getattr(demo, "ftz_settings", None) or get_settings()
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    auth = auth_pairs(settings.ui.auth)
    if settings.ui.auth and not auth:
        raise ValueError("ui.auth is set but has no valid 'user:password' entry; refusing to start without login")
    return demo.launch(
        server_name=host or settings.ui.host,
        server_port=port or settings.ui.port,
        auth=auth or None,
        auth_message="请登录 / Please sign in — 自贸案例问答 · FTZ Case Assistant" if auth else None,
        prevent_thread_lock=prevent_thread_lock,
        share=False,
        inbrowser=False,
        show_error=False,
        quiet=quiet,
        theme=theme(),
        css=CSS,
        head=HEAD,
        footer_links=[],
        run_history=False,
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        max_file_size=int(settings.ingest.max_upload_mb * 2**20),  # the documents tab's uploads
    )


def serve(host: str | None = None, port: int | None = None) -> None:
    """The page with the HTTP API beside it, as `ftzqa serve` runs it (ui.server)."""
    from ui.server import serve as serve_app  # ui.server builds on this module

    serve_app(host=host, port=port)


if __name__ == "__main__":  # python -m ui.app
    logging.basicConfig(level=logging.INFO)
    serve()
