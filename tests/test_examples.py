"""The chat's example questions come from the documents loaded now, not from the shipped files."""

from assistant.models import Case, CaseCard
from ui.examples import examples


def _case(doc: str, n: int, title: str, provider: str | None) -> Case:
    return Case(id=f"{doc}#{n}", number=n, title=title, provider=provider, document_id=doc,
                document_title=f"{doc} 汇编", source_file=f"{doc}.docx", start=0, end=1)


def test_examples_name_loaded_cases_and_providers():
    cases = [_case("a", 1, "船边直提作业模式", "钦州港片区"), _case("a", 2, "跨境结算一件事", "南宁片区"),
             _case("a", 3, "水果冷链直通", "钦州港片区"), _case("b", 1, "数字口岸一码通", "海口市"),
             _case("b", 2, "保税维修新模式", "海口市")]
    cards = {"b#1": CaseCard(case_id="b#1", content_sha="x", title_en="Digital Port One-Code Pass")}
    out = examples(cases, cards)
    assert "哪个单位提供了《船边直提作业模式》案例？" in out
    assert "列出钦州港片区提供的所有案例" in out  # the provider with the most cases
    assert "《数字口岸一码通》取得了哪些成效？" in out  # another document's case
    assert "What did the case “Digital Port One-Code Pass” achieve?" in out
    assert len(out) <= 5 and len(set(out)) == len(out)


def test_no_examples_without_cases_and_no_headlines_as_buttons():
    assert examples([], {}) == []
    preamble = _case("a", 0, "前言", None).model_copy(update={"kind": "preamble"})
    headline = _case("a", 1, "工信部首批开展产业链供应链生态体系建设试点城市名单出炉 浙江自贸区杭州片区入选", "杭州片区")
    assert examples([preamble, headline], {}) == []
