"""Documents over HTTP (ui.documents_api + ui.documents): upload, background indexing, answers from the new index
without a restart, removal from Chroma, BM25 and the catalog; every hostile upload a clear 4xx that changes
nothing; a restart after a job was cut short re-queues it or fails it with the reason.

The server runs create_app() on loopback, open (nothing configured), over a copy of the shipped index, with
ingest.max_upload_mb = 1 so the size limit is cheap to cross.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from ingest.readers import SUPPORTED_SUFFIXES
from tests import _documents as d
from tests._server import open_app
from tests.conftest import CORPUS

LIMIT_MB = 1


@pytest.fixture(scope="module")
def server(copy_of_shipped_index):
    home = copy_of_shipped_index("documents-api")
    with open_app(FTZQA_HOME=str(home), FTZQA_INGEST__MAX_UPLOAD_MB=str(LIMIT_MB)) as (url, settings):
        assert settings.upload_folder == home / "documents"
        yield {"url": url, "home": home, "settings": settings}


def _bomb() -> bytes:
    """A .docx-named zip whose body inflates to 520 MB (about 0.5 MB on the wire)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            block = b"\0" * 2**20
            for _ in range(520):
                member.write(block)
    return out.getvalue()


def _many_parts() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        for i in range(5001):
            archive.writestr(f"p/{i}", b"")
    return out.getvalue()


def _zip_without_word() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return out.getvalue()


IMAGE_STATUS = 400 if ".png" in SUPPORTED_SUFFIXES else 415  # 400 (not an image) once the OCR reader is merged
SHIPPED = next(CORPUS.glob("001_*.txt"))

