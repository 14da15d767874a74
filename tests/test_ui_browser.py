"""The chat window in headless Chromium, against the shipped corpus and the extractive backend.

Needs the Debian `chromium` package (scripts/system-deps.sh); never `playwright install`.
Screenshots of every state go to test-artifacts/ (1400x900 viewport, full page).
"""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests._browser import ANSWER_TIMEOUT, FINAL, VIEWPORT, ask, expect, new_page, shot
from tests._server import free_port

pytestmark = pytest.mark.browser

Q_CENTRE = "哪个片区提供了“全球中心仓”案例？"
Q_FUEL = "What did the Zhoushan Area do about bonded fuel supply between Zhejiang and Shanghai ports?"



@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Ingest the shipped corpus into a tmp home and serve the app (and a login-protected twin)."""
    from assistant import service
    from assistant.config import get_settings
    from ingest.pipeline import ingest
    from ui.app import build_app, launch

    home = tmp_path_factory.mktemp("ftzqa-ui-home")
    feedback = home / "feedback.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_HOME", str(home))
        mp.setenv("FTZQA_LLM__BACKEND", "extractive")
        mp.setenv("FTZQA_UI__FEEDBACK_PATH", str(feedback))
        mp.delenv("FTZQA_UI__AUTH", raising=False)
        service.reset()
        report = ingest()
        assert report.cases > 50
        settings = get_settings()
        assert settings.feedback_file == feedback and not settings.ui.auth

        demo = build_app(settings)
        port = free_port()
        launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True, quiet=True)

        secured = settings.model_copy(deep=True)
        secured.ui.auth = ["alice:secret"]
        locked = build_app(secured)
        locked_port = free_port()
        launch(locked, secured, host="127.0.0.1", port=locked_port, prevent_thread_lock=True, quiet=True)
        try:
            yield {"url": f"http://127.0.0.1:{port}/", "locked_url": f"http://127.0.0.1:{locked_port}/",
                   "feedback": feedback, "catalog": service.index().catalog}
        finally:
            demo.close()
            locked.close()
    service.reset()


@pytest.fixture
def page(browser, server):
    pg = new_page(browser)
    context = pg.context
    pg.goto(server["url"])
    expect(pg.locator("#ftz-question textarea")).to_be_visible(timeout=60_000)
    yield pg
    context.close()


def last_answer(pg):
    return pg.locator(FINAL).last


def card_titles(pg) -> list[str]:
    return [t.strip() for t in pg.locator("#ftz-sources .ftz-card-title").all_inner_texts()]


def test_chinese_question_answer_with_source(page):
    shot(page, "01-start")
    ask(page, Q_CENTRE)
    expect(last_answer(page)).to_contain_text("杭州片区")
    expect(last_answer(page).locator(".ftz-ref").first).to_have_text("[1]")
    expect(page.locator("#ftz-sources .ftz-card-title", has_text="“全球中心仓”").first).to_be_visible()
    # every [n] of the answer has exactly one card, and every card a marker
    markers = {t.strip("[] ") for t in last_answer(page).locator(".ftz-ref").all_inner_texts()}
    cards = {t.strip("[] ") for t in page.locator("#ftz-sources .ftz-n").all_inner_texts()}
    assert markers == cards and markers
    card = page.locator("#ftz-sources .ftz-card").first
    expect(card.locator(".ftz-section")).to_contain_text("章节")
    expect(card.locator(".ftz-quote")).not_to_be_empty()
    card.locator("details summary").click()
    expect(card.locator(".ftz-section-text")).to_be_visible()
    shot(page, "02-chat-zh-sources")


def test_example_question_click_asks_it(page):
    # The examples are written from the loaded catalog (ui/examples.py): a list by provider, in English.
    page.locator("#ftz-chat button.example", has_text="Which cases did").click()
    expect(page.locator(FINAL)).to_have_count(1, timeout=ANSWER_TIMEOUT)
    expect(last_answer(page)).to_contain_text("The documents list")
    expect(page.locator("#ftz-sources .ftz-card").first).to_be_visible()


def test_english_question_english_answer(page):
    ask(page, Q_FUEL)
    expect(last_answer(page)).to_contain_text("According to the documents")
    assert any("舟山" in p for p in page.locator("#ftz-sources .ftz-chip-provider").all_inner_texts())
    shot(page, "03-chat-en")


def test_follow_up_uses_previous_turn(page):
    ask(page, Q_CENTRE)
    ask(page, "它的主要做法是什么？")
    expect(page.locator("#ftz-chat .ftz-user")).to_have_count(2)
    titles = card_titles(page)
    assert "“全球中心仓”" in titles, titles
    refused = last_answer(page).locator(".ftz-badge-refused").count() > 0
    if not refused:  # an answered follow-up cites the case of the previous turn first
        assert titles[0] == "“全球中心仓”", titles
    shot(page, "04-follow-up")


def test_refusal_says_so_and_shows_closest_cases(page):
    ask(page, "今天天气怎么样？")
    expect(last_answer(page).locator(".ftz-badge-refused")).to_be_visible()
    expect(last_answer(page)).to_contain_text("资料中未找到")
    expect(page.locator("#ftz-sources .ftz-refusal")).to_be_visible()
    expect(page.locator("#ftz-sources .ftz-card-closest").first).to_be_visible()
    assert page.locator("#ftz-sources .ftz-n").count() == 0  # no [n] sources for a refusal
    shot(page, "05-refusal")


def test_document_filter_limits_sources(page, server):
    doc = next(d for d in server["catalog"].documents.values() if d.source_file.startswith("004"))
    page.locator("#ftz-doc-filter input").click()
    page.get_by_role("option", name=doc.title).click()
    page.keyboard.press("Escape")
    expect(page.locator("#ftz-active-filters")).to_contain_text(doc.title)
    ask(page, "如何推进跨境电商和数字贸易发展？")
    docs = page.locator("#ftz-sources .ftz-card .ftz-doc").all_inner_texts()
    assert docs, "no sources shown"
    assert all(doc.title in d for d in docs), docs
    expect(last_answer(page).locator(".ftz-answer-filters")).to_contain_text(doc.title)
    shot(page, "06-filter-004")


def test_thumbs_down_with_comment_is_logged(page, server):
    from ui.feedback import read_feedback

    ask(page, Q_CENTRE)
    page.locator("#ftz-comment textarea").fill("希望给出更多做法 <b>细节</b>")
    page.locator("#ftz-down").click()
    expect(page.locator("#ftz-feedback-status")).to_contain_text("已记录")
    records = read_feedback(server["feedback"])
    record = records[-1]
    assert record["vote"] == "down" and record["comment"] == "希望给出更多做法 <b>细节</b>"
    assert record["question"] == Q_CENTRE and record["citations"] and record["config_hash"]
    assert record["answer"] and record["time"]
    shot(page, "07-feedback")


def test_enter_sends_shift_enter_newline_ime_safe(page):
    box = page.locator("#ftz-question textarea")
    box.click()
    box.type("第一行")
    page.keyboard.press("Shift+Enter")
    box.type("第二行")
    assert box.input_value() == "第一行\n第二行"
    # Enter that commits an IME candidate must not send the question.
    page.evaluate("""() => {
        const ta = document.querySelector('#ftz-question textarea');
        for (const type of ['keydown', 'keypress']) {
            ta.dispatchEvent(new KeyboardEvent(type, {key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true,
                                                      bubbles: true, cancelable: true}));
        }
    }""")
    page.wait_for_timeout(800)
    assert page.locator("#ftz-chat .ftz-user").count() == 0
    assert box.input_value() == "第一行\n第二行"
    box.press("Enter")
    expect(page.locator("#ftz-chat .ftz-user")).to_have_count(1)
    expect(page.locator(FINAL)).to_have_count(1, timeout=ANSWER_TIMEOUT)


def test_errors_do_not_kill_the_session(page):
    page.locator("#ftz-question textarea").fill("   ")
    page.locator("#ftz-send").click()
    expect(page.locator("#ftz-chat .ftz-error")).to_contain_text("请输入问题")
    ask(page, "自贸试验区" * 4000)  # a 20,000-character paste
    expect(last_answer(page).locator(".ftz-notice")).to_contain_text("过长")
    ask(page, "列出四川自贸试验区提供的所有案例")
    expect(last_answer(page)).to_contain_text("四川自贸试验区")
    shot(page, "08-errors-and-list")
    page.locator("#ftz-new").click()
    expect(page.locator("#ftz-chat .ftz-answer")).to_have_count(0)


def test_several_users_at_once(browser, server):
    """Separate sessions asking at the same time each get their own answer (queue concurrency > 1)."""
    questions = [Q_CENTRE, "列出四川自贸试验区提供的所有案例", Q_FUEL]
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in questions]
    try:
        pages = [c.new_page() for c in contexts]
        for pg in pages:
            pg.goto(server["url"])
            expect(pg.locator("#ftz-question textarea")).to_be_visible(timeout=60_000)
        for pg, question in zip(pages, questions):
            pg.locator("#ftz-question textarea").fill(question)
            pg.locator("#ftz-question textarea").press("Enter")
        for pg in pages:
            expect(pg.locator(FINAL)).to_have_count(1, timeout=ANSWER_TIMEOUT)
        expect(pages[0].locator("#ftz-sources .ftz-card-title", has_text="“全球中心仓”").first).to_be_visible()
        expect(last_answer(pages[1])).to_contain_text("四川自贸试验区")
        expect(last_answer(pages[2])).to_contain_text("According to the documents")
    finally:
        for context in contexts:
            context.close()


def test_case_catalog_browse(page):
    page.get_by_role("tab", name="案例目录 / Cases").click()
    search = page.locator("#ftz-case-search textarea, #ftz-case-search input").first
    search.fill("舟山")
    table = page.locator("#ftz-case-table")
    row = table.get_by_text("浙沪跨港区供油助推长三角海事服务一体化", exact=True).filter(visible=True).first
    expect(row).to_be_visible()
    expect(table.get_by_text("“全球中心仓”", exact=True).filter(visible=True)).to_have_count(0)
    row.click()
    view = page.locator("#ftz-case-view")
    expect(view.locator(".ftz-case-title")).to_have_text("浙沪跨港区供油助推长三角海事服务一体化")
    expect(view.locator(".ftz-case-section-label").first).to_be_visible()
    shot(page, "09-cases")


def test_login_required_when_configured(browser, server):
    url = server["locked_url"]
    with urllib.request.urlopen(url) as resp:  # the login page, nothing of the app
        body = resp.read().decode("utf-8")
    assert '"auth_required":true' in body.replace(" ", "")
    for title in ("全球中心仓", "浙沪跨港区供油", "服务贸易创新发展试点"):
        assert title not in body
    for route in ("config", "gradio_api/info", "gradio_api/openapi.json"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + route)
        assert err.value.code == 401
        assert "全球中心仓" not in err.value.read().decode("utf-8", "replace")

    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.goto(url)
    expect(pg.locator("input[type=password]")).to_be_visible()
    assert pg.locator("#ftz-chat").count() == 0
    shot(pg, "10-login")
    pg.locator("input[type=text]").first.fill("alice")
    pg.locator("input[type=password]").fill("secret")
    pg.locator("input[type=password]").press("Enter")
    expect(pg.locator("#ftz-question textarea")).to_be_visible(timeout=60_000)
    context.close()
