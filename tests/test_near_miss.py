"""Near-miss questions: real cases, unstated facts. The official must get "the documents don't say"
(and what they don't say), while the answerable sibling question still gets its figure."""

from __future__ import annotations

import pytest

from assistant import answer, retrieve
from assistant.ground.attributes import stated
from assistant.query.analyse import asked, counted


@pytest.fixture(autouse=True)
def _index(shipped_index):
    yield


# ------------------------------------------------------------------ near miss vs answerable sibling
@pytest.mark.parametrize("unstated, missing, answerable, figure", [
    # Hainan's bond: the size and tenors are given, the coupon rate is not.
    ("海南首笔蓝色离岸人民币债券最终的票面利率是多少？", "票面利率",
     "2020年舟山完成的保税油供应量是多少？", "472.39万吨"),
    # Zhoushan's fuel supply is given for 2020; 2021 only appears in the collection's title.
    ("舟山2021年全年的保税油供应量是多少？", "2021",
     "舟山2020年完成保税油供应量多少万吨？", "472.39万吨"),
])
def test_chinese_near_miss_is_refused_naming_what_is_missing(unstated, missing, answerable, figure):
    refused = answer(unstated)
    assert refused.refused and not refused.citations
    assert refused.text.startswith("资料中未找到") and f"未提及：{missing}" in refused.text
    assert refused.closest_cases  # the official still sees where to look
    given = answer(answerable)
    assert not given.refused and figure in given.text


def test_a_plan_that_names_the_thing_but_gives_no_figure():
    # 002's notice title names all five cities; the 衢州 plan talks of 海外仓 but sets no number for them.
    a = answer("衢州跨境电商综试区计划到2022年建成多少个公共海外仓？")
    assert a.refused and "未给出具体数字：海外仓" in a.text
    assert a.closest_cases[0].title == "中国（衢州）跨境电子商务综合试验区实施方案"


def test_english_near_miss_and_its_answerable_sibling():
    refused = answer("How many employees does Ningbo Fuli Logistics have?")
    assert refused.refused and refused.text.startswith("The documents do not cover")
    assert "employees" in refused.text
    given = answer("By the end of May 2023, how much in trading and venue fees had Xixian New Area waived for "
                   "businesses in its public resource trading reform?")
    assert not given.refused and given.citations[0].case_id == "003_44b0ec56baa3ca9a#7"


@pytest.mark.parametrize("later_batch", ["浙江自贸试验区第二批制度创新十佳案例有哪些？",
                                         "浙江自贸试验区制度创新十佳案例（2021年第二批）包括哪些案例？"])
def test_a_later_batch_than_the_corpus_has_is_refused_not_listed(later_batch):
    later = answer(later_batch)
    assert later.refused and "第二批" in later.text
    first = answer("浙江自贸试验区2021年第一批制度创新十佳案例有哪些？")
    assert first.route == "catalog" and len(first.citations) == 10


def test_off_topic_question_naming_a_real_place_is_refused():
    # 北京 is in the corpus; nothing else of the question is, and it means nothing like any passage.
    assert answer("What's the weather forecast for Beijing this weekend?").refused
    # A terse English question the glossary only half knows is still answered.
    a = answer("What did Beijing's overseas professional qualification recognition mechanism involve?")
    assert not a.refused and a.citations[0].case_title == "建立境外职业资格清单与过往资历认可机制"


def test_which_of_the_plans_asks_for_one_plan_not_the_list():
    a = answer("Which of the five city plans mentions end-to-end tracking of special goods?")
    assert a.route == "rag" and len({c.case_id for c in a.citations}) == 1


# ------------------------------------------------------------------ retrieval: coverage rerank
def test_the_case_containing_the_whole_question_ranks_first():
    # Fusion alone put the FX-hedging case (汇保通) first; the urea-hedging case contains every concept.
    hits = retrieve("Since the urea reserve hedging pilot began in 2021, how many storage companies and how much "
                    "urea has it helped hedge?")
    assert hits[0].case.id == "003_44b0ec56baa3ca9a#18"


# ------------------------------------------------------------------ attribute detection
@pytest.mark.parametrize("question, language, expected", [
    ("海南首笔蓝色离岸人民币债券最终的票面利率是多少？", "zh", ["票面利率"]),  # not 利率 as well
    ("宁波海事局开发该机制一共投入了多少资金？", "zh", ["资金"]),
    ("What average interest rate did companies pay?", "en", ["平均", "利率"]),
    ("How much did it cost to develop the truck?", "en", ["研发成本"]),
    # "climate investment" names a Qingdao pilot; nobody asked about investment.
    ("For the Qingdao Area's climate investment-and-financing pilot, how many projects were screened?", "en", []),
    ("宁波舟山港2020年货物吞吐量是多少？", "zh", []),
])
def test_asked_attributes(question, language, expected):
    assert sorted(a.chinese for a in asked(question, language)) == sorted(expected)


@pytest.mark.parametrize("question, expected", [
    ("衢州跨境电商综试区计划到2022年建成多少个公共海外仓？", ["海外仓"]),
    ("2020年义乌平台全年开行了多少列班列、发运多少标箱？", ["班列"]),
    ("监管能力从每月多少件提升到了多少件？", []),  # a verb phrase follows, not a counted noun
])
def test_counted_nouns(question, expected):
    assert [a.chinese for a in counted(question, "zh")] == expected


