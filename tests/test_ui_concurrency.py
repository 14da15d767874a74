"""The running Gradio app under load and hostile input, driven over HTTP with gradio_client (no browser).

How a question reaches the app: every event of the app is `api_visibility="private"` and the queue has
`api_open=False`, so `client.view_api()` lists no endpoint at all and gradio_client refuses to call any of
them. That refusal lives only in the client (`Endpoint.is_valid`); the server's queue (`/gradio_api/queue/join`
+ the SSE stream of `/gradio_api/queue/data`) takes a `fn_index` for every event, because that is how the
browser submits the question box. The tests therefore drive the queue exactly as the page and gradio_client
do: one `gradio_client.Client` per chat session (its own session hash, so its own server-side gr.State), with
the client-side guard lifted for the one event "question box submitted" (`respond`). The app itself is not
changed and still exposes no public API.

All traffic goes to 127.0.0.1; the app is started and stopped by the module fixture.
"""

from __future__ import annotations

import concurrent.futures
import html
import logging
import re
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests._server import free_port
from tests.test_hostile import CASES

gradio_client = pytest.importorskip("gradio_client")

SESSIONS = 20
TOTAL_BUDGET = 180  # s for all 20 sessions together
ANSWER_TIMEOUT = 120  # s for one answer (the first one may load the encoder)
# question → (the start of) the title of the case it must cite; no other question's title may appear
QUESTIONS = {
    "宁波舟山港2020年的货物吞吐量是多少？": "浙沪跨港区供油助推长三角海事服务一体化",
    "哪个片区提供了“全球中心仓”案例？": "“全球中心仓”",
    "How does the Chongqing exchange-rate hedging product help small exporters?": "探索“汇保通”汇率避险新模式",
    "What did the Hainan blue offshore RMB bond achieve?": "海南自贸港金融产品创新再突破",
}
# A lone surrogate cannot be encoded as UTF-8 JSON by the client (UnicodeEncodeError before any request is
# made), so it never reaches the app this way; test_hostile.py covers it through answer() directly.
UNSENDABLE = {"lone-surrogate"}
HOSTILE = [c for c in CASES if c[0] not in UNSENDABLE]
TRACEBACK_MARKS = ("Traceback", 'File "')
CARD_TITLE = re.compile(r'<span class="ftz-card-title">(.*?)</span>', re.S)
RAW_TAG = re.compile(r"<\s*(script|img|iframe|svg)\b"  # a live tag, not &lt;script&gt;
                     r"|\bon(error|load)\s*=\s*[\"']?alert|href\s*=\s*[\"']?\s*javascript:", re.I)


def _reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5):
            return True
    except urllib.error.HTTPError:
        return True  # something answered
    except OSError:
        return False


@pytest.fixture(scope="module")
def app_url(shipped_index, tmp_path_factory):
    """Serve the app on 127.0.0.1 (free port) over the session's shipped index; stop it afterwards."""
    from assistant import service
    from assistant.config import get_settings
    from ui.app import build_app, launch

    feedback = tmp_path_factory.mktemp("ftzqa-ui-concurrency") / "feedback.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        mp.setenv("FTZQA_UI__FEEDBACK_PATH", str(feedback))
        mp.delenv("FTZQA_UI__AUTH", raising=False)
        mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")  # neither the server nor gradio_client phones home
        mp.setenv("HF_HUB_OFFLINE", "1")
        service.reset()
        settings = get_settings()
        assert settings.llm.backend == "extractive" and not settings.ui.auth
        assert service.index().catalog.cases, "the shipped index is empty"

        demo = build_app(settings)
        port = free_port()
        launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)
        url = f"http://127.0.0.1:{port}/"
        try:
            yield url
        finally:
            demo.close()
            assert not _reachable(url), "the app still answers after close()"
    service.reset()


def _client(url: str):
    assert url.startswith("http://127.0.0.1:")
    return gradio_client.Client(url, verbose=False, download_files=False, analytics_enabled=False, token=False)


def _respond_index(client) -> tuple[int, list[str]]:
    """fn_index of "question box submitted" (the UI's own respond handler) and its visible output names."""
    components = {c["id"]: c for c in client.config["components"]}
    question_id = next(c["id"] for c in components.values() if c.get("props", {}).get("elem_id") == "ftz-question")
    for i, dep in enumerate(client.config["dependencies"]):
        if [question_id, "submit"] in [list(t) for t in dep["targets"]]:
            outputs = [components[o]["props"].get("elem_id") or components[o]["type"] for o in dep["outputs"]
                       if components[o]["type"] != "state"]
            return dep.get("id", i), outputs
    raise AssertionError("no submit event on the question box")


def _ask(url: str, question: str, ready: threading.Barrier | None = None) -> dict:
    """One chat session: its own Client, one question through the question box's submit event."""
    client = _client(url)
    try:
        fn_index, names = _respond_index(client)
        endpoint = client.endpoints[fn_index]
        assert not endpoint.is_valid  # private: the app publishes no API for it
        endpoint.is_valid = True  # the client-side guard only; the queue accepts it like the page's own submit
        if ready is not None:
            ready.wait()
        started = time.monotonic()
        job = client.submit(question, [], [], [], fn_index=fn_index)  # question, chat, doc / provider filters
        final = job.result(timeout=ANSWER_TIMEOUT)
        return {"final": dict(zip(names, final, strict=True)), "steps": job.outputs(), "status": job.status(),
                "seconds": time.monotonic() - started, "session": client.session_hash}
    finally:
        client.close()


