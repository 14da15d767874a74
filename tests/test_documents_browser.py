"""The 资料管理 / Documents tab in headless Chromium, on the serve app (Gradio inside FastAPI), open on loopback:
upload a .docx built at test time, wait for "ready", ask about it and see its citation, see the filters and the
case catalog follow, remove it with the confirmation, and see the next answer not cite it.

Needs the Debian `chromium` package (scripts/system-deps.sh); never `playwright install`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import _documents as d
from tests._server import running

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
VIEWPORT = {"width": 1400, "height": 900}
ANSWER_TIMEOUT = 90_000  # ms
INDEX_TIMEOUT = 120_000  # ms; embedding the uploaded file on a busy 2-core machine
FINAL = "#ftz-chat .ftz-answer:not(.ftz-pending):not(.ftz-streaming)"
FILE_NAME = "冷链案例.docx"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: run scripts/system-deps.sh as root to install chromium",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def server(copy_of_shipped_index):
    from assistant import service
    from assistant.config import get_settings
    from ui.server import create_app

    home = copy_of_shipped_index("documents-browser")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("FTZQA_UI__AUTH", "FTZQA_UI__API_KEYS", "FTZQA_UI__ADMIN_API_KEYS", "FTZQA_UI__HOST"):
            mp.delenv(name, raising=False)
        mp.setenv("FTZQA_HOME", str(home))
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        service.reset()
        with running(create_app(get_settings())) as url:
            yield {"url": url, "home": home}
    service.reset()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(pg, name: str) -> None:
    pg.wait_for_timeout(400)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(pg, question: str) -> None:
    pg.get_by_role("tab", name="问答 / Ask").click()
    before = pg.locator(FINAL).count()
    box = pg.locator("#ftz-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(pg.locator(FINAL)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)


def rows(pg, *texts: str):
    """Rows of the documents table holding every one of `texts`."""
    found = pg.locator("#ftz-doc-table [role=row]")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def test_upload_ask_remove_in_the_browser(browser, server, tmp_path):
    docx_path = tmp_path / FILE_NAME
    docx_path.write_bytes(d.docx_bytes())
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        pg.goto(server["url"])
        expect(pg.locator("#ftz-question textarea")).to_be_visible(timeout=60_000)

        # the tab lists the shipped corpus; on the desktop (loopback, nothing configured) the user is an admin
        pg.get_by_role("tab", name="资料管理 / Documents").click()
        expect(rows(pg, "001_2adf76dceb53e4a4.txt", "内置 / shipped", "就绪 / ready")).to_have_count(1)
        expect(pg.locator("#ftz-doc-upload")).to_be_visible()
        expect(pg.locator("#ftz-doc-viewer")).to_be_hidden()
        shot(pg, "21-documents")

        pg.locator("#ftz-doc-upload input[type=file]").set_input_files(str(docx_path))
        expect(pg.locator("#ftz-doc-status")).to_contain_text("queued")
        ready = rows(pg, FILE_NAME, "就绪 / ready")
        expect(ready).to_have_count(1, timeout=INDEX_TIMEOUT)
        expect(ready).to_contain_text(d.TITLE)
        shot(pg, "22-documents-uploaded")

        # the chat answers from the new index without a restart, and its filters know the new document
        ask(pg, d.QUESTION)
        expect(pg.locator("#ftz-sources .ftz-card-title", has_text=d.CASE_TITLE).first).to_be_visible()
        expect(pg.locator(FINAL).last.locator(".ftz-ref").first).to_have_text("[1]")
        expect(pg.locator(FINAL).last).to_contain_text("4321")
        pg.locator("#ftz-doc-filter input").click()
        expect(pg.get_by_role("option", name=d.TITLE)).to_be_visible()
        pg.keyboard.press("Escape")
        shot(pg, "23-answer-from-upload")

        pg.get_by_role("tab", name="案例目录 / Cases").click()
        pg.locator("#ftz-case-search textarea, #ftz-case-search input").first.fill("冷链")
        expect(pg.locator("#ftz-case-table").get_by_text(d.CASE_TITLE, exact=True).filter(visible=True)).to_have_count(1)

        # remove it, with the confirmation
        pg.get_by_role("tab", name="资料管理 / Documents").click()
        pg.locator("#ftz-doc-remove-pick input").click()
        pg.get_by_role("option", name=f"{d.TITLE} · {FILE_NAME}").click()
        pg.locator("#ftz-doc-remove").click()
        expect(pg.locator("#ftz-doc-confirm-text")).to_contain_text(d.TITLE)
        shot(pg, "24-confirm-removal")
        pg.locator("#ftz-doc-confirm-btn").click()
        expect(pg.locator("#ftz-doc-status")).to_contain_text("removing")
        expect(rows(pg, FILE_NAME)).to_have_count(0, timeout=INDEX_TIMEOUT)

        ask(pg, d.QUESTION)
        expect(pg.locator("#ftz-sources .ftz-card-title", has_text=d.CASE_TITLE)).to_have_count(0)
        assert "4321" not in pg.locator(FINAL).last.inner_text()
        pg.locator("#ftz-doc-filter input").click()
        expect(pg.get_by_role("option", name=d.TITLE)).to_have_count(0)
        pg.keyboard.press("Escape")
        shot(pg, "25-after-removal")
    finally:
        context.close()