@pytest.mark.parametrize("sentence, with_figure, expected", [
    ("人力成本降低50%以上。", True, True),
    ("利用国内相对低廉的人工和仓储成本，针对1210保税出口模式。", True, False),  # 1210 is a customs regime
    ("构建一个全球库存集中管理的枢纽，大幅度地节约运营成本。", True, False),  # 一个 is an article
    ("2018年1月实现同仓发货，降低了成本。", True, False),  # a date says when, not how much
    ("大幅降低管理和资金成本。", False, True),
])
def test_cost_stated_with_a_figure(sentence, with_figure, expected):
    cost = next(a for a in asked("How much did it cost?", "en") if a.chinese == "成本")
    assert stated(cost, sentence, with_figure) is expected


# ------------------------------------------------------------------ what the question word asks about
@pytest.mark.parametrize("unstated, answerable, figure", [
    # The route's case gives freight per container, not what a driver earns: 司机 is what is asked.
    ("开封到连云港的专线，司机跑一趟能挣多少钱？", "开通专线后，每个集装箱的运费降到了多少？", "3850"),
    # The plan's targets have years; nothing says when the State Council approved the zone (批复设立).
    ("湖州跨境电商综试区是哪一年经国务院批复设立的？", "湖州跨境电商综试区力争到2022年实现跨境电子商务交易额多少？", "500亿元"),
])
def test_the_words_next_to_the_question_word_must_be_stated(unstated, answerable, figure):
    assert answer(unstated).refused
    given = answer(answerable)
    assert not given.refused and figure in given.text


def test_a_lookup_place_must_be_in_the_case_that_answers():
    # Guangzhou's patent-agency case; 深圳 is only in another retrieved case.
    a = answer("How many foreign patent agencies have set up representative offices in Shenzhen?")
    assert a.refused and "Shenzhen" in a.text
    given = answer("How many foreign patent agencies have set up representative offices in Guangzhou?")
    assert not given.refused and given.citations[0].case_title == "创新开展专利代理对外开放试点"


def test_a_price_per_hour_is_money_not_time():
    # "charge … per core-hour" asks for a price; the supercomputing case states none.
    a = answer("How much does Guangzhou Supercomputing charge Hong Kong teams per core-hour on Tianhe-2?")
    assert a.refused and "charge" in a.text


def test_a_plan_target_does_not_answer_what_actually_happened():
    # The Jiaxing plan sets a growth target for 2020 (不低于30%); nothing says what growth was achieved.
    assert answer("嘉兴跨境电商综试区2020年跨境网络零售出口实际增长了多少？").refused
    given = answer("嘉兴综试区方案对2020年跨境网络零售出口增速提出的目标是多少？")
    assert not given.refused and "30%" in given.text


# ------------------------------------------------------------------ what the sentence is about, not just its words
def test_what_the_question_sets_aside_is_no_answer():
    # The Yantai case counts cars transshipped abroad; the port's own exports are not given.
    set_aside = answer("烟台港2022年的商品车，除了国际转运以外出口了多少辆？")
    assert set_aside.refused and "排除" in set_aside.text
    given = answer("烟台港2022年国际转运了多少辆商品车？")
    assert not given.refused and "14 万辆" in given.text


def test_a_running_total_does_not_answer_one_year_alone():
    alone = answer("How many China-Europe trains did Xiamen run in 2022 alone?")
    assert alone.refused and "running total" in alone.text
    given = answer("By the end of 2022, how many China-Europe trains had Xiamen run in total?")
    assert not given.refused and "1208" in given.text
    # No year named: the refusal says "one period", not a placeholder year ("—年当年").
    for question, said in (("How many China-Europe trains did Xiamen run in a single year?", "one period alone"),
                           ("厦门的中欧班列单年开行了多少列？", "不是单个时期的数字")):
        unnamed = answer(question)
        assert unnamed.refused and said in unnamed.text and "—" not in unnamed.text


def test_a_place_the_case_names_in_passing_does_not_own_its_figure():
    # The Lishui plan lists 遂昌's cluster among five; its target of 300 firms is Lishui's, not 遂昌's.
    passing = answer("丽水方案提到的遂昌家居休闲产业跨境电商集聚区，要培育多少家企业？")
    assert passing.refused and "顺带提到遂昌" in passing.text
    given = answer("丽水跨境电商综试区方案提出累计培育多少家跨境电商企业？")
    assert not given.refused and "300" in given.text


def test_a_count_in_its_own_measure_word():
    # 车次 is counted nowhere in the Kaifeng case; its 300 firms are not trips.
    assert answer("开封到连云港的高速快运专线一年跑多少车次？").refused
    given = answer("开封—连云港高速快运专线服务了多少家河南企业？")
    assert not given.refused and "300" in given.text


def test_two_things_named_by_their_own_names_are_compared_side_by_side():
    a = answer("厦门的中欧班列和成渝的中欧班列，一共各开行了多少列？")
    assert not a.refused and "1208" in a.text and "2.2 万" in a.text
    assert {c.case_id for c in a.citations} >= {"003_44b0ec56baa3ca9a#2", "004_db19b12f0daba2d6#15"}


def test_a_summary_asked_with_its_key_numbers_quotes_the_results():
    a = answer("简单介绍一下青岛把碳评纳入环评的做法，带上几个关键数字。")
    assert not a.refused and "500" in a.text and "47%" in a.text
