"""What kind of question it is: a catalog listing, a comparison, a question about who provided a case."""

from __future__ import annotations

import re

# A list is asked for when the question wants the cases themselves: "哪些案例", "列出…方案", "how many cases".
# "哪些做法提升了效率" and "what results did the practices achieve" ask about practices, not for a list.
# The list word must bear on the cases: "嘉兴方案…培育多少个自主品牌" counts brands, not plans.
_UNIT_ZH = r"(?:案例|方案|新闻|条目)"
_HOW_MANY_ZH = r"(?:哪几个|哪些|几个|多少个|多少项|多少条)"
_LIST_ZH = re.compile(rf"(?:列出|列举|所有|全部|{_HOW_MANY_ZH}|共有|一共)[^，,。？?；;]{{0,12}}{_UNIT_ZH}"
                      rf"|{_UNIT_ZH}[^，,。？?；;]{{0,6}}(?:有哪些|包括哪些|包括|清单|目录|列表)"
                      rf"|{_UNIT_ZH}.*{_HOW_MANY_ZH}(?:呢)?[？?]?\s*$")  # "案例里，X报了哪几个？"
_LIST_EN = re.compile(r"\b(list|all|which|what|how many|enumerate|name)\b(?:\s+[\w'’-]+){0,6}?\s+(cases|plans|examples)\b"
                      # "List the reforms from the Liangjiang Area": with a list verb, a collection's items by another name
                      r"|\b(?:list|enumerate)\b(?:\s+[\w'’-]+){0,3}?\s+(?:reforms|innovations|initiatives|items)\b", re.I)
# "How many commercial mediation cases were accepted", "typical environmental cases released at the conference": cases
# a court or a mediation centre handles, which the documents count — not the documents' own cases.
_HANDLED_CASES_EN = re.compile(r"\b(?:mediation|dispute|court|legal|lawsuit|criminal|civil|commercial|judicial|trial|"
                               r"arbitration|infringement|litigation|environmental)\s+cases\b|\bcases\b[^?]{0,40}\b(?:"
                               r"accepted|handled|heard|filed|mediated|resolved|concluded|tried|settled|closed|released|"
                               r"received|investigated|prosecuted)\b", re.I)

# "是哪些城市提供的" asks for the provider of one case, not for a list of cases.
_ASKS_WHO_ZH = re.compile(r"(哪些|哪个|哪几个|哪)(城市|片区|地区|省份?|自贸试验区|单位|部门)")
_ASKS_WHO_EN = re.compile(r"\b(which|what)\s+(cities|city|areas?|zones?|provinces?|regions?)\b.*\b(provided?|submitted|behind)\b", re.I)

# "Which of the five city plans mentions X?" asks for one of them, not for the list.
_ONE_OF_EN = re.compile(r"\bwhich (?:one )?of (?:the|these|its)\b[^?]*?\b(?:mentions|is|has|does|provides|covers|describes|"
                        r"sets|targets|focuses|deals|aims|talks|proposes|calls)\b", re.I)

_COMPARES = re.compile(r"比较|对比|区别|异同|分别|各自|两个|两者|两项|前者|后者|各是|各为|各有|"
                       # "A…，跟B…比，哪个多？各是多少？" ("和上年相比增长了多少" is one case's change: not here)
                       r"哪个(?:多|少|大|小|高|低|长|短|快|慢|更)|"
                       r"compare|comparison|difference|differ|versus(?! (?:before|previously|earlier|in the past|now))|"
                       r"\bvs\b(?!\.? (?:before|previously|earlier|now))|\bboth\b|\bformer\b|\blatter\b|\brespectively\b"
                       # "the Taizhou and Lishui plans each target": two sides; "each TEU saves" is per unit
                       r"|\band\b.*\beach\b", re.I)

_ASKS_PROVIDER_ZH = re.compile(r"(哪个|哪家|哪一个|哪些|哪|谁)(个)?(片区|城市|地方|省份?|自贸试验区|单位|地区)?.{0,8}(提供|报送|推荐|来自)|由(哪|谁)")
_ASKS_PROVIDER_EN = re.compile(r"\b(which|what)\s+(area|city|zone|province|ftz|region|locality|sub-zone)\b|"
                               r"\bwho\b.*\b(provided|submitted|contributed|proposed)\b|\bprovided by\b|\bcame from\b", re.I)


_SUMMARY_ZH = re.compile(r"怎么做|怎样做|如何做|做法|措施|举措|成效|效果|成果|经验|介绍|概括|概述|总结|怎么运作|如何运作|怎么样|什么样|内容"
                         r"|特色|亮点|特点|创新点|哪些改革|哪些创新|如何构建|如何建立|怎么构建|是如何|是怎样|主要做了|定位|成绩|进展|怎么回事")
_SUMMARY_EN = re.compile(r"summari[sz]e|\bdescribe\b|\bexplain\b|\boverview\b|\bwhat did\b.*\bdo\b|\bhow (?:does|did|do|has|have)\b|"
                         r"\bmain (?:building blocks|features|measures|elements|components|points)\b|\bhighlights?\b|"
                         r"\bwhat (?:results|measures|practices|steps|effects|outcomes)\b|\bachiev|\bwhat is\b.*\babout\b|\bput in place\b|"
                         r"\bdelivered\b|\bprogress\b|\brundown\b|\bsum (?:it |this |that )?up\b|\brecap\b|\bwalk me through\b|\bbrief me\b|"
                         r"\btell me (?:about|more)\b|\bwhat (?:has|have) (?:it|they) (?:done|delivered)\b", re.I)


def intent_of(question: str, language: str) -> str:
    """lookup / list / compare / provider / summary — the first rule that fires, in that order of precedence."""
    if is_catalog_question(question, language):
        return "list"
    if asks_provider(question, language):
        return "provider"
    if compares(question):
        return "compare"
    if (_SUMMARY_ZH if language == "zh" else _SUMMARY_EN).search(question):
        return "summary"
    return "lookup"


def is_catalog_question(question: str, language: str) -> bool:
    if (_ASKS_WHO_ZH if language == "zh" else _ASKS_WHO_EN).search(question):
        return False
    if language == "en" and (_ONE_OF_EN.search(question) or _HANDLED_CASES_EN.search(question)):
        return False
    if language == "zh":
        return bool(_LIST_ZH.search(question))
    return bool(_LIST_EN.search(question))


def compares(question: str) -> bool:
    """The question sets two cases (or two things) side by side."""
    return bool(_COMPARES.search(question))


_HOW_MANY = re.compile(r"多少|(?<!哪)几[个家项名位人]|\bhow (?:many|much)\b", re.I)


def asks_provider(question: str, language: str) -> bool:
    """'Which area provided X?' — not "How many of the professionals came from the US?", which counts."""
    return bool((_ASKS_PROVIDER_ZH if language == "zh" else _ASKS_PROVIDER_EN).search(question)) \
        and not _HOW_MANY.search(question)


def counts_only(question: str) -> bool:
    """A listing question that asks how many, not which."""
    return bool(re.search(r"(几个|多少|how many)", question, re.I))
