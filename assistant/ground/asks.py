"""Whether the chosen evidence states what each ask wants.

An ask is stated when its best sentence is about it — it holds enough of the ask's terms, or is close to
it in meaning — and, when the ask wants a figure, a date or a name, states one of that kind. This is what
turns "how much does the supercomputing centre charge per core-hour?" into "the documents don't say" when
the case talks about the centre but gives no price: a general check, not a longer word list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import GroundSettings
from assistant.lexicon.wordlists import contrasts
from assistant.models import Case, Evidence, Query


@dataclass(frozen=True)
class Misfit:
    """Why a sentence about the ask does not answer it: the place, the year or the organisation the question names
    and the sentence's case does not ("place" 咸阳, "year" 2023, "organisation" 中农集团), the contrast it states
    instead ("contrast": what, instead = 出口, 进口), what the question set aside ("excluded" 国际转运), or a
    running total where one year's figure was asked ("total" 2022)."""

    kind: str
    what: str
    instead: str = ""

# "2020年实际增长了多少？", "was the 50 billion target achieved?": the outcome, not the plan. A plan's sentence
# ("力争实现交易额超500亿元", "aims to reach…") states a target, which does not answer it.
_ASKS_ACTUAL = re.compile(r"实际|实现了[吗没]|是否实现|完成了[吗没]|是否完成|达到了[吗没]|是否达到|达标了?吗|"
                          # "What did X achieve?" asks for results, not whether a target was met
                          r"\bactual(?:ly)?\b|\b(?:did|was|were|has|have)\b[^?]{0,40}\b(?:reach|met|meet|hit)\b[^?]{0,30}"
                          r"\b(?:target|goal)", re.I)
_STATES_TARGET = re.compile(r"力争|争取|目标|计划|预计|拟|将达到|不低于|不少于|力求|\baims?\b|\btargets?\b|\bplans?\b")
_STATES_OUTCOME = re.compile(r"已|累计|同比|实现了|完成了|达到了|增长了|截至")


def _only_targets(query: Query, evidence: Evidence, k: int) -> bool:
    """The question asks what actually happened, and every sentence chosen for the ask states a plan's target."""
    texts = [s.text for s in evidence.sentences if k in s.asks]
    return bool(texts) and bool(_ASKS_ACTUAL.search(query.asks[k].text)) and all(
        _STATES_TARGET.search(t) and not _STATES_OUTCOME.search(t) for t in texts)


def _contrary(query: Query, evidence: Evidence, k: int, sentence: int | None) -> tuple[str, str] | None:
    """The ask's best sentence speaks of the other side: "跨境电商零售出口货值" answered by "零售进口货值155.69亿元".
    The words next to the question word count when there are any: "imported-goods hub" in the context of a clause
    asking for a number of firms is no contrast."""
    if sentence is None or k >= len(query.asks):
        return None
    text = evidence.sentences[sentence].text
    opposite = contrasts()
    return next(((word, other) for group in (query.asks[k].focus or query.asks[k].terms) for word in group
                 for other in opposite.get(word, ()) if other in text and not any(w in text for w in group)), None)


# An organisation a question names ("中农集团承储了多少吨"), by the ending Chinese organisation names share.
_ORGANISATION = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:集团|公司|银行|大学|研究院|交易所|基金|协会|商会)")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_SENTENCE_END = re.compile(r"(?<=[。！？；])")
_OPENING = 200  # characters: where a case introduces who carries it out


def _someone_else(names: list[str], evidence: Evidence, sentence: int | None, near: Callable[[int], str],
                  case_text: Callable[[Case], str] | None) -> str:
    """The question asks a figure of one organisation the case names, and the sentence with the figure is about
    something else: "中农集团承储了多少吨尿素？" is not answered by the 120万吨 all 27 firms hold. The organisation
    must stand in the sentence, the one before it (its subject may stand there), or the case's title or provider."""
    if case_text is None or sentence is None or not names:
        return ""
    case = _case_of(evidence, sentence)
    if case is None:
        return ""
    text = case_text(case)
    around = near(sentence)
    # The case's own actor (named in its opening, or again and again) is the subject of every sentence; only an
    # organisation mentioned in passing must stand by the figure.
    return next((n for n in names if n in text and n not in around and n not in text[:_OPENING] and text.count(n) < 2),
                "")


