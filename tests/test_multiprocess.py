"""Several `serve` processes, one Chroma server (the README's deployment): a document uploaded through process A
is answered from by process B within seconds, and once removed through A, B never cites it again — no restart.

Starts `chroma run` and two `python -m assistant serve` processes on free 127.0.0.1 ports (each in its own
process group, stopped afterwards). The corpus is one small shipped file, so the first process embeds little.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests import _documents as d
from tests import test_chroma_server as chroma
from tests._server import free_port, stop_group
from tests.conftest import CORPUS, PROJECT

pytestmark = pytest.mark.skipif(not chroma.CHROMA.exists(), reason="the chroma CLI is not installed")

chroma_server = chroma.chroma_server  # the fixture: a fresh Chroma server on a free loopback port
START_TIMEOUT = 180  # s; a cold process imports gradio and, for the first one, embeds its corpus
PROPAGATION = 20  # s the other process may take to answer from a commit (the check runs every 2 s)


@contextmanager
def serve(home: Path, env: dict[str, str], log: Path) -> Iterator[str]:
    """`python -m assistant serve` on a free port; yields its base URL; stopped with its process group."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT, env={**env, "FTZQA_HOME": str(home)}, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"serve exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(url + "api/documents", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"serve did not answer in {START_TIMEOUT} s:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        stop_group(proc, term_wait=15)


def _until(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.5)


def test_two_processes_one_chroma_server(tmp_path, chroma_server):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(CORPUS.glob("000_*.txt")), corpus)
    shutil.copy(CORPUS / "documents.json", corpus)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTZQA_")}
    env.update({
        "FTZQA_STORE__CHROMA_URL": chroma_server, "FTZQA_LLM__BACKEND": "extractive",
        "FTZQA_INGEST__CORPUS_DIR": str(corpus),
        "FTZQA_INGEST__UPLOAD_DIR": str(tmp_path / "shared-documents"),  # as the README advises for several processes
        "FTZQA_EMBEDDING__THREADS": "1", "ANONYMIZED_TELEMETRY": "False",
    })
    with serve(tmp_path / "home-a", env, tmp_path / "a.log") as a, serve(tmp_path / "home-b", env, tmp_path / "b.log") as b:
        # B never ingested: its catalog came from the shared store
        assert [r["name"] for r in d.documents(b)] == [r["name"] for r in d.documents(a)]
        assert "冷链案例" not in d.cited_documents(d.ask(b))

        resp = d.upload(a, "冷链案例.docx", d.docx_bytes(), mime=d.DOCX_MIME)
        assert resp.status_code == 202, resp.text
        assert d.wait_for(a, "冷链案例.docx", {"ready", "failed"})["status"] == "ready"
        committed = time.monotonic()
        answer = _until(lambda: (lambda ans: ans if "冷链案例" in d.cited_documents(ans) else None)(d.ask(b)),
                        PROPAGATION, "B citing the document uploaded through A")
        seconds = time.monotonic() - committed
        assert any(c["provider"] == d.PROVIDER for c in answer["citations"])
        assert any(r["name"] == "冷链案例.docx" and r["status"] == "ready" for r in d.documents(b))
        assert any(c["id"] == "冷链案例#1" for c in httpx.get(b + "api/cases", timeout=30).json())

        assert httpx.delete(a + "api/documents/冷链案例.docx", timeout=30).status_code == 202
        d.wait_for(a, "冷链案例.docx", None)
        _until(lambda: "冷链案例" not in d.cited_documents(d.ask(b)), PROPAGATION, "B no longer citing it")
        assert not any(c["id"].startswith("冷链案例#") for c in httpx.get(b + "api/cases", timeout=30).json())
        assert "冷链案例" not in d.cited_documents(d.ask(a))
        print(f"B answered from A's upload {seconds:.1f} s after A's commit")
