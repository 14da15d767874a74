"""The question stage as tables: each rule of query/ with rows where it must fire and rows where it must not."""

from __future__ import annotations

import pytest

from assistant.models import Case
from assistant.query import asks, followup, route
from assistant.query.analyse import build_query


def _case(n: int, title: str, provider: str = "") -> Case:
    return Case(id=f"doc#{n}", number=n, title=title, provider=provider or None, document_id="doc",
                document_title="文件", source_file="doc.txt", start=0, end=1)


CASES = [_case(1, "内陆地区货物出海物流一体化协作新模式", "河南自贸试验区"), _case(2, "“全球中心仓”", "杭州片区")]


# ---------------------------------------------------------------- clauses: one ask per asking clause

@pytest.mark.parametrize("question,language,expected", [
    ("一单申报现在几分钟能搞定？以前要多长时间？", "zh", 2),
    ("开通专线后，每个集装箱的运费降到了多少？", "zh", 1),  # context joins its asking clause
    ("2020年义乌平台开行了多少列班列、发运多少标箱？", "zh", 2),
    ("什么是全球中心仓", "zh", 1),
    ("What is the freight per container now, and what was it on the old route?", "en", 2),
    ("Since the mechanism was introduced, how much have companies saved?", "en", 1),  # "was" mid-clause asks nothing
    ("How many trains did it run and how many TEU did it ship?", "en", 2),
    ("Describe the bonded fuel reform.", "en", 1),
])
def test_clauses(question, language, expected):
    assert len(asks.clauses(question, language)) == expected


# ---------------------------------------------------------------- what kind of answer

@pytest.mark.parametrize("clause,language,kind", [
    ("每个集装箱的运费降到了多少", "zh", "money"),
    ("通关时间缩短了多少", "zh", "time"),
    ("一单申报现在几分钟能搞定", "zh", "time"),
    ("发运多少标箱", "zh", "quantity"),
    ("How much did the block raise monthly supervision capacity", "en", "figure"),  # 件 as often as 吨
    ("开行了多少列班列", "zh", "count"),
    ("同比增长了多少", "zh", "percent"),
    ("负责人叫什么名字", "zh", "person"),
    ("上海仲裁委员会现任主任是谁", "zh", "person"),
    ("参与合作的13家银行具体是哪几家", "zh", "name"),
    ("什么时候通过备案", "zh", "date"),
    ("如何降低企业成本", "zh", "text"),  # 成本 as a topic, no figure asked
    ("钱塘区块提升到了多少件", "zh", "count"),  # 钱塘 is a place, not money
    ("跨境个性化包装商品货值多少", "zh", "money"),  # a value in 元, not a weight
    ("how much have shipping companies saved", "en", "money"),
    ("how long does the trip take now", "en", "time"),
    ("how many trains did it run", "en", "count"),
    ("by what percentage were approval steps cut", "en", "percent"),
    ("which bank built the platform", "en", "name"),
    ("who is the head of Ningbo Fuli Logistics", "en", "person"),
    ("who provided the case", "en", "name"),  # not a person: a provider line answers it
    ("when did the pilot start", "en", "date"),
    ("how does the remote inspection work", "en", "text"),
    ("what was it on the old route", "en", "figure"),
    ("what was the road distance on the old route", "en", "quantity"),
    ("which laptop brands send their products to the repair centre", "en", "name"),
    ("跨境专线带宽有多大", "zh", "figure"),  # 多大 asks an amount, though no unit says which
    ("贵阳和厦门的跨境电商增速，谁更快", "zh", "percent"),  # "who is faster" compares growth, asks no name
    ("这个案例是谁提供的", "zh", "name"),
    ("委托协助执行一般几个工作日内办完", "zh", "time"),
    ("综合物流成本每吨降低了多少", "zh", "money"),  # 降低了多少 of a cost asks money, not a rate
    ("出口额比上年增长了多少", "zh", "percent"),
    ("How many Chang'an freight trains ran in 2022", "en", "count"),  # freight trains are counted, not paid
    ("how many yuan did each container save", "en", "money"),
])
def test_kind_of(clause, language, kind):
    assert asks.kind_of(clause, language) == kind


@pytest.mark.parametrize("clause,language,elliptic,kind", [
    ("那运费呢", "zh", True, "money"),  # the noun alone says the kind when the question is borrowed
    ("那运费呢", "zh", False, "text"),
])
def test_elliptic_clause_takes_its_kind_from_the_noun(clause, language, elliptic, kind):
    assert asks.kind_of(clause, language, elliptic) == kind