def _case_of(evidence: Evidence, sentence: int) -> Case | None:
    return next((c for c in evidence.cases if c.id == evidence.sentences[sentence].case_id), None)


def _near(evidence: Evidence, sentence: int, case_text: Callable[[Case], str]) -> str:
    """A chosen sentence with the one before it (where its subject or date may stand) and its case's title and
    provider."""
    chosen = evidence.sentences[sentence]
    case = _case_of(evidence, sentence)
    if case is None:
        return chosen.text
    # The sentence before, split at sentence ends only (not at line breaks, as text.sentence_spans does): a heading
    # line between is no subject, and the checks were measured so.
    before = [p for p in _SENTENCE_END.split(case_text(case)[: chosen.start - case.start]) if p.strip()]
    return f"{case.title} {case.provider or ''} {before[-1] if before else ''} {chosen.text}"


def _undated(query: Query, evidence: Evidence, k: int, sentence: int | None, near: Callable[[int], str]) -> str:
    """A figure asked for a year is stated for that year: "郑州机场2023年的货邮吞吐量" is not "2021年、2022年连续两年
    超过60万吨". When the figure's sentence (or the one before) is dated, the year asked must be among its dates."""
    years = [y for y in query.years if k < len(query.asks) and y in query.asks[k].text]  # this clause's own years
    if sentence is None or not years:
        return ""
    if "|" in evidence.sentences[sentence].text:
        return ""  # a table row: its years head the columns, rows away
    around = near(sentence)
    # Only a sentence dated otherwise: a figure without a date may well be the year's, as the paragraph says.
    return next((y for y in years if y not in around), "") if _YEAR.search(around) else ""


def _set_aside(query: Query, evidence: Evidence, sentence: int | None) -> str:
    """The question sets something aside and the sentence is about it: "自己出口（不算国际转运）有多少辆？" is not
    answered by "完成国际转运商品车超14万辆"."""
    if sentence is None or not query.excluded:
        return ""
    text = evidence.sentences[sentence].text
    return "".join(g[0] for g in query.excluded) if all(any(t in text for t in g) for g in query.excluded) else ""


# "截至2022年底…共开行1208列", "累计…": a running total, not one period's figure.
_RUNNING_TOTAL = re.compile(r"截至|截止|累计|共计|总计|迄今|以来|先后")


def _running_total(query: Query, sentence: int | None, near: Callable[[int], str], evidence: Evidence) -> str:
    """"How many trains did Xiamen run in 2022 alone?" asks one year's figure; a total to the end of 2022 is
    not it. Only the sentence and the one before it count (where the total's 截至 stands)."""
    if sentence is None or not query.one_period:
        return ""
    around = near(sentence)
    chosen = evidence.sentences[sentence].text
    tail = around[max(0, len(around) - len(chosen) - 60):]  # the sentence and the end of the one before
    return (query.years[0] if query.years else "period") if _RUNNING_TOTAL.search(tail) else ""


def _elsewhere(query: Query, evidence: Evidence, sentence: int | None, case_text: Callable[[Case], str] | None) -> str:
    """A lookup names a place its answering case never mentions: "咸阳国际机场2022年货邮吞吐量" answered from
    Zhengzhou airport's case because a neighbouring case talks about Xianyang. The place may be anywhere in the
    case (its title, provider, document, text), not necessarily in the sentence. A question about several places
    misses when the case names none of them ("Guangdong–Hong Kong–Macao" is written 粤港澳, so one of them
    absent is no miss); and only a question that asks one thing: "how many trains in Shaanxi, and how many in
    Urumqi?" sets two cases side by side, and one side answered is better than none."""
    if case_text is None or sentence is None or query.intent not in ("lookup", "summary") or not query.places \
            or len(query.asks) != 1:
        return ""
    case = _case_of(evidence, sentence)
    if case is None:
        return ""
    text = f"{case.title} {case.provider or ''} {case.document_title} {case_text(case)}"
    absent = [p for p in query.places if p not in text]
    return absent[0] if len(absent) == len(query.places) else ""


