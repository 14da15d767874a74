"""The 资料管理 / Documents tab in headless Chromium, on the serve app (Gradio inside FastAPI), open on loopback:
upload a .docx built at test time, wait for "ready", ask about it and see its citation, see the filters and the
case catalog follow, remove it with the confirmation, and see the next answer not cite it.

Needs the Debian `chromium` package (scripts/system-deps.sh); never `playwright install`.
"""

from __future__ import annotations

import pytest

from tests import _documents as d
from tests._browser import FINAL, expect, new_page, shot
from tests._browser import ask as ask_on_page
from tests._server import open_app

pytestmark = pytest.mark.browser

INDEX_TIMEOUT = 120_000  # ms; embedding the uploaded file on a busy 2-core machine
FILE_NAME = "冷链案例.docx"



@pytest.fixture(scope="module")
def server(copy_of_shipped_index):
    home = copy_of_shipped_index("documents-browser")
    with open_app(FTZQA_HOME=str(home)) as (url, _):
        yield {"url": url, "home": home}


def ask(pg, question: str) -> None:
    pg.get_by_role("tab", name="问答 / Ask").click()
    ask_on_page(pg, question)


def rows(pg, *texts: str):
    """Rows of the documents table holding every one of `texts`."""
    found = pg.locator("#ftz-doc-table [role=row]")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def test_upload_ask_remove_in_the_browser(browser, server, tmp_path):
    docx_path = tmp_path / FILE_NAME
    docx_path.write_bytes(d.docx_bytes())
    pg = new_page(browser)
    context = pg.context
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