# ---------------------------------------------------------------- before / after, from what to what

@pytest.mark.parametrize("clause,language,relation", [
    ("现在跑一趟要几个小时", "zh", "after"),
    ("以前要多长时间", "zh", "before"),
    ("运费降到了多少", "zh", "after"),
    ("节省了多少成本", "zh", "change"),
    ("同比增长了多少", "zh", "change"),
    ("what is the freight per container now", "en", "after"),
    ("what was it on the old route", "en", "before"),
    ("how much did the New Area waive", "en", ""),  # "New Area" is a name, not "after"
    ("by how much was the time cut", "en", "change"),
    ("and what is it on the new express line", "en", "after"),
    ("how many new companies registered", "en", ""),  # new things, not the time after a change
])
def test_relation_of(clause, language, relation):
    assert asks.relation_of(clause, language) == relation


@pytest.mark.parametrize("clause,language,yes", [
    ("监管能力从每月多少件提升到了多少件", "zh", True),
    ("由多少天缩短为多少天", "zh", True),
    ("提升到了多少件", "zh", False),
    ("from what to what did the fare fall", "en", True),
    ("what is the fare now", "en", False),
])
def test_from_to(clause, language, yes):
    assert asks.from_to(clause, language) is yes


@pytest.mark.parametrize("clause,language,units", [
    ("开行了多少列班列", "zh", ["列"]),
    ("现在跑一趟要几个小时", "zh", ["小时"]),
    ("节约了多少成本", "zh", []),
    ("how many days earlier", "en", ["天", "日", "工作日"]),
    ("how many overseas arbitrators", "en", ["名", "位"]),
    ("how many exporters", "en", ["家", "户"]),  # 1278户出口企业
    ("how much did it save", "en", []),
])
def test_units_of(clause, language, units):
    assert asks.units_of(clause, language) == units


# ---------------------------------------------------------------- intent: a list only when a list is asked for

@pytest.mark.parametrize("question,language,intent", [
    ("列出四川自贸试验区提供的所有案例", "zh", "list"),
    ("重庆提供了哪些案例？", "zh", "list"),
    ("Which cases did Chongqing provide?", "en", "list"),
    ("Which of the service-trade best-practice cases were provided by Shanghai?", "en", "list"),
    ("舟山片区有哪些做法提升了供油效率？", "zh", "summary"),  # practices, not a list of cases
    ("What results did the bonded fuel practices in Zhoushan achieve?", "en", "summary"),
    ("哪个片区提供了“全球中心仓”案例？", "zh", "provider"),
    ("Which area submitted the intellectual property case?", "en", "provider"),
    ("衢州和丽水的方案对交易额增速分别提了多少？", "zh", "compare"),
    ("宁波舟山港2020年的货物吞吐量是多少？", "zh", "lookup"),
    ("Which of the five city plans mentions Longquan swords?", "en", "lookup"),  # one of them, not the list
    ("嘉兴方案提出要培育多少个自主品牌？", "zh", "lookup"),  # counts brands, not plans
    ("案例里，四川报了哪几个？", "zh", "list"),
    ("How many commercial mediation cases were accepted in 2022?", "en", "lookup"),  # a court's cases, not ours
    ("How much does each TEU save in transshipment fees?", "en", "lookup"),  # per unit, not two sides
    ("How many cross-border e-commerce industrial parks do the Taizhou and Lishui plans each target?", "en", "compare"),
    ("义乌平台去年开行的班列，跟乌鲁木齐的比，哪个多？", "zh", "compare"),
    ("宁波直播平台的销售货值和青岛的差多少？各是多少？", "zh", "compare"),
    ("和上年相比，进口货值增长了多少？", "zh", "lookup"),  # one case's change, not two sides
    ("“不见面”开标和“全随机评标”，各自做了多少个项目？", "zh", "compare"),
    ("How long does tallying a pallet take now, versus before?", "en", "lookup"),  # before and after, one case
    ("List the reforms from the Liangjiang Area in the Chongqing digest.", "en", "list"),
    ("How many of the professionals served came from the United States?", "en", "lookup"),  # counts, names no provider
    ("离岸贸易那篇，是哪几个城市提供的材料？", "zh", "provider"),  # 哪几个 asks which, not how many
    ("这个案例有几个城市参与提供？", "zh", "lookup"),
    ("Which reforms cut the clearance time in Liangjiang?", "en", "lookup"),  # a topic, not a list
])
def test_intent(question, language, intent):
    assert route.intent_of(question, language) == intent