def _text(message: dict) -> str:
    """A chat message's content as one string (Gradio 6 returns a list of {"type": "text", "text": ...})."""
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def _all_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _all_strings(v)]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _all_strings(v)]
    return []


def test_app_publishes_no_api(app_url):
    client = _client(app_url)
    try:
        info = client.view_api(print_info=False, return_format="dict")
        assert info["named_endpoints"] == {} and info["unnamed_endpoints"] == {}
        assert all(dep.get("api_visibility") == "private" for dep in client.config["dependencies"])
        fn_index, names = _respond_index(client)
        assert names == ["ftz-chat", "ftz-question", "ftz-sources", "ftz-feedback-status"]
        with pytest.raises(ValueError, match="Invalid function index"):
            client.submit("x", [], [], [], fn_index=fn_index)
    finally:
        client.close()


def test_twenty_sessions_at_once_each_get_their_own_answer(app_url):
    items = list(QUESTIONS.items()) * (SESSIONS // len(QUESTIONS))
    assert len(items) == SESSIONS
    ready = threading.Barrier(SESSIONS, timeout=60)  # all clients connected before anyone asks
    started = time.monotonic()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=SESSIONS, thread_name_prefix="ftz-session")
    try:
        futures = [pool.submit(_ask, app_url, q, ready) for q, _ in items]
        done, pending = concurrent.futures.wait(futures, timeout=TOTAL_BUDGET)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.monotonic() - started
    assert not pending, f"{len(pending)} of {SESSIONS} sessions unfinished after {TOTAL_BUDGET}s"
    assert elapsed < TOTAL_BUDGET

    sessions = set()
    for (question, title), future in zip(items, futures):
        result = future.result()  # re-raises a session's exception
        assert result["status"].success, (question, result["status"])
        sessions.add(result["session"])
        final = result["final"]
        chat = final["ftz-chat"]
        # only this session's turn: its own question, then the answer (no message from another session)
        assert [m["role"] for m in chat] == ["user", "assistant"], (question, chat)
        assert html.escape(question, quote=True) in _text(chat[0]) or question in _text(chat[0])
        answer_html = _text(chat[1])
        assert "ftz-error" not in answer_html and "ftz-pending" not in answer_html, answer_html[:500]
        titles = [html.unescape(t) for t in CARD_TITLE.findall(final["ftz-sources"])]
        assert any(title in t for t in titles), (question, titles)  # a card title contains the case title
        others = set(QUESTIONS.values()) - {title}
        assert not any(o in t for t in titles for o in others), (question, titles)  # no other session's case
        assert final["ftz-question"] == ""  # the box is cleared
    assert len(sessions) == SESSIONS


class _Errors(logging.Handler):
    """Collects ERROR records of the app's own loggers (the handlers log tracebacks server-side)."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        if record.name.split(".")[0] in {"ui", "assistant", "store", "ingest", "gradio", "uvicorn"}:
            self.records.append(record)


@pytest.fixture(scope="module")
def hostile_results(app_url):
    """All hostile questions sent at once (8 sessions in flight, one session each); errors kept per case."""
    results: dict[str, dict | BaseException] = {}
    errors = _Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="ftz-hostile") as pool:
            futures = {pool.submit(_ask, app_url, question): case_id for case_id, question, _, _ in HOSTILE}
            done, pending = concurrent.futures.wait(futures, timeout=TOTAL_BUDGET)
            for future in pending:
                future.cancel()
            for future, case_id in futures.items():
                if future in done:
                    results[case_id] = future.exception() or future.result()
                else:
                    results[case_id] = TimeoutError(f"no answer within {TOTAL_BUDGET}s")
    finally:
        root.removeHandler(errors)
    return {"cases": results, "errors": errors.records}


def test_hostile_batch_logs_no_server_error(hostile_results):
    records = hostile_results["errors"]
    assert not records, [f"{r.name}: {r.getMessage()}" for r in records]


@pytest.mark.parametrize("case_id,question,expect,lang", HOSTILE, ids=[c[0] for c in HOSTILE])
def test_hostile_input_through_the_app(app_url, hostile_results, case_id, question, expect, lang):
    from ui.app import GENERIC_ERROR, INDEX_ERROR

    result = hostile_results["cases"][case_id]
    assert not isinstance(result, BaseException), repr(result)
    assert result["status"].success
    final = result["final"]
    chat = final["ftz-chat"]
    assert chat and chat[-1]["role"] == "assistant"
    reply = _text(chat[-1])
    assert re.sub(r"<[^>]+>", "", reply).strip(), "no message or answer shown"
    assert "ftz-pending" not in reply and "ftz-streaming" not in reply
    for message in (GENERIC_ERROR, INDEX_ERROR):
        assert html.escape(message.splitlines()[0]) not in reply, "the handler hit an unexpected exception"

    every = [s for step in result["steps"] for s in _all_strings(step)] + _all_strings(list(final.values()))
    for text in every:
        for mark in TRACEBACK_MARKS:
            assert mark not in text, text[:500]
        assert not RAW_TAG.search(text), text[:500]  # <script>, <img onerror>, javascript: only as escaped text

    if expect == "invalid":
        assert "ftz-error" in reply
    elif expect == "refused":
        assert "ftz-refused" in reply and "ftz-error" not in reply
    elif expect == "answered":
        assert "ftz-ref" in reply and "ftz-refused" not in reply
        assert CARD_TITLE.search(final["ftz-sources"])
    else:
        assert "ftz-answer" in reply and "ftz-error" not in reply

    if case_id == "script-tag":
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in _text(chat[0])
    if case_id == "img-onerror":
        assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in _text(chat[0])


