"""Twenty chat clients at once on /v1/chat/completions, each asking about a different case: each gets its own
case and exactly the answer it gets when alone (no cross-talk), streamed or not."""

from __future__ import annotations

import concurrent.futures
import threading
import time

import openai
import pytest

from tests._server import open_app

CLIENTS = 20
BUDGET = 180  # s for all twenty together
# 20 cases from four documents; each question names its case by title (looked up in the index)
CASE_IDS = [f"001_2adf76dceb53e4a4#{n}" for n in range(1, 11)] + \
           [f"003_44b0ec56baa3ca9a#{n}" for n in (1, 2, 3, 5, 9)] + \
           [f"004_db19b12f0daba2d6#{n}" for n in (1, 3, 6, 19)] + ["002_2b8b9c767df864d3#2"]


@pytest.fixture(scope="module")
def api_url(shipped_index):
    with open_app() as (url, _):
        yield url


@pytest.fixture(scope="module")
def questions(api_url):
    from assistant import cases

    titles = {c.id: c.title for c in cases()}
    assert len(CASE_IDS) == CLIENTS == len(set(CASE_IDS))
    return {case_id: f"“{titles[case_id]}”案例的主要做法是什么？" for case_id in CASE_IDS}


def _ask(url: str, question: str, stream: bool, ready: threading.Barrier | None = None) -> dict:
    with openai.OpenAI(base_url=url + "v1", api_key="x", max_retries=0, timeout=120) as client:
        if ready is not None:
            ready.wait()
        messages = [{"role": "user", "content": question}]
        if stream:
            chunks = list(client.chat.completions.create(model="ftzqa", messages=messages, stream=True))
            content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
            extra = chunks[-1].model_extra["ftzqa"]
        else:
            completion = client.chat.completions.create(model="ftzqa", messages=messages)
            content, extra = completion.choices[0].message.content, completion.model_extra["ftzqa"]
    return {"content": content, "extra": extra}


def test_twenty_clients_at_once_each_get_their_own_case(api_url, questions):
    alone = {case_id: _ask(api_url, q, stream=False) for case_id, q in questions.items()}  # one at a time
    for case_id, result in alone.items():
        assert {c["case_id"] for c in result["extra"]["citations"]} == {case_id}, (case_id, result["extra"])

    ready = threading.Barrier(CLIENTS, timeout=60)  # every client connected before anyone asks
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=CLIENTS, thread_name_prefix="ftz-api-client") as pool:
        futures = {case_id: pool.submit(_ask, api_url, q, i % 2 == 0, ready)
                   for i, (case_id, q) in enumerate(questions.items())}
        done, pending = concurrent.futures.wait(futures.values(), timeout=BUDGET)
    assert not pending, f"{len(pending)} of {CLIENTS} clients unfinished after {BUDGET}s"
    assert time.monotonic() - started < BUDGET

    for case_id, future in futures.items():
        result = future.result()
        extra = result["extra"]
        assert extra["answer"]["question"] == questions[case_id]  # its own question came back
        assert {c["case_id"] for c in extra["citations"]} == {case_id}, (case_id, extra["citations"])
        assert "[1]" in result["content"] and not extra["refused"]
        assert result["content"] == alone[case_id]["content"]  # the same answer as when alone
        others = {t for other, t in questions.items() if other != case_id}
        assert not any(q in result["content"] for q in others)