# ---------------------------------------------------------------- follow-ups

@pytest.mark.parametrize("question,language,yes", [
    ("它的成效呢？", "zh", True),
    ("那运费呢？", "zh", True),
    ("And how long does the trip take now?", "en", True),
    ("What about the second one?", "en", True),
    ("宁波舟山港2020年的货物吞吐量是多少？", "zh", False),
    ("Which bank built the Foreign Exchange Butler platform?", "en", False),
])
def test_is_follow_up(question, language, yes):
    assert followup.is_follow_up(question, language) is yes


HISTORY = [{"role": "user", "content": "开封到连云港的专线每个集装箱运费是多少？"},
           {"role": "assistant", "content": "《内陆地区货物出海物流一体化协作新模式》：每个集装箱运费降至3850元[1]。"}]


def test_follow_up_carries_the_case_and_the_time_shift_borrows_the_previous_asks():
    query = build_query("那现在跑一趟要几个小时？以前呢？", "zh", HISTORY, CASES)
    assert query.follow_up and query.carried_cases == ["doc#1"]
    assert [(a.wants, a.relation) for a in query.asks] == [("time", "after"), ("time", "before")]


def test_a_quote_nested_in_a_quoted_name_is_not_required_as_written():
    from assistant.query.analyse import quoted_names
    assert quoted_names("“汉江船舶过闸‘水上ETC’预约调度”这一案例是哪个片区供稿的？") == ["汉江船舶过闸", "水上ETC", "预约调度"]
    assert quoted_names("“全球中心仓”是哪个片区的？") == ["全球中心仓"]
    assert quoted_names('What is the "single bill" scheme?') == []


@pytest.mark.parametrize("question,language,own", [
    ("那它到2025年底的交易额目标是多少？", "zh", True),
    ("And how long does the trip take now?", "en", True),
    ("那四川的呢？", "zh", False),
    ("What about Sichuan?", "en", False),
])
def test_a_follow_up_with_its_own_question_word_keeps_its_own_intent(question, language, own):
    assert asks.asks_own_question(question, language) is own


def test_elliptic_follow_up_takes_the_kind_from_its_noun():
    query = build_query("那运费呢？", "zh", [{"role": "user", "content": "现在跑一趟要几个小时？"},
                                          {"role": "assistant", "content": "7小时"}], CASES)
    assert query.follow_up and [a.wants for a in query.asks] == ["money"]


def test_a_question_that_names_its_subject_is_not_a_follow_up():
    query = build_query("“全球中心仓”节省了多少成本？", "zh", HISTORY, CASES)
    assert not query.follow_up and not query.carried_cases


def test_the_clause_that_says_each_is_asked_of_each_side():
    query = build_query("义乌平台2020年开行的班列，跟乌鲁木齐2022年的比，哪个多？各是多少列？", "zh", None, CASES)
    assert sorted(a.side for a in query.asks if a.side) == ["义乌", "乌鲁木齐"]
    assert any(not a.side for a in query.asks)  # "哪个多" stays one ask


def test_a_comparison_of_time_savings_asks_a_time_of_each_side():
    query = build_query("Compare the time savings of the Zhoushan and Ningbo cases.", "en", None, CASES)
    assert query.intent == "compare" and {a.wants for a in query.asks} == {"time"}


def test_two_programmes_in_quotes_are_the_sides_when_no_two_places_are():
    query = build_query("西咸新区“不见面”开标和烟台“全随机评标”，各自做了多少个项目？", "zh", None, CASES)
    assert sorted(a.side for a in query.asks) == ["不见面", "全随机评标"]


def test_comparison_gives_one_ask_per_side_without_the_other_side():
    query = build_query("衢州和丽水的方案，对交易额年均增速各提了多少？", "zh", None, CASES)
    sides = sorted(a.side for a in query.asks)
    assert sides == ["丽水", "衢州"]
    for ask in query.asks:
        other = "衢州" if ask.side == "丽水" else "丽水"
        assert not any(other in group for group in ask.terms)


def test_two_kinds_in_one_clause_are_two_asks():
    query = build_query("它具体帮企业节省了多少时间和成本？", "zh", HISTORY, CASES)
    assert [a.wants for a in query.asks] == ["time", "money"]


