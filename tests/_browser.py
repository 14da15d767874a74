"""Headless Chromium for the browser tests: Debian's `chromium` (scripts/system-deps.sh) driven by playwright —
`playwright install` cannot download here. Importing this skips the calling module when either is missing;
the `browser` fixture (one Chromium per module) is in conftest.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"  # screenshots, full page
VIEWPORT = {"width": 1400, "height": 900}
ANSWER_TIMEOUT = 90_000  # ms; the first question loads the encoder
FINAL = "#ftz-chat .ftz-answer:not(.ftz-pending):not(.ftz-streaming)"  # an answer that finished streaming

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: run scripts/system-deps.sh as root to install chromium",
                allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
expect = sync_api.expect


def new_page(browser, **context_options):
    """A page in a fresh zh-CN context at the standard viewport; close it with page.context.close()."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", **context_options)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def shot(page, name: str) -> None:
    """A full-page screenshot in test-artifacts/, after the last render settles."""
    page.wait_for_timeout(400)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    """Type a question, press Enter, wait for the final (not pending/streaming) answer and the cleared box."""
    before = page.locator(FINAL).count()
    box = page.locator("#ftz-question textarea")
    box.fill(question)
    box.press("Enter")
    expect(page.locator(FINAL)).to_have_count(before + 1, timeout=ANSWER_TIMEOUT)
    expect(box).to_have_value("")
