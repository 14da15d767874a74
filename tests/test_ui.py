"""The chat window without a browser: escaping, feedback log, filters, handlers that never raise."""

from __future__ import annotations

import json

import gradio as gr
import pytest

from assistant import InvalidQuestion
from assistant.config import get_settings
from assistant.models import Answer, Case, Citation, Document, Section
from store.catalog import Catalog
from ui import app as ui_app
from ui import render
from ui.feedback import append_feedback, make_record, read_feedback

SCRIPT = "<script>alert('x')</script>"


def _citation(n: int = 1, **kw) -> Citation:
    base = dict(n=n, case_id="doc#1", case_title="“全球中心仓”", provider="杭州片区", document_title="十佳案例",
                source_file="doc.txt", section="二、主要做法", quote="打造退换货中心仓。")
    base.update(kw)
    return Citation(**base)


def _answer(**kw) -> Answer:
    base = dict(question="哪个片区提供了“全球中心仓”案例？", language="zh", text="杭州片区提供了该案例[1]。",
                citations=[_citation()], backend="extractive", config_hash="abc123")
    base.update(kw)
    return Answer(**base)


def _catalog(text: str) -> Catalog:
    """A one-document catalog whose only case has one section covering the whole text."""
    doc = Document(id="doc", title="测试文件 <b>", source_file="doc.txt", sha256="0", layout="test")
    case = Case(id="doc#1", number=1, title="案例 <i>x</i>", provider="杭州片区", document_id="doc",
                document_title=doc.title, source_file="doc.txt", start=0, end=len(text),
                sections=[Section(path=["二、主要做法"], start=0, end=len(text))])
    return Catalog(documents={"doc": doc}, cases={case.id: case}, texts={"doc": text})


# ---------------------------------------------------------------- escaping


def test_citation_with_script_quote_is_escaped():
    cite = _citation(quote=f"原文{SCRIPT}结束", case_title=f"标题{SCRIPT}", document_title="<img src=x onerror=alert(1)>",
                     provider="<b>片区</b>", section="<u>章节</u>")
    html = render.citation_card(cite, section_text=f"整节 {SCRIPT} 原文{SCRIPT}结束 其余")
    assert "<script>" not in html and "<img" not in html and "<b>片区" not in html and "<u>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<details" in html and "<mark>" in html  # whole section, quote highlighted


def test_sources_panel_escapes_and_matches_markers_one_to_one():
    catalog = _catalog(f"二、主要做法\n打造退换货中心仓。{SCRIPT}")
    answer = _answer(text="甲[1]。乙[2]。", citations=[_citation(1), _citation(2, quote=f"乙{SCRIPT}")])
    panel = render.sources_panel(answer, catalog)
    assert "<script>" not in panel
    assert panel.count('class="ftz-card"') == 2
    assert 'id="ftz-src-1"' in panel and 'id="ftz-src-2"' in panel
    message = render.answer_message(answer)
    assert message.count('class="ftz-ref"') == 2
    assert "[1]" in message and "[2]" in message


def test_answer_message_escapes_text_and_has_no_blank_lines():
    answer = _answer(text=f"第一段{SCRIPT}[1]。\n\n第二段 *不是Markdown*", notices=[f"提示{SCRIPT}"])
    html = render.answer_message(answer, "筛选 / Filtered by: x")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\n" not in html  # one HTML block: the Chatbot's Markdown pass leaves it alone
    assert 'class="ftz-notice"' in html


def test_refused_answer_says_so_and_shows_closest_cases():
    catalog = _catalog("二、主要做法\n正文。")
    case = catalog.cases["doc#1"]
    answer = _answer(text="资料中未找到能回答这个问题的内容。", citations=[], refused=True, closest_cases=[case])
    message = render.answer_message(answer)
    assert "未找到依据" in message
    panel = render.sources_panel(answer, catalog)
    assert "最接近的案例" in panel and "案例 &lt;i&gt;x&lt;/i&gt;" in panel


