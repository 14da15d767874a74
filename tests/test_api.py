"""The HTTP API beside the page (ui.server + ui.api), driven over a loopback port with the official `openai`
client and plain httpx, against the shipped corpus and the extractive backend."""

from __future__ import annotations

import io
import json
import threading

import httpx
import openai
import pytest

from assistant.models import Answer, Citation
from tests._server import open_app
from ui import api

Q_CENTRE = "哪个片区提供了“全球中心仓”案例？"
CENTRE_ID = "001_2adf76dceb53e4a4#7"
CENTRE_TITLE = "“全球中心仓”"


@pytest.fixture(scope="module")
def api_url(shipped_index):
    """create_app() over the session's shipped index, open (loopback, nothing configured); stopped after."""
    with open_app() as (url, settings):
        assert settings.ui.host == "127.0.0.1" and not settings.ui.api_keys and not settings.ui.auth
        yield url


@pytest.fixture
def client(api_url):
    with openai.OpenAI(base_url=api_url + "v1", api_key="unused-on-loopback", max_retries=0, timeout=60) as c:
        yield c


def _content(completion) -> str:
    return completion.choices[0].message.content


def _stream(client, messages, **kw) -> tuple[str, list]:
    chunks = list(client.chat.completions.create(model="ftzqa", messages=messages, stream=True, **kw))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return text, chunks


# ---------------------------------------------------------------- OpenAI-compatible chat


def test_models_lists_ftzqa(client):
    assert [m.id for m in client.models.list()] == ["ftzqa"]
    assert client.models.retrieve("ftzqa").id == "ftzqa"
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("gpt-4o")


def test_chat_non_stream_cites_the_case(client):
    completion = client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": Q_CENTRE}])
    content = _content(completion)
    assert completion.choices[0].finish_reason == "stop" and completion.model == "ftzqa"
    assert "[1]" in content and "杭州片区" in content
    answer_text, sources = content.split("\n\n来源 / Sources:\n")
    assert sources.splitlines()[0].startswith(f"[1] 《{CENTRE_TITLE}》 · 杭州片区 · ")
    extra = completion.model_extra["ftzqa"]
    assert extra["refused"] is False and extra["route"] == "rag"
    assert extra["citations"][0]["case_id"] == CENTRE_ID
    fields = {"n", "case_id", "case_title", "provider", "document_title", "section", "quote"}
    assert fields <= set(extra["citations"][0])
    final = Answer.model_validate(extra["answer"])
    assert final.text == answer_text and final.citations[0].case_title == CENTRE_TITLE
    assert len(sources.splitlines()) == len(final.citations)


def test_chat_stream_matches_non_stream(client):
    messages = [{"role": "user", "content": Q_CENTRE}]
    plain = _content(client.chat.completions.create(model="ftzqa", messages=messages))
    text, chunks = _stream(client, messages)
    assert text == plain
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.id == chunks[0].id and c.object == "chat.completion.chunk" for c in chunks)
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop" and not last.choices[0].delta.content
    assert last.model_extra["ftzqa"]["citations"][0]["case_id"] == CENTRE_ID
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])


def test_stream_ends_with_done(api_url):
    body = {"model": "ftzqa", "stream": True, "messages": [{"role": "user", "content": Q_CENTRE}]}
    with httpx.stream("POST", api_url + "v1/chat/completions", json=body, timeout=60) as resp:
        assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/event-stream")
        events = [line for line in resp.iter_lines() if line]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    assert json.loads(events[-2][6:])["ftzqa"]["answer"]["citations"]


def test_three_turn_conversation_resolves_through_earlier_turns(client):
    """The third question names nothing: only the first turn says which case "it" is."""
    alone = client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": "它取得了哪些成效？"}])
    assert alone.model_extra["ftzqa"]["refused"], "without history the last question must not resolve"

    messages: list[dict] = []
    for question in (Q_CENTRE, "它的主要做法是什么？", "它取得了哪些成效？"):
        messages.append({"role": "user", "content": question})
        completion = client.chat.completions.create(model="ftzqa", messages=messages)
        # the client sends back exactly what it was shown, sources list included
        messages.append({"role": "assistant", "content": _content(completion)})
    extra = completion.model_extra["ftzqa"]
    assert not extra["refused"] and "[1]" in _content(completion)
    assert extra["citations"][0]["case_id"] == CENTRE_ID
    assert CENTRE_TITLE in extra["standalone_question"]
    assert "来源 / Sources" not in extra["standalone_question"]  # earlier sources lists are not history


def test_three_turn_conversation_streamed(client):
    messages: list[dict] = []
    for question in ("宁波舟山港2020年的货物吞吐量是多少？", "这个案例是哪个片区提供的？", "它的主要做法是什么？"):
        messages.append({"role": "user", "content": question})
        text, chunks = _stream(client, messages)
        messages.append({"role": "assistant", "content": text})
    citations = chunks[-1].model_extra["ftzqa"]["citations"]
    assert "[1]" in text and citations[0]["case_id"] == "001_2adf76dceb53e4a4#1"


