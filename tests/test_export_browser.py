"""The Export buttons in headless Chromium, on the app as `serve` runs it (ui.server.create_app):
click, catch the download, open it with python-docx and find the answer and every quote."""

from __future__ import annotations

import pytest

from tests._browser import ARTIFACTS, FINAL, expect, new_page
from tests._browser import ask as ask_on_page
from tests._server import open_app

pytestmark = pytest.mark.browser


Q_CENTRE = "哪个片区提供了“全球中心仓”案例？"
Q_FOLLOW = "它的主要做法是什么？"


@pytest.fixture(scope="module")
def app_url(shipped_index):
    with open_app() as (url, _):
        yield url


@pytest.fixture
def page(browser, app_url):
    pg = new_page(browser, accept_downloads=True)
    context = pg.context
    pg.goto(app_url)
    expect(pg.locator("#ftz-question textarea")).to_be_visible(timeout=60_000)
    yield pg
    context.close()


def ask(pg, question: str) -> None:
    """Ask, wait for the final answer and for the export files made for it."""
    ask_on_page(pg, question)
    expect(pg.locator("#ftz-export-status")).to_contain_text(question)


def download(pg, button: str):
    with pg.expect_download() as info:
        pg.locator(button).click()
    return info.value


def docx_text(path) -> str:
    import docx

    document = docx.Document(str(path))
    return "\n".join(p.text for p in document.paragraphs)


def test_export_button_downloads_a_docx_with_the_answer_and_every_quote(page):
    from assistant import answer

    expect(page.locator("#ftz-export-answer")).to_be_disabled()  # nothing to export yet
    expected = answer(Q_CENTRE)  # the extractive backend is deterministic: what the page shows
    assert expected.citations
    ask(page, Q_CENTRE)
    expect(page.locator("#ftz-export-answer")).to_be_enabled()
    page.screenshot(path=str(ARTIFACTS / "11-export.png"), full_page=True)
    file = download(page, "#ftz-export-answer")
    assert file.suggested_filename.startswith("ftzqa-answer-") and file.suggested_filename.endswith(".docx")
    text = docx_text(file.path())
    assert Q_CENTRE in text
    for line in expected.text.splitlines():
        assert line in text, line
    for citation in expected.citations:
        assert citation.quote in text, citation.quote
        assert citation.case_title in text and citation.document_title in text
    assert page.locator("#ftz-chat .ftz-error").count() == 0


def test_export_chosen_answer_whole_chat_and_markdown(page):
    ask(page, Q_CENTRE)
    ask(page, Q_FOLLOW)
    whole = docx_text(download(page, "#ftz-export-all").path())
    assert Q_CENTRE in whole and Q_FOLLOW in whole and "第 2 问" in whole

    latest = docx_text(download(page, "#ftz-export-answer").path())
    assert Q_FOLLOW in latest and Q_CENTRE not in latest.split("回答 / Answer")[0]

    page.locator(FINAL).first.click()  # choose the first answer
    expect(page.locator("#ftz-export-status")).to_contain_text("第 1 个回答")
    first = docx_text(download(page, "#ftz-export-answer").path())
    assert Q_CENTRE in first and Q_FOLLOW not in first

    page.get_by_text("Markdown (.md)").click()
    expect(page.locator("#ftz-export-status")).to_contain_text("answer 1（Markdown (.md)）")
    md = download(page, "#ftz-export-answer")
    assert md.suggested_filename.endswith(".md")
    content = md.path().read_text(encoding="utf-8")
    assert content.startswith("# 自贸案例问答") and Q_CENTRE in content and "> " in content

    page.locator("#ftz-new").click()
    expect(page.locator("#ftz-export-answer")).to_be_disabled()