def test_user_message_and_case_view_escape():
    assert "<script>" not in render.user_message(SCRIPT)
    long = render.user_message("字" * 20000)
    assert "19400" in long and len(long) < 2000
    catalog = _catalog(f"二、主要做法\n正文{SCRIPT}")
    view = render.case_view(catalog.cases["doc#1"], catalog)
    assert "<script>" not in view and "&lt;script&gt;" in view and "二、主要做法" in view


# ---------------------------------------------------------------- filters and catalog helpers


def test_filters_dict_from_selections():
    assert render.build_filters([], []) == {}
    assert render.build_filters(None, None) == {}
    assert render.build_filters(["004.txt", "004.txt", ""], None) == {"source_file": ["004.txt"]}
    assert render.build_filters(["a.txt"], ["舟山片区", "重庆市"]) == {
        "source_file": ["a.txt"], "provider": ["舟山片区", "重庆市"]}
    line = render.active_filters_line({"source_file": ["a.txt"]}, {"a.txt": "服务贸易<案例>"})
    assert "当前筛选 / Active filters" in line and "服务贸易&lt;案例&gt;" in line
    assert "全部资料" in render.active_filters_line({})


def test_provider_choices_split_joint_providers():
    cases = [Case(id=f"d#{i}", number=i, title="t", provider=p, document_id="d", document_title="D",
                  source_file="d.txt", start=0, end=1) for i, p in enumerate(["北京市、重庆市", "舟山片区", None, "重庆市"])]
    assert render.provider_choices(cases) == sorted(["北京市", "重庆市", "舟山片区"])
    assert len(render.case_rows(cases, "重庆")) == 2


# ---------------------------------------------------------------- feedback log


def test_feedback_append_and_read_skip_half_written_line(tmp_path):
    path = tmp_path / "sub" / "feedback.jsonl"
    record = make_record(_answer(), "down", "  来源不准 ", {"source_file": ["doc.txt"]})
    append_feedback(path, record)
    append_feedback(path, make_record(_answer(), "up"))
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 3 and lines[-1] == b""  # one line per record, newline-terminated
    first = json.loads(lines[0])
    for key in ("question", "answer", "citations", "vote", "comment", "time", "config_hash"):
        assert key in first
    assert first["vote"] == "down" and first["comment"] == "来源不准" and first["config_hash"] == "abc123"
    assert first["citations"][0]["case_title"] == "“全球中心仓”"
    with open(path, "ab") as fh:  # a crash in the middle of a write
        fh.write(b'{"time": "2025-01-01", "vote": "up", "comm')
    records = read_feedback(path)
    assert [r["vote"] for r in records] == ["down", "up"]
    assert read_feedback(tmp_path / "missing.jsonl") == []


def test_feedback_rejects_unknown_vote():
    with pytest.raises(ValueError):
        make_record(_answer(), "maybe")  # type: ignore[arg-type]


def test_vote_handler_writes_only_to_the_settings_file(tmp_path):
    settings = get_settings().model_copy(deep=True)
    settings.ui.feedback_path = tmp_path / "fb.jsonl"
    vote = ui_app.make_vote_handler(settings, "down")
    status, _ = vote("没有答到点子上", [])
    assert "还没有" in status and not settings.feedback_file.exists()
    status, comment = vote("没有答到点子上", [{"answer": _answer(), "filters": {}}, None])
    assert "已记录" in status and comment == ""
    (record,) = read_feedback(settings.feedback_file)
    assert record["vote"] == "down" and record["comment"] == "没有答到点子上"
    assert list(tmp_path.iterdir()) == [settings.feedback_file]


# ---------------------------------------------------------------- handlers never raise


def _run(question, history=None, answers=None, files=None, providers=None):
    return list(ui_app.respond(question, [], history or [], answers or [], files or [], providers or []))


def test_empty_question_gives_a_clear_message():
    for question in ("", "   ", None, "？？"):
        steps = _run(question)
        chat = steps[-1][0]
        assert chat[-1]["role"] == "assistant"
        assert "请输入问题" in chat[-1]["content"]
        assert steps[-1][2] == []  # nothing added to the history