def test_refusal_is_a_normal_answer(client):
    messages = [{"role": "user", "content": "今天天气怎么样？"}]
    completion = client.chat.completions.create(model="ftzqa", messages=messages)
    assert completion.choices[0].finish_reason == "stop"
    assert "资料中未找到" in _content(completion) and "来源 / Sources" not in _content(completion)
    assert completion.model_extra["ftzqa"]["refused"] is True
    assert completion.model_extra["ftzqa"]["citations"] == []


def test_content_parts_system_messages_and_filters(client):
    messages = [{"role": "system", "content": "You are helpful."},
                {"role": "user", "content": [{"type": "text", "text": "如何推进跨境电商和数字贸易发展？"}]}]
    completion = client.chat.completions.create(
        model="ftzqa", messages=messages, temperature=0.3, max_tokens=50,
        extra_body={"filters": {"source_file": ["004_db19b12f0daba2d6.txt"]}})
    cites = completion.model_extra["ftzqa"]["citations"]
    assert cites and all(c["source_file"] == "004_db19b12f0daba2d6.txt" for c in cites)


def test_unusable_question_is_a_400_with_the_plain_message(client):
    for content in ("   ", "？？"):
        with pytest.raises(openai.BadRequestError) as err:
            client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": content}])
        assert err.value.status_code == 400
        assert err.value.body["message"] == "请输入问题 / Please type a question."
        assert err.value.body["type"] == "invalid_request_error"
    with pytest.raises(openai.BadRequestError, match="last message"):
        client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": Q_CENTRE},
                                                                 {"role": "assistant", "content": "x"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="ftzqa", messages=[])
    with pytest.raises(openai.NotFoundError, match="ftzqa"):
        client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": Q_CENTRE}])


def test_errors_in_the_openai_shape(api_url):
    for method, path, body in [("POST", "v1/chat/completions", {"messages": "x"}),
                               ("POST", "api/answer", {"question": 42}),
                               ("POST", "api/answer", {"question": "x", "backend": "rm -rf"}),
                               ("POST", "api/answer", {"question": "x", "unknown": 1}),
                               ("GET", "v1/chat/completions", None),
                               ("POST", "v1/embeddings", {"input": "x"})]:
        resp = httpx.request(method, api_url + path, json=body, timeout=30)
        assert resp.status_code in (400, 404), (path, resp.status_code)
        error = resp.json()["error"]
        assert set(error) == {"message", "type", "param", "code"} and error["message"]
        assert "rm -rf" not in resp.text  # the submitted values are not echoed


# ---------------------------------------------------------------- streaming is live


def _final(text: str) -> Answer:
    return Answer(question="q", language="zh", text=text, backend="mock", config_hash="x",
                  citations=[Citation(n=1, case_id="d#1", case_title="案例", provider="杭州片区", document_title="文件",
                                      source_file="d.txt", section="一、", quote="原文。")])


def test_first_delta_reaches_the_client_before_the_answer_is_finished(client, monkeypatch):
    """The fake model waits until the client has shown its first delta: a buffered stream would hang."""
    seen_first = threading.Event()

    def slow(question, history, filters=None, backend=None, yield_sources=False):
        yield "第一段"
        if not seen_first.wait(timeout=20):
            yield "（客户端没有收到第一段）"
        yield "第二段[1]。"
        yield _final("第一段第二段[1]。")

    monkeypatch.setattr(api, "stream_answer", slow)
    stream = client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": "x"}], stream=True)
    parts = []
    for chunk in stream:
        delta = chunk.choices[0].delta.content if chunk.choices else None
        if delta:
            parts.append(delta)
            seen_first.set()
    text = "".join(parts)
    assert parts[0] == "第一段" and "没有收到" not in text
    assert text.startswith("第一段第二段[1]。\n\n来源 / Sources:\n[1] 《案例》 · 杭州片区 · 文件")


def test_a_failure_mid_stream_is_an_error_event(client, monkeypatch, caplog):
    def broken(question, history, filters=None, backend=None, yield_sources=False):
        yield "开头"
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api, "stream_answer", broken)
    with pytest.raises(openai.APIError) as err:
        for _ in client.chat.completions.create(model="ftzqa", messages=[{"role": "user", "content": "x"}],
                                                stream=True):
            pass
    assert "secret" not in str(err.value) and "重试" in str(err.value)
    assert "streamed answer failed" in caplog.text


