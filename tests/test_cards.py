"""English case cards: parsed and checked, made once per content, cached, searched, and shown beside the
Chinese title in English answers. The scriptable fake model writes them here; the shipped cards were written
by the embedded model with `ftzqa cards --out corpus/cards.json`."""

from __future__ import annotations

import pytest

from assistant.cards import CardStore, checked_places, content_hash, fill_cards, parse_card
from assistant.models import Case
from tests.fakes import MockGenerator

TEXT = "通关时间由48小时压缩至6小时，为企业节约成本3200万元。覆盖进出口企业1500家。"


@pytest.mark.parametrize("reply,title,gist", [
    ("Title: One-window customs reform\nGist: Clearance fell from 48 to 6 hours. Firms saved 3.2 billion yuan.",
     "One-window customs reform", "Clearance fell from 48 to 6 hours."),  # 3200万元 is 32 million, not 3.2 billion
    ("Title: Reform\nGist: Firms saved 32 million yuan. It covers 1,500 firms. It covers 15 cities.",
     "Reform", "Firms saved 32 million yuan. It covers 1,500 firms."),  # 3200万元 = 32 million; 15 is not stated
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


def test_an_english_list_names_each_case_in_english(shipped_index):
    from assistant import answer, service

    a = answer("Which cases did Sichuan provide?")
    english = service.cards().cards
    listed = [c.case_id for c in a.citations]
    assert a.route == "catalog" and len(listed) >= 2
    assert all(english[cid].title_en in a.text for cid in listed if cid in english)


class _CardWriter:
    """A fake generator that writes a plausible card for the cold-chain case of tests/_documents.py, and one with no
    figure for any other case (so no gist sentence is dropped for stating a figure the case does not)."""

    def stream(self, messages, *, max_tokens, temperature=0.0):
        from tests import _documents as d

        prompt = messages[-1]["content"]
        if d.CASE_TITLE in prompt:
            yield "Title: Shared cold-chain consolidation warehouse\nGist: Importers declare once and collect in batches."
        else:
            yield "Title: Digital bill of lading for sea-rail transport\nGist: Bills move between carriers online."


def test_an_upload_gets_its_english_cards_while_the_queue_is_empty(copy_of_shipped_index, monkeypatch):
    """An official uploads a batch: once it is indexed, the configured generator writes its cases' English cards,
    the Documents list counts them, and an English answer about the new case shows its English title."""
    import io
    import time

    from assistant import answer, service
    from assistant.config import get_settings
    from assistant.llm import registry
    from tests import _documents as d
    from ui.documents import Library

    registry.register("cardwriter", _CardWriter)
    monkeypatch.setenv("FTZQA_HOME", str(copy_of_shipped_index("cards-upload")))
    monkeypatch.setenv("FTZQA_LLM__BACKEND", "cardwriter")
    monkeypatch.setenv("FTZQA_LLM__CARDS_BACKEND", "cardwriter")
    service.reset()
    try:
        library = Library(get_settings())
        accepted = library.submit("冷链.docx", io.BytesIO(d.docx_bytes()))
        deadline = time.monotonic() + 180
        row = library.document(accepted.name)
        while not (row and row.status == "ready" and row.cards_en == row.cases == 2):
            assert time.monotonic() < deadline, f"no English cards after upload: {row}"
            time.sleep(0.5)
            row = library.document(accepted.name)

        a = answer("How much did the shared cold-chain consolidation warehouse save importers?", backend="extractive")
        assert not a.refused and "4321" in a.text
        assert a.citations[0].case_title == d.CASE_TITLE
        assert a.citations[0].case_title_en == "Shared cold-chain consolidation warehouse"
    finally:
        monkeypatch.undo()
        service.reset()


def test_the_documents_list_says_when_english_cards_are_still_missing():
    from ui.documents import DocumentInfo
    from ui.render import document_status

    row = dict(name="a.docx", status="ready", cases=2, source="uploads", removable=True)
    assert document_status(DocumentInfo(**row, cards_en=1)).endswith("English cards 1/2")
    assert document_status(DocumentInfo(**row, cards_en=2)) == "就绪 / ready"


def test_a_document_whose_split_is_doubtful_says_so_and_the_shipped_ones_do_not(tmp_path):
    from assistant.config import IngestSettings
    from ingest.parse import parse_file
    from ingest.structure import doubt
    from ui.documents import DocumentInfo
    from ui.render import document_status

    # A long text with no case pattern any detector knows: read as one text, and the official is told to look.
    plain = tmp_path / "notes.txt"
    plain.write_text("\n".join(["星港片区推进通关便利化改革，企业办理时间大幅缩短，货物周转效率持续提升。" * 6] * 10),
                     encoding="utf-8")
    doc = parse_file(plain, plain.name, IngestSettings())
    assert doubt(doc.document.layout, doc.text).startswith("未识别出案例")
    row = dict(name="notes.txt", status="ready", cases=1, source="uploads", removable=True, cards_en=1)
    status = document_status(DocumentInfo(**row, check=doubt(doc.document.layout, doc.text)))
    assert status.startswith("就绪·请核对案例划分 / ready · check its cases")
    # Every layout with a rule of its own, and a short single case, raise no doubt.
    from pathlib import Path
    root = Path(__file__).parents[1]
    for path in sorted((root / "corpus").glob("*.txt")) + sorted((root / "evals/data").glob("newdocs_v*/docs/*")):
        parsed = parse_file(path, path.name, IngestSettings())
        assert doubt(parsed.document.layout, parsed.text) == "", path.name


def test_a_title_left_in_chinese_is_asked_for_again_and_mixed_titles_get_english(tmp_path):
    model = MockGenerator()
    model.enqueue("Title: 通关改革\nGist: Clearance fell from 48 to 6 hours.")
    model.enqueue("One-window customs reform")
    store = CardStore(tmp_path / "cards.json", shipped=tmp_path / "none.json")
    assert fill_cards([_case(1)], lambda c: TEXT, store, model, None, "mock") == (1, [])
    card = store.get(content_hash(_case(1), TEXT))
    assert card.title_en == "One-window customs reform" and len(model.calls) == 2
    # A title with a Chinese word in it keeps its English and gets that word from the dictionary or in pinyin.
    assert parse_card("Title: Shared保税 Fuel Supply\nGist: x", TEXT)[0] == "Shared bonded Fuel Supply"


def _plan(title: str, provider: str) -> Case:
    return Case(id="d#1", number=1, title=title, provider=provider, document_id="d", document_title="汇编",
                source_file="d.txt", start=0, end=10)


@pytest.mark.parametrize("english,want", [
    # a city the case never names is replaced by the title's own place …
    ("China (Shangqiu) Cross-Border E-commerce Zone Plan", "China (Jiaxing) Cross-Border E-commerce Zone Plan"),
    # … English words that happen to be pinyin-like, and names the case uses, stay
    ("Data Mode of the Jiaxing Zone", "Data Mode of the Jiaxing Zone"),
    ("Deduction Forms in Jiaxing", "Deduction Forms in Jiaxing"),
])
def test_a_card_never_names_a_city_the_case_does_not(english, want):
    case = _plan("中国（嘉兴）跨境电子商务综合试验区实施方案", "嘉兴市")
    assert checked_places(english, case, "嘉兴市将建设跨境电商园区，数据共享。") == want


def test_a_wrong_city_with_no_place_to_put_instead_is_dropped():
    case = _plan("跨境电商综合试验区实施方案", "")
    assert checked_places("The Shangqiu (Shangqiu) plan", case, "建设跨境电商园区。") == "The plan"