def test_unexpected_exception_becomes_a_message(monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")
        yield  # pragma: no cover

    monkeypatch.setattr(ui_app, "stream_answer", boom)
    steps = _run("宁波舟山港2020年的货物吞吐量是多少？")
    content = steps[-1][0][-1]["content"]
    assert "出错" in content and "secret" not in content and "Traceback" not in content
    assert "answering failed" in caplog.text


def test_invalid_question_from_api_is_shown(monkeypatch):
    def invalid(*args, **kwargs):
        raise InvalidQuestion("问题必须是文字 / The question must be text.")
        yield  # pragma: no cover

    monkeypatch.setattr(ui_app, "stream_answer", invalid)
    assert "问题必须是文字" in _run("x")[-1][0][-1]["content"]


def test_streaming_answer_fills_chat_history_and_sources(monkeypatch):
    seen = {}

    def fake(question, history, filters=None, backend=None, yield_sources=False):
        seen.update(question=question, history=history, filters=filters)
        yield "杭州片区"
        yield "提供了该案例[1]。"
        yield _answer(text="杭州片区提供了该案例[1]。")

    monkeypatch.setattr(ui_app, "stream_answer", fake)
    monkeypatch.setattr(ui_app, "_safe_catalog", lambda: None)
    previous = [{"role": "user", "content": "上一问"}, {"role": "assistant", "content": "上一答[1]。"}]
    steps = _run("哪个片区提供了“全球中心仓”案例？", history=previous, files=["004.txt"], providers=[])
    assert seen["history"] == previous and seen["filters"] == {"source_file": ["004.txt"]}
    assert len(steps) >= 4  # pending, two deltas, final
    chat, box, history, answers, sources, _ = steps[-1]
    assert box == ""
    assert 'class="ftz-ref"' in chat[-1]["content"] and "Filtered by" in chat[-1]["content"]
    assert history[-2:] == [{"role": "user", "content": "哪个片区提供了“全球中心仓”案例？"},
                            {"role": "assistant", "content": "杭州片区提供了该案例[1]。"}]
    assert "<" not in history[-1]["content"]
    assert answers[-1]["answer"].citations[0].n == 1 and "ftz-card" in sources


def test_long_paste_is_truncated_with_a_notice():
    """A 20,000-character paste: answer() truncates and says so; the chat shows a shortened question."""
    steps = _run("自贸试验区" * 4000)
    chat = steps[-1][0]
    assert "另有" in chat[0]["content"]
    assert "ftz-notice" in chat[-1]["content"] and "过长" in chat[-1]["content"]
    assert len(steps[-1][2][0]["content"]) <= get_settings().ui.max_question_chars


def test_new_conversation_resets_everything():
    chat, box, history, answers, sources, status, comment = ui_app.new_conversation()
    assert chat == [] and history == [] and answers == [] and box == "" and comment == ""
    assert "ftz-empty" in sources


def test_auth_pairs():
    assert ui_app.auth_pairs(["alice:secret", "bob:pa:ss", "broken", ":x"]) == [("alice", "secret"), ("bob", "pa:ss")]
    assert ui_app.auth_pairs([]) == []


def test_build_app_makes_blocks():
    demo = ui_app.build_app()
    assert isinstance(demo, gr.Blocks)
    config = demo.get_config_file()
    assert any(c.get("props", {}).get("elem_id") == "ftz-chat" for c in config["components"])
    # Nothing the app does is exposed as a documented API endpoint.
    assert not demo.get_api_info()["named_endpoints"]


def test_retrieved_passages_panel_is_escaped_and_shows_cases():
    from assistant.models import Chunk, Hit

    catalog = _catalog("<script>alert(1)</script>退换货中心仓。")
    case = catalog.cases["doc#1"]
    hit = Hit(chunk=Chunk(id="c", case_id=case.id, text="<script>alert(1)</script>退换货中心仓。", start=0, end=10,
                          section="二、主要做法"), case=case, score=1.0)
    html = render.evidence_panel([hit])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Retrieved passages" in html and "二、主要做法" in html and "杭州片区" in html
