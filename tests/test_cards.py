"""English case cards: parsed and checked, made once per content, cached, searched, and shown beside the
Chinese title in English answers. The scriptable fake model writes them here; the shipped cards were written
by the embedded model with `ftzqa cards --out corpus/cards.json`."""

from __future__ import annotations

import pytest

from assistant.cards import CardStore, content_hash, fill_cards, parse_card
from assistant.models import Case
from tests.fakes import MockGenerator

TEXT = "通关时间由48小时压缩至6小时，为企业节约成本3200万元。覆盖进出口企业1500家。"


@pytest.mark.parametrize("reply,title,gist", [
    ("Title: One-window customs reform\nGist: Clearance fell from 48 to 6 hours. Firms saved 32 million yuan.",
     "One-window customs reform", "Clearance fell from 48 to 6 hours."),  # 32 is not a figure the case states
    ("Title: Reform\nGist: Clearance fell from 48 hours to 6 hours.\nIt covers 1500 firms.",
     "Reform", "Clearance fell from 48 hours to 6 hours. It covers 1500 firms."),  # a gist may wrap
    ("标题：通关改革\nGist: 通关时间压缩。", "", ""),  # Chinese is no English card
    ("Sorry, I cannot help.", "", ""),
])
def test_parse_card_keeps_only_figures_the_case_states(reply, title, gist):
    assert parse_card(reply, TEXT) == (title, gist)


def _case(n: int) -> Case:
    return Case(id=f"doc#{n}", number=n, title=f"案例{n}", provider="北海市", document_id="doc", document_title="文件",
                source_file="doc.txt", start=0, end=len(TEXT))


def test_cards_are_made_once_per_content_and_cached(tmp_path):
    model = MockGenerator()
    model.enqueue("Title: One-window customs reform\nGist: Clearance fell from 48 to 6 hours.")
    store = CardStore(tmp_path / "cards.json", shipped=tmp_path / "none.json")
    made, failed = fill_cards([_case(1)], lambda c: TEXT, store, model, None, "mock")
    assert (made, failed) == (1, []) and len(model.calls) == 1
    again = CardStore(tmp_path / "cards.json", shipped=tmp_path / "none.json")
    assert again.get(content_hash(_case(1), TEXT)).title_en == "One-window customs reform"
    made, _ = fill_cards([_case(1)], lambda c: TEXT, again, model, None, "mock")
    assert made == 0 and len(model.calls) == 1  # unchanged content: no second call


def test_no_generator_writes_no_card_and_says_why(tmp_path):
    store = CardStore(tmp_path / "cards.json", shipped=tmp_path / "none.json")
    made, failed = fill_cards([_case(1)], lambda c: TEXT, store, None, None, "extractive")
    assert made == 0 and failed == ["doc#1: no generator configured"]


def test_shipped_cards_cover_the_shipped_corpus(shipped_index):
    from assistant import service

    catalog = service.index().catalog
    cards = service.cards().cards
    real = [c for c in catalog.cases.values() if c.kind == "case"]
    assert len([c for c in real if c.id in cards]) >= 0.9 * len(real)
    assert all(card.title_en and not any("\u4e00" <= ch <= "\u9fff" for ch in card.title_en) for card in cards.values())


def test_english_answers_show_the_english_title(shipped_index):
    from assistant import answer, service

    a = answer("How much did Yiwu shorten the export tax refund process with paperless filing documents?")
    assert not a.refused
    english = service.cards().cards
    cited = [c for c in a.citations if c.case_id in english]
    assert cited and all(c.case_title_en == english[c.case_id].title_en for c in cited)
    assert english[cited[0].case_id].title_en in a.text