def test_a_failure_without_stream_is_a_500_without_internals(api_url, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")
        yield  # pragma: no cover

    monkeypatch.setattr(api, "stream_answer", broken)
    resp = httpx.post(api_url + "api/answer", json={"question": "x"}, timeout=30)
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "internal_error"
    assert "secret" not in resp.text and "Traceback" not in resp.text


@pytest.mark.parametrize("streamed,final,expected", [
    ("", "全文[1]。", "全文[1]。"),
    ("全文", "全文[1]。", "[1]。"),
    ("全文[1]。", "全文[1]。", ""),
    ("全文[3]。", "全文[1]。", "\n1]。"),  # diverged: the rest after a newline, never an error
    ("别的", "全文", "\n全文"),
])
def test_correction_delta(streamed, final, expected):
    assert api.correction(streamed, final) == expected


def test_conversation_from_messages():
    messages = [api.ChatMessage(role="system", content="be brief"),
                api.ChatMessage(role="user", content="问一"),
                api.ChatMessage(role="assistant", content="答一[1]。\n\n来源 / Sources:\n[1] 《案例》 · 文件"),
                api.ChatMessage(role="tool", content="ignored"),
                api.ChatMessage(role="user", content=[{"type": "text", "text": "问"}, {"type": "image_url"},
                                                      {"type": "text", "text": "二"}])]
    question, history = api.conversation(messages)
    assert question == "问\n二"
    assert history == [{"role": "user", "content": "问一"}, {"role": "assistant", "content": "答一[1]。"}]


# ---------------------------------------------------------------- REST


def test_api_answer_returns_the_answer_json(api_url):
    resp = httpx.post(api_url + "api/answer", json={"question": Q_CENTRE}, timeout=60)
    assert resp.status_code == 200
    first = Answer.model_validate(resp.json())
    assert first.citations[0].case_id == CENTRE_ID and "[1]" in first.text

    follow = httpx.post(api_url + "api/answer", timeout=60, json={
        "question": "它的主要做法是什么？", "backend": "extractive",
        "history": [{"role": "user", "content": Q_CENTRE}, {"role": "assistant", "content": first.text}]})
    assert Answer.model_validate(follow.json()).citations[0].case_id == CENTRE_ID

    filtered = httpx.post(api_url + "api/answer", timeout=60, json={
        "question": "如何推进跨境电商和数字贸易发展？", "filters": {"provider": ["重庆市"]}})
    assert all(c.provider and "重庆" in c.provider for c in Answer.model_validate(filtered.json()).citations)

    bad = httpx.post(api_url + "api/answer", json={"question": "   "}, timeout=30)
    assert bad.status_code == 400 and bad.json()["error"]["message"] == "请输入问题 / Please type a question."


def test_api_cases(api_url):
    resp = httpx.get(api_url + "api/cases", timeout=30)
    assert resp.status_code == 200
    ids = [c["id"] for c in resp.json()]
    assert CENTRE_ID in ids and len(ids) > 60 and len(ids) == len(set(ids))
    assert "003_44b0ec56baa3ca9a#16" in ids and "004_db19b12f0daba2d6#13" in ids  # same title, two cases


def test_api_export_docx_and_markdown(api_url):
    import docx

    answer = httpx.post(api_url + "api/answer", json={"question": Q_CENTRE}, timeout=60).json()
    resp = httpx.post(api_url + "api/export", json={"answer": answer, "format": "docx"}, timeout=30)
    assert resp.status_code == 200
    assert resp.headers["content-type"] == api.MEDIA_TYPES["docx"]
    assert 'filename="ftzqa-answer-' in resp.headers["content-disposition"]
    assert resp.headers["content-disposition"].endswith('.docx"')
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(resp.content)).paragraphs)
    assert Q_CENTRE in text and answer["text"].split("\n")[0] in text
    for citation in answer["citations"]:
        assert citation["quote"] in text

    turns = [{"question": Q_CENTRE, "answer": answer}, {"answer": answer}]
    md = httpx.post(api_url + "api/export", json={"turns": turns, "format": "md"}, timeout=30)
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert 'filename="ftzqa-conversation-' in md.headers["content-disposition"]
    assert md.text.count("### 回答 / Answer") == 2 and f"> {answer['citations'][0]['quote']}" in md.text

    for body in ({"format": "docx"}, {"answer": answer, "turns": turns}, {"answer": answer, "format": "pdf"},
                 {"turns": []}):
        bad = httpx.post(api_url + "api/export", json=body, timeout=30)
        assert bad.status_code == 400 and "error" in bad.json(), body


def test_openapi_docs_describe_the_routes(api_url):
    assert httpx.get(api_url + "docs", timeout=30).status_code == 200
    spec = httpx.get(api_url + "openapi.json", timeout=30).json()
    for path in ("/v1/chat/completions", "/v1/models", "/api/answer", "/api/cases", "/api/export"):
        assert path in spec["paths"], path
    assert "AnswerRequest" in spec["components"]["schemas"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]


def test_the_page_is_still_served_at_the_root(api_url):
    resp = httpx.get(api_url, timeout=30)
    assert resp.status_code == 200 and "<!doctype html>" in resp.text.lower()
    config = httpx.get(api_url + "config", timeout=30).json()
    elem_ids = {c.get("props", {}).get("elem_id") for c in config["components"]}
    assert {"ftz-chat", "ftz-export-answer", "ftz-export-all"} <= elem_ids
    assert "ftz-" in config.get("css", "") or "ftz-" in json.dumps(config)  # the app's own CSS came along
