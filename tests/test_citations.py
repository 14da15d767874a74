"""Citation post-processing without any LLM: markers parsed, checked, re-attached, renumbered."""

from __future__ import annotations

import pytest

from assistant.answers import citations
from assistant.models import Case, Chunk, Hit


def _hit(n: int, text: str, title: str = "案例") -> Hit:
    case = Case(id=f"doc#{n}", number=n, title=f"{title}{n}", provider="舟山片区", document_id="doc",
                document_title="文件", source_file="doc.txt", start=0, end=len(text))
    return Hit(chunk=Chunk(id=f"c{n}", case_id=case.id, text=text, start=0, end=len(text), section="一、背景"),
               case=case, score=1.0)


HITS = [
    _hit(1, "宁波舟山港2020年的货物吞吐量超过11.7亿吨，连续十二年位居世界第一。上海港逆势冲上4350万TEU新高峰。"),
    _hit(2, "钱塘区块将杭州综保区的进口退货商品监管能力由现在的每月5万件提升至30万件。"),
    _hit(3, "舟山片区出台了保税船用燃油供应驳船和仓储资源共建共享机制，提升了供油效率。"),
]


@pytest.mark.parametrize("text,expected", [
    ("吞吐量超过11.7亿吨[1]。", [1]),
    ("见[1,3]。", [1, 3]),
    ("见[1, 3]。", [1, 3]),
    ("见[1][2]。", [1, 2]),
    ("见【2】。", [2]),
    ("见［2］。", [2]),
    ("see [^1].", [1]),
    ("见[1-3]。", [1, 2, 3]),
    ("见[1、2]。", [1, 2]),
    ("no markers here", []),
])
def test_parse_markers(text, expected):
    assert citations.parse_markers(text) == expected


def _render(text: str):
    checked, unsupported = citations.check(text, HITS)
    out, cites = citations.render(checked, HITS)
    return out, cites, unsupported


def test_renumbered_in_order_of_first_use():
    out, cites, _ = _render("监管能力提升至每月30万件[2]。宁波舟山港货物吞吐量超过11.7亿吨[1]。")
    assert out == "监管能力提升至每月30万件[1]。宁波舟山港货物吞吐量超过11.7亿吨[2]。"
    assert [c.case_id for c in cites] == ["doc#2", "doc#1"]
    assert [c.n for c in cites] == [1, 2]


@pytest.mark.parametrize("marker", ["[7]", "[0]", "[99]"])
def test_out_of_range_marker_dropped_and_reattached(marker):
    out, cites, _ = _render(f"宁波舟山港2020年的货物吞吐量超过11.7亿吨{marker}。")
    assert out == "宁波舟山港2020年的货物吞吐量超过11.7亿吨[1]。"
    assert cites[0].case_id == "doc#1"


def test_marker_after_full_stop_belongs_to_that_sentence():
    out, cites, _ = _render("宁波舟山港2020年的货物吞吐量超过11.7亿吨。[1]监管能力提升至每月30万件。[2]")
    assert out == "宁波舟山港2020年的货物吞吐量超过11.7亿吨[1]。监管能力提升至每月30万件[2]。"


def test_wrong_marker_moved_to_supporting_passage():
    out, cites, _ = _render("进口退货商品监管能力由每月5万件提升至30万件[1]。")
    assert cites[0].case_id == "doc#2" and out.endswith("[1]。")


def test_missing_marker_attached():
    out, cites, _ = _render("舟山片区建立了保税船用燃油供应驳船和仓储资源共建共享机制。")
    assert cites and cites[0].case_id == "doc#3" and "[1]" in out


def test_quote_is_verbatim_span_of_chunk():
    _, cites, _ = _render("上海港冲上4350万TEU新高峰[1]。")
    assert cites[0].quote in HITS[0].chunk.text
    assert "4350" in cites[0].quote


def test_invented_figure_is_dropped_not_cited():
    out, cites, unsupported = _render("宁波舟山港2020年的货物吞吐量超过15.2亿吨[1]。监管能力提升至每月30万件[2]。")
    assert "15.2" not in out and unsupported == 1
    assert [c.case_id for c in cites] == ["doc#2"]


def test_unsupported_sentence_loses_marker():
    out, cites, unsupported = _render("这项改革得到了联合国的高度评价[1]。")
    assert "[1]" not in out and not cites and unsupported == 1


def test_english_sentence_supported_via_glossary_and_chinese_names():
    out, cites, _ = _render("舟山片区 (Zhoushan Area) set up shared barges and storage for bonded marine fuel [3].")
    assert cites and cites[0].case_id == "doc#3"


def test_framing_line_needs_no_citation():
    out, cites, unsupported = _render("According to the documents:\n宁波舟山港2020年的货物吞吐量超过11.7亿吨[1]。")
    assert unsupported == 0 and out.startswith("According to the documents:\n")


@pytest.mark.parametrize("sentence,passage,supported", [
    ("Hainan plans to issue up to 50 billion yuan of offshore RMB local government bonds [1].",
     "海南省计划发行不超过50亿元离岸人民币地方政府债券。", False),  # 50亿 is 5 billion
    ("Hainan plans to issue up to 5 billion yuan of offshore RMB local government bonds [1].",
     "海南省计划发行不超过50亿元离岸人民币地方政府债券。", True),
    ("It saved importers 43.21 million yuan [1].", "共享仓运行一年，为进口企业节约成本4321万元。", True),
    ("Fees of 1.23 billion yuan were waived [1].", "累计免收企业交易费、场地使用费1.23亿元。", False),
])
def test_an_amount_at_another_magnitude_is_unsupported(sentence, passage, supported):
    assert (citations.support(sentence, passage) > 0) is supported