# (file name, content, status, error code); each must leave the library exactly as it was.
HOSTILE = [
    pytest.param("big.txt", "大" * (LIMIT_MB * 2**20 // 3 + 10), 413, "file_too_large", id="over-the-size-limit"),
    pytest.param("bomb.docx", _bomb, 400, "unreadable_file", id="docx-zip-bomb"),
    pytest.param("parts.docx", _many_parts, 400, "unreadable_file", id="docx-too-many-parts"),
    pytest.param("fake.docx", b"this is not a zip file at all", 400, "unreadable_file", id="docx-not-a-zip"),
    pytest.param("other.docx", _zip_without_word, 400, "unreadable_file", id="docx-zip-without-word-body"),
    pytest.param("fake.pdf", b"<html><body>not a pdf</body></html>", 400, "unreadable_file", id="pdf-not-a-pdf"),
    pytest.param("empty.txt", b"", 400, "empty_file", id="empty-file"),
    pytest.param("blank.md", b"  \n\t\n  ", 400, "empty_file", id="whitespace-only"),
    pytest.param("binary.txt", b"\x00\x01\x02\x00" * 100, 400, "unreadable_file", id="binary-text-file"),
    pytest.param("photo.png", b"GIF89a this is no png", IMAGE_STATUS, None, id="png-not-a-png"),
    pytest.param("tool.exe", b"MZ\x90\x00", 415, "unsupported_type", id="type-we-do-not-read"),
    pytest.param("report.pdf.exe", b"%PDF-1.4", 415, "unsupported_type", id="double-suffix"),
    pytest.param("../../../etc/passwd", b"root:x:0:0", 415, "unsupported_type", id="path-to-a-file-without-type"),
    pytest.param("noext", b"text", 415, "unsupported_type", id="no-suffix"),
    pytest.param(SHIPPED.name, SHIPPED.read_bytes, 409, "duplicate", id="same-as-a-shipped-document"),
    pytest.param("renamed-copy.txt", SHIPPED.read_bytes, 409, "duplicate", id="renamed-copy-recognised-by-hash"),
]


def _state(server) -> dict:
    """Everything an upload could change: the listing, the folders, the job file, the catalog version."""
    from assistant import service

    home: Path = server["home"]
    return {
        "listing": d.documents(server["url"]),
        "files": sorted(str(p.relative_to(home)) for p in home.rglob("*")
                        if p.is_file() and "index" not in p.relative_to(home).parts),
        "catalog": service.index().catalog.version,
    }


@pytest.mark.parametrize("name,content,status,code", HOSTILE)
def test_hostile_upload_is_refused_and_changes_nothing(server, name, content, status, code):
    data = content() if callable(content) else content
    data = data.encode("utf-8") if isinstance(data, str) else data
    before = _state(server)
    resp = d.upload(server["url"], name, data)
    assert resp.status_code == status, resp.text
    error = resp.json()["error"]
    assert error["message"] and "Traceback" not in error["message"]
    if code:
        assert error["code"] == code
    assert _state(server) == before


def test_requests_that_are_not_an_upload(server):
    url = server["url"] + "api/documents"
    before = _state(server)
    for resp in (
        httpx.post(url, json={"file": "x.txt"}),  # not multipart
        httpx.post(url, files={"document": ("a.txt", b"text")}),  # the wrong field
        httpx.post(url, data={"file": "a.txt"}),  # a form field, not a file
        httpx.post(url, content=b"--x\r\nbroken", headers={"Content-Type": "multipart/form-data; boundary=x"}),
    ):
        assert resp.status_code == 400, resp.text
        assert resp.json()["error"]["message"]
    head = b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
    chunked = httpx.post(url, content=iter([head] + [b"x" * 2**20] * (LIMIT_MB + 1)),  # no Content-Length
                         headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 413, chunked.text
    assert httpx.delete(url + "/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert httpx.delete(url + "/nothing-here.txt").status_code == 404
    shipped = httpx.delete(url + f"/{SHIPPED.name}")
    assert shipped.status_code == 409 and shipped.json()["error"]["code"] == "read_only"
    assert SHIPPED.exists()
    assert _state(server) == before


@pytest.mark.parametrize("client_name,stored", [
    ("../../escape.txt", "escape.txt"),
    ("..\\..\\Windows\\逃逸 名单.txt", "逃逸_名单.txt"),
    ("/tmp/../../root/.hidden.md", "hidden.md"),
    ("a<b>|c?.TXT", "a_b_c.txt"),
])
def test_path_in_the_name_is_stored_under_a_safe_name_inside_the_folder(server, client_name, stored):
    home: Path = server["home"]
    text = f"路径测试文件 {stored}：本文记录一个用于测试的案例，内容足够长以便被索引。".encode()
    resp = d.upload(server["url"], client_name, text)
    assert resp.status_code == 202, resp.text
    assert resp.json()["name"] == stored and resp.json()["original_name"] == client_name
    row = d.wait_for(server["url"], stored, {"ready", "failed"})
    assert row is not None and row["status"] == "ready", row
    assert (home / "documents" / stored).read_bytes() == text
    assert not (home.parent / "escape.txt").exists() and not Path("/root/.hidden.md").exists()
    assert httpx.delete(server["url"] + f"api/documents/{stored}").status_code == 202
    d.wait_for(server["url"], stored, None)


def test_upload_answer_remove_never_cited_again(server):
    from assistant import service

    url = server["url"]
    data = d.docx_bytes()  # built once: python-docx stamps the time into each file it saves
    resp = d.upload(url, "冷链案例.docx", data, mime=d.DOCX_MIME)
    assert resp.status_code == 202, resp.text
    name = resp.json()["name"]
    assert name == "冷链案例.docx" and resp.json()["status"] == "queued"
    again = d.upload(url, "copy.docx", data, mime=d.DOCX_MIME)  # recognised by hash while queued
    assert again.status_code == 409 and name in again.json()["error"]["message"]

    row = d.wait_for(url, name, {"ready", "failed"})
    assert row["status"] == "ready", row
    assert row["title"] == d.TITLE and row["cases"] == 2 and row["chunks"] > 0 and row["source"] == "uploads"
    assert row["removable"] and row["added"]
    doc_id = d.stem(name)
    answer = d.ask(url)
    assert doc_id in d.cited_documents(answer), answer["citations"]
    assert any(c["provider"] == d.PROVIDER for c in answer["citations"])
    cases = httpx.get(url + "api/cases").json()
    assert {c["id"] for c in cases} >= {f"{doc_id}#1", f"{doc_id}#2"}
    assert d.upload(url, "third.docx", data, mime=d.DOCX_MIME).status_code == 409  # and once indexed

    removal = httpx.delete(url + f"api/documents/{name}")
    assert removal.status_code == 202 and removal.json() == {"name": name, "status": "removing"}
    d.wait_for(url, name, None)
    assert not (server["home"] / "documents" / name).exists()
    assert doc_id not in d.cited_documents(d.ask(url))
    assert not [c for c in httpx.get(url + "api/cases").json() if c["id"].startswith(doc_id + "#")]
    index = service.index()
    assert doc_id not in index.catalog.documents
    assert not index.vectors.collection.get(where={"doc_id": doc_id}, include=[])["ids"]  # Chroma
    assert not index.sentences.collection.get(where={"doc_id": doc_id}, include=[])["ids"]
    assert all(not cid.startswith(doc_id + ":") for cid, _ in index.bm25().search(d.FIGURE + " 冷链 共享仓", 50))


def test_questions_use_the_previous_index_until_the_commit(server, monkeypatch):
    """While an upload is being embedded, answers come from the previous index; right after, from the new one."""
    import ingest.pipeline as pipeline

    gate, started = threading.Event(), threading.Event()
    real = pipeline.get_embedding

    class Held:
        def __init__(self, inner):
            self.inner = inner

        def get_text_embedding(self, text):
            if "冷链" in text or "海铁" in text:
                started.set()
                assert gate.wait(60), "the test never released the embedding"
            return self.inner.get_text_embedding(text)

    monkeypatch.setattr(pipeline, "get_embedding", lambda *a, **kw: Held(real(*a, **kw)))
    url = server["url"]
    resp = d.upload(url, "held.docx", d.docx_bytes(figure="8765万元"), mime=d.DOCX_MIME)
    assert resp.status_code == 202, resp.text
    try:
        assert started.wait(60)
        row = d.wait_for(url, "held.docx", {"indexing"})
        assert row["status"] == "indexing"
        answer = d.ask(url, f"{d.CASE_TITLE}为进口企业节约成本多少？")
        assert "held" not in d.cited_documents(answer)
        shipped = d.ask(url, "哪个片区提供了“全球中心仓”案例？")  # the previous index answers meanwhile
        assert "001_2adf76dceb53e4a4#7" in {c["case_id"] for c in shipped["citations"]}
    finally:
        gate.set()
    assert d.wait_for(url, "held.docx", {"ready", "failed"})["status"] == "ready"
    assert "held" in d.cited_documents(d.ask(url, f"{d.CASE_TITLE}为进口企业节约成本多少？"))
    assert httpx.delete(url + "api/documents/held.docx").status_code == 202
    d.wait_for(url, "held.docx", None)


def test_unreadable_content_fails_in_the_background_with_the_reason(server):
    """A file whose header passes but whose body cannot be read fails its job; it can then be dismissed."""
    url = server["url"]
    resp = d.upload(url, "truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n garbage")
    assert resp.status_code == 202
    row = d.wait_for(url, "truncated.pdf", {"ready", "failed"})
    assert row["status"] == "failed" and "PDF" in row["error"]
    assert not (server["home"] / "documents" / "truncated.pdf").exists()  # no later run reads it again
    dismissed = httpx.delete(url + "api/documents/truncated.pdf")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "removed"
    assert d.wait_for(url, "truncated.pdf", None) is None


def test_restart_requeues_a_cut_short_job_or_fails_it(copy_of_shipped_index, monkeypatch):
    """What kill -9 during an ingest leaves (a job still 'indexing', its file in the uploads folder) is queued again
    on restart and indexed; a job cut short twice fails with the reason and its file leaves the folder."""
    from assistant import service
    from assistant.config import get_settings
    from ui.documents import Library
    from ui.jobs import Job, JobBoard

    home = copy_of_shipped_index("documents-restart")
    monkeypatch.setenv("FTZQA_HOME", str(home))
    service.reset()
    try:
        settings = get_settings()
        version = service.index().catalog.version
        settings.upload_folder.mkdir(parents=True)
        (settings.upload_folder / "again.docx").write_bytes(d.docx_bytes())
        (settings.upload_folder / "twice.txt").write_text("被中断两次的文件。" * 20, encoding="utf-8")
        board = JobBoard(settings.jobs_file)
        board.add(Job(action="add", name="again.docx", state="indexing", attempts=1))
        board.add(Job(action="add", name="twice.txt", state="indexing", attempts=2))
        assert service.index().catalog.version == version  # the previous index is what answers

        library = Library(settings)
        rows = {r.name: r for r in library.documents()}
        assert rows["twice.txt"].status == "failed" and "cut short 2 times" in (rows["twice.txt"].error or "")
        assert not (settings.upload_folder / "twice.txt").exists()
        deadline = time.monotonic() + 120
        while library.busy() and time.monotonic() < deadline:
            time.sleep(0.3)
        rows = {r.name: r for r in library.documents()}
        assert rows["again.docx"].status == "ready" and rows["again.docx"].cases == 2
        assert "again" in service.index().catalog.documents
    finally:
        monkeypatch.undo()
        service.reset()