@pytest.mark.parametrize("question,counted", [
    ("宁波片区建成了多少个公共海外仓？", ["海外仓"]),
    # the courts are part of a date question's subject, not what it counts
    ("毗邻省区几家中院的审判协作框架协议是哪天签的？", []),
])
def test_a_noun_is_counted_only_when_a_clause_asks_how_many(question, counted):
    assert [a.phrase for a in build_query(question, "zh", None, CASES).counted] == counted


def test_a_question_naming_only_years_is_still_a_follow_up():
    query = build_query("What targets are set for 2025 and 2027?", "en", HISTORY, CASES)
    assert query.follow_up and query.years == ["2025", "2027"]


def test_a_year_repeated_in_every_clause_gives_one_ask_per_clause():
    # A pasted page repeating "2020年…？" once made one ask per clause per repetition (10,000 asks, 45 s).
    query = build_query("宁波舟山港2020年的货物吞吐量是多少？" * 50, "zh", None, CASES)
    assert query.years == ["2020"] and len(query.asks) == 50


@pytest.mark.parametrize("piece,focus", [
    ("每吨运费是多少", "每吨运费是多少"),  # only the question word follows 是: what is asked stands before it
    ("湖州综试区是哪一年经国务院批复设立的", "哪一年经国务院批复设立的"),  # before 是 is the topic
    ("企业数量是多少家", "企业数量是多少家"),
])
def test_the_focus_is_the_part_of_the_clause_that_asks(piece, focus):
    assert asks.clauses(piece, "zh")[0][1] == focus


def test_an_apostrophe_name_keeps_its_syllables():
    # "an" of Chang'an / Xi'an is no article: dropping it turned 长安 into 昌江.
    assert "Chang'an" in asks.content_of("How many Chang'an trains ran", "en")
    assert "Xi'an" in asks.content_of("What did Xi'an achieve", "en")


@pytest.mark.parametrize("question,language,left", [
    ("简单介绍一下烟台片区商品车国际转运新模式，带上几个关键数字。", "zh", "简单介绍一下烟台片区商品车国际转运新模式。"),
    ("Give me a short rundown of the carbon assessment reform, with the key numbers.", "en",
     "Give me a short rundown of the carbon assessment reform."),
    ("这个项目的关键数据是多少？", "zh", "这个项目的关键数据是多少？"),  # asks a figure of its own
    ("How many figures did the report publish?", "en", "How many figures did the report publish?"),
])
def test_a_request_to_quote_figures_is_not_an_ask_of_its_own(question, language, left):
    assert asks.without_figure_request(question, language) == left


def test_a_summary_with_key_numbers_stays_a_summary():
    query = build_query("简单介绍一下内陆地区货物出海物流一体化协作新模式，带上几个关键数字。", "zh", None, CASES)
    assert query.intent == "summary" and all(a.wants == "text" for a in query.asks)
    assert route.intent_of("Can you give me a rundown of the Kaifeng route?", "en") == "summary"
    assert route.intent_of("Could you sum up the Kaifeng route case?", "en") == "summary"


@pytest.mark.parametrize("question,language,aside", [
    ("烟台片区2022年商品车自己出口（不算国际转运）有多少辆？", "zh", "国际转运"),
    ("不包括进口的部分是多少？", "zh", "进口"),
    ("How many cars did the port export, excluding transshipment?", "en", "transshipment"),
    ("烟台片区2022年国际转运商品车有多少辆？", "zh", ""),
    ("How many cars were shipped, including transshipment?", "en", ""),
])
def test_what_a_question_sets_aside(question, language, aside):
    assert asks.set_aside(question, language) == aside


@pytest.mark.parametrize("question,language,one", [
    ("How many trains did Xiamen run in 2022 alone?", "en", True),
    ("仅2022年开行了多少列？", "zh", True),
    ("2022年当年开行了多少列？", "zh", True),
    ("How many trains had Xiamen run by the end of 2022?", "en", False),
    ("2022年开行了多少列？", "zh", False),
])
def test_a_question_asking_one_period_only(question, language, one):
    assert build_query(question, language, None, CASES).one_period is one


@pytest.mark.parametrize("question,collection", [
    ("山东简报中哪个案例涉及铁矿石保税混配？", ["山东"]),  # the bulletin is Shandong's; its cases need not say so
    ("广东汇编里“跨境通办”是哪个片区供稿的？", ["广东"]),
    ("山东的铁矿石保税混配做到了多少万吨？", []),  # the place of the case itself
])
def test_a_place_that_names_the_collection(question, collection):
    assert build_query(question, "zh", None, CASES).collection_places == collection