def misfits(query: Query, evidence: Evidence, case_text: Callable[[Case], str] | None = None) -> list[Misfit | None]:
    """Per finding, why its sentence does not answer the ask although it is about it — the place, year, side or
    organisation the question names and the sentence does not — or None. The refusal says it to the official."""
    out: list[Misfit | None] = []
    # Read once per question, not per ask: a pasted page of questions has thousands of asks.
    names = [m.group(0) for m in _ORGANISATION.finditer(query.question)] if query.language == "zh" else []
    # A place the case names once in passing ("丽水方案里，松阳…" when the figure is all of 丽水's) is such a name too.
    # Only a place the question itself names: an English question's compounds ("Yiwu FTZ" → 义乌自贸区) are not.
    # Not in a comparison: each side's case names the other side's words in passing ("越南盾" is Honghe's side).
    names += [p for p in query.place_terms if p not in names and (p in query.question or p in query.places)
              and query.intent != "compare"]
    seen: dict[int, str] = {}

    def near(sentence: int) -> str:
        if sentence not in seen:
            seen[sentence] = _near(evidence, sentence, case_text) if case_text else evidence.sentences[sentence].text
        return seen[sentence]

    for finding in evidence.findings:
        ask = query.asks[finding.ask] if finding.ask < len(query.asks) else None
        place = _elsewhere(query, evidence, finding.sentence, case_text)
        contrary = _contrary(query, evidence, finding.ask, finding.sentence)
        figure = ask is not None and ask.wants_figure
        someone = _someone_else(names, evidence, finding.sentence, near, case_text) if figure else ""
        year = _undated(query, evidence, finding.ask, finding.sentence, near) if figure else ""
        aside = _set_aside(query, evidence, finding.sentence)
        total = _running_total(query, finding.sentence, near, evidence) if figure else ""
        out.append(Misfit("place", place) if place else Misfit("contrast", contrary[0], contrary[1]) if contrary
                   else Misfit("excluded", aside) if aside else Misfit("organisation", someone) if someone
                   else Misfit("year", year) if year else Misfit("total", total) if total else None)
    return out


def stated_asks(query: Query, evidence: Evidence, settings: GroundSettings, found: list[Misfit | None]) -> list[bool]:
    """One verdict per finding, in order; `found` is misfits() of the same evidence (a finding with a misfit is not
    stated), computed once by the caller, who also tells the official about them when it refuses."""
    verdicts = []
    provider = bool(evidence.cases and evidence.cases[0].provider)
    on_topic = bool(query.follow_up and evidence.cases and evidence.cases[0].id in query.carried_cases)
    for finding, misfit in zip(evidence.findings, found):
        ask = query.asks[finding.ask] if finding.ask < len(query.asks) else None
        if ask is not None and query.intent == "provider" and ask.wants in ("name", "text") and provider:
            verdicts.append(True)  # "谁报送的？": the case's provider line answers it
            continue
        about = finding.lexical >= settings.ask_min_lexical or finding.dense >= settings.ask_min_dense
        if query.language == "zh" and finding.focus <= 0 and ask is not None and ask.wants != "text":
            # "司机跑一趟能挣多少钱？": the route's case states freight costs, not a driver's pay. The words next to the
            # question word are what it asks; a sentence holding only the clause's context does not state it.
            # (English focus terms come through a dictionary and miss too often to be required.)
            about = False
        if ask is None or not (ask.terms or ask.attribute) or on_topic:
            # An ask that names nothing of its own ("原来是多少？"), or a follow-up about the case the conversation
            # is on ("And how long does the trip take now?"), is about that case: what it needs is its kind.
            about = True
        if (ask is not None and _only_targets(query, evidence, finding.ask)) or misfit is not None:
            about = False
        verdicts.append(finding.sentence is not None and about and finding.kind_ok)
    return verdicts
