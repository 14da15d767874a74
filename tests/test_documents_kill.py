"""kill -9 while the background worker is embedding an upload: the previous index keeps answering, and on restart
the upload is queued again and indexed.

A child process runs the documents Library on a copy of the shipped index with a slowed-down encoder, takes an
upload, and is killed with SIGKILL once its job is being indexed. The parent then reads the same data home.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from tests import _documents as d
from tests.conftest import PROJECT

CHILD = textwrap.dedent("""
    import sys, time
    import ingest.pipeline as pipeline

    real = pipeline.get_embedding

    class Slow:
        def __init__(self, inner):
            self.inner = inner

        def get_text_embedding(self, text):
            if "冷链" in text or "海铁" in text:
                time.sleep(0.5)
            return self.inner.get_text_embedding(text)

    pipeline.get_embedding = lambda *a, **kw: Slow(real(*a, **kw))
    from assistant.config import get_settings
    from ui.documents import library

    with open(sys.argv[1], "rb") as fh:
        library(get_settings()).submit("冷链案例.docx", fh)
    time.sleep(600)
""")


def test_kill_9_during_indexing_keeps_the_old_index_and_requeues(copy_of_shipped_index, tmp_path, monkeypatch):
    from assistant import answer, service
    from assistant.config import get_settings
    from store.catalog import Catalog
    from ui.documents import Library
    from ui.jobs import JobBoard

    home = copy_of_shipped_index("documents-kill")
    upload = tmp_path / "upload.docx"
    upload.write_bytes(d.docx_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith("FTZQA_")}
    env.update({"FTZQA_HOME": str(home), "FTZQA_LLM__BACKEND": "extractive", "FTZQA_EMBEDDING__THREADS": "1"})
    monkeypatch.setenv("FTZQA_HOME", str(home))
    service.reset()
    settings = get_settings()
    catalog_file = settings.index_dir / settings.index_name / "catalog.json"
    before = Catalog.load(catalog_file).version  # read from the file: the child owns the store until it dies

    log = tmp_path / "child.log"
    with open(log, "wb") as out:
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(upload)], cwd=PROJECT, env=env, stdout=out,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            jobs = JobBoard(settings.jobs_file).jobs if settings.jobs_file.exists() else []
            if jobs and jobs[0].state == "indexing" and (settings.upload_folder / "冷链案例.docx").exists():
                break
            assert child.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, "the child never started indexing"
            time.sleep(0.2)
        time.sleep(2.0)  # well inside the embedding of the upload (12 texts, 0.5 s each)
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL

    try:
        # the previous index answers: catalog unchanged, a shipped case still cited, the upload not
        assert Catalog.load(catalog_file).version == before
        service.reset()
        assert service.index().catalog.version == before
        shipped = answer("哪个片区提供了“全球中心仓”案例？", backend="extractive")
        assert "001_2adf76dceb53e4a4#7" in {c.case_id for c in shipped.citations}
        assert "冷链案例" not in {c.case_id.split("#")[0] for c in answer(d.QUESTION, backend="extractive").citations}

        # restart: the job is queued again and indexed
        library = Library(settings)
        deadline = time.monotonic() + 120
        while library.busy() and time.monotonic() < deadline:
            time.sleep(0.3)
        row = library.document("冷链案例.docx")
        assert row is not None and row.status == "ready", row
        assert "冷链案例" in {c.case_id.split("#")[0] for c in answer(d.QUESTION, backend="extractive").citations}
    finally:
        monkeypatch.undo()
        service.reset()

