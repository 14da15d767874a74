"""The index on a Chroma server: same retrieval as the embedded store, catalog rebuilt from the server's records.

Starts the venv's `chroma run` on a free local port (killed with its process group afterwards). The corpus
is embedded once: the embedded-store ingest records every vector, and the server ingest reuses them, so
both stores hold identical vectors and the test stays well under a minute.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests._server import free_port, stop_group
from tests.conftest import CORPUS, PROJECT

CHROMA = Path(sys.executable).with_name("chroma")
if not CHROMA.exists():
    CHROMA = Path(shutil.which("chroma") or CHROMA)

pytestmark = pytest.mark.skipif(not CHROMA.exists(), reason="the chroma CLI is not installed in this environment")

N_ZH, N_EN = 5, 3


def _questions() -> list[str]:
    items = [json.loads(line) for line in (PROJECT / "evals" / "data" / "eval_v1.jsonl").read_text("utf-8").splitlines()
             if line.strip()]
    single = [i for i in items if i.get("answerable") and not i.get("history")]
    zh = [i["question"] for i in single if i["lang"] == "zh"][:N_ZH]
    en = [i["question"] for i in single if i["lang"] == "en"][:N_EN]
    assert len(zh) == N_ZH and len(en) == N_EN
    return zh + en


def _heartbeat(port: int) -> bool:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    try:  # the same settings as store.vectors: chromadb refuses two clients of one server with different ones
        client = chromadb.HttpClient(host="127.0.0.1", port=port,
                                     settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False))
        client.heartbeat()
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


@pytest.fixture
def chroma_server(tmp_path):
    """URL of a fresh Chroma server on a free port; the server's process group is killed afterwards."""
    port = free_port()
    log_path = tmp_path / "chroma-server.log"
    env = dict(os.environ, ANONYMIZED_TELEMETRY="False")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(CHROMA), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(port):
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}:\n{log_path.read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"chroma server not answering after 60 s:\n{log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_group(proc, term_wait=10)


def _exact_collection(settings) -> None:
    """Create the (empty) collection up front with an HNSW search ef above the corpus size.

    With Chroma's default ef_search (100) the 40 dense candidates are approximate: two builds of the same
    vectors (even two embedded ones) differ around rank 30-40, which can swap near-tied fused hits. The
    stores are compared, not the ANN graph, so both use exact search; ingest keeps the existing collection.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    url = settings.store.chroma_url
    if url:
        port = int(url.rsplit(":", 1)[1])
        client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=chroma_settings)
    else:
        path = settings.index_dir / settings.index_name / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    client.get_or_create_collection(settings.index_name, metadata={"hnsw:space": "cosine", "hnsw:search_ef": 5000},
                                    embedding_function=None)


class _RecordingEmbedder:
    """Wraps the real encoder: each text is encoded once per test, later ingests reuse the vector."""

    def __init__(self, inner, cache: dict[str, list[float]]):
        self.inner, self.cache = inner, cache

    def get_text_embedding(self, text: str) -> list[float]:
        if text not in self.cache:
            self.cache[text] = self.inner.get_text_embedding(text)
        return self.cache[text]


def test_chroma_server_matches_embedded_store_and_rebuilds_catalog(tmp_path, monkeypatch, chroma_server):
    import ingest.pipeline as pipeline
    from assistant import retrieve, service
    from assistant.config import get_settings
    from ingest.pipeline import ingest

    questions = _questions()
    cache: dict[str, list[float]] = {}
    real_get_embedding = pipeline.get_embedding
    monkeypatch.setattr(pipeline, "get_embedding", lambda *a, **kw: _RecordingEmbedder(real_get_embedding(*a, **kw), cache))
    # One BLAS thread: the encoder is several times faster on a busy 2-core machine (same vectors).
    monkeypatch.setenv("FTZQA_EMBEDDING__THREADS", "1")
    try:
        # 1. reference: the embedded (persistent folder) store
        monkeypatch.setenv("FTZQA_HOME", str(tmp_path / "embedded-home"))
        monkeypatch.delenv("FTZQA_STORE__CHROMA_URL", raising=False)
        monkeypatch.delenv("FTZQA_STORE__PATH", raising=False)
        service.reset()
        _exact_collection(get_settings())
        local = ingest([CORPUS])
        assert local.documents == 5 and local.embedded_chunks == local.chunks > 0
        expected = {q: [h.chunk.id for h in retrieve(q)] for q in questions}
        local_catalog = service.index().catalog
        assert all(expected.values())

        # 2. the same corpus through the Chroma server
        monkeypatch.setenv("FTZQA_HOME", str(tmp_path / "server-home"))
        monkeypatch.setenv("FTZQA_STORE__CHROMA_URL", chroma_server)
        service.reset()
        _exact_collection(get_settings())
        remote = ingest([CORPUS])
        assert remote.documents == 5 and remote.chunks == local.chunks
        assert remote.embedded_chunks == remote.chunks  # every vector was written to the server
        assert service.index().vectors.count() == remote.chunks
        assert not (tmp_path / "server-home" / "index" / get_settings().index_name / "chroma").exists()
        got = {q: [h.chunk.id for h in retrieve(q)] for q in questions}
        assert got == expected

        # 3. without the local catalog the index is rebuilt from the server's records
        settings = get_settings()
        catalog_path = settings.index_dir / settings.index_name / "catalog.json"
        assert catalog_path.exists()
        catalog_path.unlink()
        service.reset()
        rebuilt = service.index().catalog
        assert set(rebuilt.documents) == set(local_catalog.documents)
        assert len(rebuilt.cases) == len(local_catalog.cases)
        assert set(rebuilt.cases) == set(local_catalog.cases)
        assert set(rebuilt.chunks) == set(local_catalog.chunks)
        for q in questions:
            hits = retrieve(q)
            assert hits, q
            assert hits[0].chunk.id == expected[q][0], q
            assert {h.chunk.id for h in hits} == set(expected[q]), q
    finally:
        monkeypatch.undo()
        service.reset()
