"""Helpers for the document-management tests: a .docx built at test time, uploads and polling over HTTP."""

from __future__ import annotations

import io
import time
from pathlib import Path

import httpx

FIGURE = "4321万元"
TITLE = "临港物流创新案例汇编"
CASE_TITLE = "冷链物流集拼共享仓"
PROVIDER = "宁波片区"
QUESTION = f"{CASE_TITLE}为进口企业节约成本多少？"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def docx_bytes(figure: str = FIGURE, title: str = TITLE) -> bytes:
    """A two-case Word file; the first case states a figure no shipped document has."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=0)
    for number, (case, provider, practice, result) in enumerate([
        (CASE_TITLE, PROVIDER, "宁波片区建设冷链物流集拼共享仓，整合港口冷库资源，推行一次申报、分批提离的监管模式。",
         f"共享仓运行一年，为进口企业节约成本{figure}，冷链货物通关时间缩短百分之四十。"),
        ("海铁联运数字提单", "嘉兴市", "嘉兴推出海铁联运数字提单，实现提单、运单和仓单电子流转。",
         "数字提单累计签发1.2万单，平均缩短单证流转时间两天。"),
    ], 1):
        document.add_paragraph(f"{number}. {case}")
        document.add_paragraph(f"（{provider}提供）")
        document.add_paragraph("一、主要做法")
        document.add_paragraph(practice)
        document.add_paragraph("二、实践效果")
        document.add_paragraph(result)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(url: str, name: str, data: bytes, key: str | None = None, mime: str = "application/octet-stream",
           ) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.post(url + "api/documents", files={"file": (name, data, mime)}, headers=headers, timeout=60)


def documents(url: str, key: str | None = None) -> list[dict]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    resp = httpx.get(url + "api/documents", headers=headers, timeout=30)
    resp.raise_for_status()
    return resp.json()


def wait_for(url: str, name: str, states: set[str] | None, key: str | None = None, timeout: float = 120) -> dict | None:
    """Poll GET /api/documents until `name` is in one of `states` (None: until it is gone); its row or None."""
    deadline = time.monotonic() + timeout
    while True:
        row = next((d for d in documents(url, key) if d["name"] == name), None)
        if (states is None and row is None) or (row is not None and states and row["status"] in states):
            return row
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} did not reach {states or 'removal'} in {timeout} s: {row}")
        time.sleep(0.3)


def ask(url: str, question: str = QUESTION, key: str | None = None) -> dict:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    resp = httpx.post(url + "api/answer", json={"question": question, "backend": "extractive"}, headers=headers,
                      timeout=120)
    resp.raise_for_status()
    return resp.json()


def cited_documents(answer: dict) -> set[str]:
    """Document ids of the cases an answer cites (case id = <document id>#<n>)."""
    return {c["case_id"].split("#")[0] for c in answer["citations"]}


def stem(name: str) -> str:
    return Path(name).stem
