"""Evidence inside the chosen cases: for every ask, the sentence (with its neighbour) that states it.

Retrieval ranks passages; an official asking "提升到了多少？原来是多少？" needs two sentences of the lead
case, and they are often not in its best passage. Here every sentence of the chosen case(s) is scored
against each ask — its terms (lexical), its meaning (the sentence vectors stored at ingest, so an
English ask finds a Chinese sentence), whether it states an answer of the kind wanted (a sum, a
duration, a count…), and whether it speaks of before or after — and the smallest set of sentences
that covers every ask is kept.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from assistant.config import EvidenceSettings
from assistant.lexicon.dictionary import gloss_words, word_forms
from assistant.lexicon.translate import content_words
from assistant.lexicon.wordlists import section_role
from assistant.models import Ask, Case, Chunk, Evidence, EvidenceSentence, Finding, Hit, Query
from assistant.retrieval.signals import case_chunks
from assistant.text import figure_kinds
from store.catalog import Catalog
from store.embeddings import get_embedding
from store.index import Index
from store.sentences import case_sentences, sentence_id

# How documents say "before" and "after" a reform (the asks say it in question form, query/asks.py).
_BEFORE = re.compile(r"以往|此前|之前|以前|原来|原先|原本|过去|改革前|传统|曾|需要?\s*\d|由\s*[\d一二三四五六七八九十两]|从\s*\d|平均需|耗时")
_AFTER = re.compile(r"目前|现在|如今|当前|[\u4e00-\u9fff]{1,4}后[，,]|以来|降至|降到|降低至|缩短至|缩短到|压缩至|压缩到|减少至|减少到|提升至|提升到|提高至"
                    r"|提高到|增长至|增加到|达到|实现|仅需|只需|精简为|精简至|变为")


CONTEXT_DISCOUNT = 0.75  # terms only the previous sentence holds count this much


@dataclass
class _Sentence:
    case: Case
    position: int
    start: int
    end: int
    text: str
    section: str
    kinds: set[str]
    vector: np.ndarray | None = None
    _glosses: frozenset[str] | None = None

    @property
    def glosses(self) -> frozenset[str]:
        """The English words the dictionary glosses this sentence's words with (for English asks)."""
        if self._glosses is None:
            self._glosses = gloss_words(self.text)
        return self._glosses


def choose_cases(query: Query, hits: list[Hit], sides: dict[str, Case] | None = None) -> list[Case]:
    """The lead case, and for a comparison the case of each side (side_cases, when the caller has them already)
    or else the next case retrieval ranks."""
    order = _ordered(query, hits)
    if not order:
        return []
    chosen = [order[0]]
    sides = side_cases(query, hits) if sides is None else sides
    if sides:
        for case in sides.values():
            if case not in chosen:
                chosen.append(case)
    elif query.intent == "compare" and len(order) > 1:
        chosen.append(order[1])
    return chosen[:3]


def _ordered(query: Query, hits: list[Hit]) -> list[Case]:
    order = list({h.case.id: h.case for h in hits}.values())
    if query.intent == "provider" and any(c.kind == "case" for c in order):
        # "Which area put forward X?": a collection's introduction lists every case and provides none.
        order = [c for c in order if c.kind == "case"] + [c for c in order if c.kind != "case"]
    return order


def side_cases(query: Query, hits: list[Hit]) -> dict[str, Case]:
    """Each side of a comparison and its case: the case naming the side in its title or provider
    ("星港市"), or else in the retrieved passage ("星港平台" in a case 星港片区 provided) — never the case another
    side took, so two sides named in one passage ("甲港…和乙港片区…") get two cases."""
    order = _ordered(query, hits)
    sides = [a.side for a in query.asks if a.side]
    if not sides and query.intent == "compare" and len(query.places) >= 2:
        sides = query.places  # "compare the before-and-after times of X's … and Y's …": each place's case
    if not order or not sides:
        return {}
    passages: dict[str, str] = {}
    for h in hits:
        passages[h.case.id] = passages.get(h.case.id, "") + h.chunk.text
    out: dict[str, Case] = {}
    named = {side: [c for c in order[:6] if side in f"{c.title}{c.provider or ''}"] for side in dict.fromkeys(sides)}
    for side, cases in named.items():  # sides named in a title first: they are sure of their case
        if cases:
            out[side] = next((c for c in cases if c not in out.values()), cases[0])
    for side in named:
        if side not in out:
            match = next((c for c in order[:6] if c not in out.values() and side in passages[c.id]), None)
            if match is not None:
                out[side] = match
    return out


def _sentences(cases: list[Case], index: Index) -> list[_Sentence]:
    catalog = index.catalog
    out: list[_Sentence] = []
    for case in cases:
        text = catalog.texts.get(case.document_id, "")
        sections = [(s.start, s.end, s.label) for s in case.sections]
        for position, (a, b) in enumerate(case_sentences(text, case)):
            reading = _table_reading(text, a, b)
            if not reading and _heading(text[a:b]):
                continue  # "一、主要做法" names a section; it states nothing (a short table row does)
            label = next((lab for s0, s1, lab in sections if s0 <= a < s1), "")
            said = reading or text[a:b]
            out.append(_Sentence(case, position, a, b, said, label, figure_kinds(said)))
    return out


_UNIT_IN_HEADER = re.compile(r"^(.*?)\s*[（(]([^（）()]{1,6})[）)]\s*$")  # 处理退货（万单）: label, unit
_SEPARATOR_ROW = re.compile(r"^[|\s:：-]+$")
_BARE_NUMBER = re.compile(r"[\d.,]+")


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _table_reading(text: str, start: int, end: int) -> str:
    """A table row read with its header, as a sentence: "| 14 | 9 |" under "| 试点银行数量（家） | 覆盖币种（种） |"
    says "试点银行数量 14家，覆盖币种 9种" — its figures then have their kind and its words their topic, and the
    official reads what the numbers are. A span of several rows (with or without the header) reads each row.
    '' for a span that is not table rows only, or whose rows have no header of as many cells."""
    lines = [line.strip() for line in text[start:end].strip().split("\n") if line.strip()]
    if not lines or not all("|" in line for line in lines):
        return ""
    above = []
    end_of_line = len(text[:start].rstrip("\n"))
    while end_of_line > 0:  # up the table to its first row, a line at a time (not the whole text above it)
        line_start = text.rfind("\n", 0, end_of_line) + 1
        line = text[line_start:end_of_line].strip()
        if "|" not in line:
            break
        above.append(line)
        end_of_line = line_start - 1
    rows = [line for line in above[::-1] + lines if not _SEPARATOR_ROW.match(line)]
    header, body = rows[0], [line for line in rows[1:] if line in lines]
    heads = _cells(header)
    if not body or len(heads) < 2 or any(len(_cells(row)) != len(heads) for row in body):
        return ""
    readings = []
    for row in body:
        parts = []
        for head, cell in zip(heads, _cells(row)):
            m = _UNIT_IN_HEADER.match(head)
            label, unit = (m.group(1), m.group(2)) if m else (head, "")
            # the unit joins a bare number only ("31" → 31万单; "由7.2天降至3.1天" keeps its own)
            parts.append(f"{label} {cell}{unit if unit and _BARE_NUMBER.fullmatch(cell) else ''}")
        readings.append("，".join(parts))
    return "；".join(readings) + "。"


def _heading(sentence: str) -> bool:
    return len(sentence) < 30 and not re.search(r"[。！？；!?;][”’」』）)]*$", sentence)


def _attach_vectors(sentences: list[_Sentence], index: Index, settings_model: str) -> None:
    """Vectors stored at ingest; a sentence missing from the store (an index built before them) is embedded now."""
    catalog = index.catalog
    ids = [sentence_id(s.case.document_id, catalog.documents[s.case.document_id].sha256, s.start) for s in sentences]
    stored = index.sentences.vectors(ids)
    missing = [s for s, sid in zip(sentences, ids) if sid not in stored]
    if missing:
        embedder = get_embedding(settings_model)
        for s in missing:
            s.vector = np.asarray(embedder.get_text_embedding(s.text), dtype=np.float32)
    for s, sid in zip(sentences, ids):
        if sid in stored:
            s.vector = stored[sid]


def _weights(groups: list[list[str]], sentences: list[_Sentence]) -> list[float]:
    """A term group's weight: rarer among the case's sentences counts more (the case's topic word, present
    everywhere, says nothing about which sentence answers); longer Chinese terms count more."""
    n = max(len(sentences), 1)
    out = []
    for group in groups:
        df = sum(1 for s in sentences if any(t in s.text for t in group))
        length = min(max((len(t) for t in group), default=1), 4) / 4 if not all(t.isascii() for t in group) else 0.75
        out.append(math.log(1 + n / (1 + df)) * (0.5 + length))
    return out


def _lexical(groups: list[list[str]], weights: list[float], text: str) -> float:
    total = sum(weights)
    if not total:
        return 0.0
    return sum(w for g, w in zip(groups, weights) if any(t in text for t in g)) / total


def _gloss_weights(words: list[tuple[str, ...]], sentences: list[_Sentence]) -> list[float]:
    n = max(len(sentences), 1)
    return [math.log(1 + n / (1 + sum(1 for s in sentences if any(f in s.glosses for f in forms)))) for forms in words]


def _gloss_lexical(words: list[tuple[str, ...]], weights: list[float], sentences: list[_Sentence], i: int) -> float:
    """Share of an English ask's own words that the sentence's Chinese words are glossed with (the sentence before
    it at a discount): "save importers" finds 为进口企业节约成本 through 进口 (import) although the reverse
    look-up of "importer" gave 进口商. The other side of the bridge from the ask's Chinese terms."""
    total = sum(weights)
    if not total:
        return 0.0

    def share(glosses: frozenset[str]) -> float:
        return sum(w for forms, w in zip(words, weights) if any(f in glosses for f in forms)) / total

    own = share(sentences[i].glosses)
    if i and sentences[i - 1].case is sentences[i].case:
        return max(own, CONTEXT_DISCOUNT * share(sentences[i - 1].glosses | sentences[i].glosses))
    return own


def _windowed(groups: list[list[str]], weights: list[float], sentences: list[_Sentence], i: int) -> float:
    """Terms of the sentence, and at a discount those of the sentence before it in the same case: the topic is
    often named once ("2020年，义乌平台…") and the figures follow ("全年累计开行974列…")."""
    own = _lexical(groups, weights, sentences[i].text)
    if i and sentences[i - 1].case is sentences[i].case:
        return max(own, CONTEXT_DISCOUNT * _lexical(groups, weights, sentences[i - 1].text + sentences[i].text))
    return own


_NUMBER_BEFORE = r"(?:\d+(?:[.,]\d+)*|[一二两三四五六七八九十百千]+)\s*(?:余|多)?\s*(?:[万亿千百]\s*)?(?:个\s*)?"  # 90 个工作日


def unit_fits(units: list[str], text: str) -> bool:
    """The sentence states a figure in one of the measure words the question named (2126列 for 多少列)."""
    return any(re.search(_NUMBER_BEFORE + re.escape(u), text) for u in units)


def kind_fits(wants: str, kinds: set[str], units: list[str] | None = None, text: str = "") -> float:
    """1 when the sentence states an answer of the kind wanted (in the unit asked for, when the question names
    one), less for a figure of the same kind in another unit or of another kind."""
    if wants == "text":
        return 0.0
    if units and wants not in ("date", "name"):
        if unit_fits(units, text):
            return 1.0
        if wants in kinds:
            return 0.6
        return 0.4 if "figure" in kinds else 0.0
    if wants in kinds or wants == "figure" and "figure" in kinds:
        return 1.0
    if wants == "count" and kinds & {"quantity", "percent"} or wants == "quantity" and "count" in kinds:
        return 0.75  # a count and a quantity are often the same figure in other words (2126列 / 17万标箱)
    return 0.5 if "figure" in kinds and wants not in ("date", "name") else 0.0


def _ask_fits(ask: Ask, sentence: _Sentence) -> float:
    """kind_fits for an ask: a change asked of an amount ("汇兑成本下降了多少") is as often stated as a rate
    ("下降0.35个百分点") as in the amount's own unit ("每吨降低约18元"), so a percentage answers it too."""
    fit = kind_fits(ask.wants, sentence.kinds, ask.units, sentence.text)
    if ask.relation == "change" and ask.wants in ("money", "time", "quantity", "count") and "percent" in sentence.kinds:
        return max(fit, 1.0)
    return fit


# What an organisation or a programme is called: a name ends in one of these (宁波银行, 霍英东研究院, 钱江海关).
_ORG_SUFFIX = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,}(?:银行|公司|集团|中心|研究院|研究所|大学|学院|交易所|协会|商会|委员会|法院|海关|"
                         r"局|厅|办公室|领导小组|小组|平台|基地|系统|机构|基金|联盟|园区|港|站|馆|署)")
_QUOTED_NAME = re.compile(r"[“《「]([^”》」]{2,30})[”》」]")


def names_in(text: str) -> list[str]:
    """The organisations and programmes in quotes a sentence names (宁波银行, “一码通”)."""
    return [m.group(0) for m in _ORG_SUFFIX.finditer(text)] + _QUOTED_NAME.findall(text)


def name_fits(text: str, question: str) -> bool:
    """The sentence names something the question does not: an organisation, a programme in quotes, a person.
    "宁波富立物流有限公司负责人表示" names no person; "宁波银行…打造…平台" names a bank."""
    if any(n not in question for n in names_in(text)):
        return True
    from store.tokenize import person_names  # jieba's POS tags, loaded only for who-questions

    return any(n not in question for n in person_names(text))


def person_fits(text: str, question: str) -> bool:
    """The sentence names a person the question does not ("who heads the commission?")."""
    from store.tokenize import person_names  # jieba's POS tags, loaded only for who-questions

    return any(n not in question for n in person_names(text))


def _relation_fits(relation: str, text: str) -> float:
    """+1 when the sentence speaks of the time the ask wants, -1 when only of the other one ("此前…5500元"
    answers "what was it before", not "what is it now")."""
    before, after = bool(_BEFORE.search(text)), bool(_AFTER.search(text))
    if relation == "before":
        return 1.0 if before else -1.0 if after else 0.0
    if relation == "after":
        return 1.0 if after else -1.0 if before else 0.0
    if relation == "change":
        return 1.0 if _BEFORE.search(text) and _AFTER.search(text) or re.search(r"同比|增长|下降|减少|缩短|节约|节省|提升|提高", text) else 0.0
    return 0.0


def select(query: Query, hits: list[Hit], index: Index, settings: EvidenceSettings, embedding_model: str,
           question_vector: list[float] | None = None, trace: list | None = None) -> Evidence:
    """The sentences of the chosen case(s) that answer the query's asks, in document order."""
    sides = side_cases(query, hits)
    cases = choose_cases(query, hits, sides)
    side_of = {side: case.id for side, case in sides.items()}
    sentences = _sentences(cases, index)
    if not sentences:
        return Evidence(cases=cases)
    _attach_vectors(sentences, index, embedding_model)
    embedder = get_embedding(embedding_model)
    matrix = np.stack([s.vector if s.vector is not None else np.zeros(1) for s in sentences])
    q_vec = np.asarray(question_vector if question_vector is not None else embedder.get_query_embedding(query.standalone))
    q_dense = matrix @ q_vec
    q_weights = _weights(query.concepts, sentences)
    q_lex = np.array([_lexical(query.concepts, q_weights, s.text) for s in sentences])

    asks = query.asks or [Ask(text=query.question, terms=query.concepts)]
    years = [y for y in query.years if y in query.question]  # a year this question (not its context) names
    findings: list[Finding] = []
    picked: dict[int, set[int]] = {}  # sentence → asks it answers
    for k, ask in enumerate(asks):
        a_vec = np.asarray(embedder.get_query_embedding(ask.text)) if len(asks) > 1 else q_vec
        dense = matrix @ a_vec
        dense = dense - dense.mean()
        groups = ask.terms or query.concepts
        weights = _weights(groups, sentences)
        focus = ask.focus if ask.focus and ask.focus != groups else []
        focus_weights = _weights(focus, sentences)
        own_words = [word_forms(w) for w in content_words(ask.text)] if query.language == "en" else []
        own_weights = _gloss_weights(own_words, sentences)
        best: tuple[float, int, float, float, float] | None = None
        scores = []
        side = ask.side if ask.side and any(ask.side in f"{s.case.title}{s.case.provider or ''}{s.text}"
                                             for s in sentences) else ""
        side_case = side_of.get(ask.side or "")
        for i, s in enumerate(sentences):
            if side_case is not None and s.case.id != side_case or side_case is None and side and \
                    side not in f"{s.case.title}{s.case.provider or ''}{s.text}":
                scores.append(-1e9)
                continue
            lex = _windowed(groups, weights, sentences, i)
            if focus:
                lex = (1 - settings.focus_share) * lex + settings.focus_share * _windowed(focus, focus_weights, sentences, i)
            if own_words:
                lex = max(lex, _gloss_lexical(own_words, own_weights, sentences, i))
            fit = _ask_fits(ask, s) if ask.wants_figure or ask.wants == "date" else 0.0
            if years and not any(y in f"{sentences[i - 1].text if i else ''}{s.text}" for y in years):
                fit = min(fit, 0.5)  # "2021年开行多少列": a count from another year is not the one asked for
            score = (settings.lexical_weight * lex + settings.question_weight * q_lex[i]
                     + settings.dense_weight * float(dense[i]) + settings.question_dense_weight * float(q_dense[i] - q_dense.mean())
                     + settings.kind_weight * fit + settings.relation_weight * _relation_fits(ask.relation, s.text)
                     - settings.position_penalty * (s.case.id != cases[0].id))
            if ask.attribute and not any(f in s.text for f in ask.attribute.forms):
                score -= settings.attribute_penalty
            scores.append(score)
            if trace is not None:
                trace.append((k, i, round(score, 3), round(lex, 3), round(float(dense[i]), 3), fit,
                              _relation_fits(ask.relation, s.text), s.text))
            if best is None or score > best[0]:
                best = (score, i, lex, float(dense[i]), fit)
        assert best is not None
        score, i, lex, dense_i, fit = best
        chosen = {i}
        fits = [_ask_fits(ask, x) if ask.wants_figure else 0.0 for x in sentences]
        with_figure = [j for j in range(len(sentences)) if fits[j] >= 1.0 and scores[j] > -1e8]
        if ask.wants_figure and fit < 1.0 and with_figure:
            # The best sentence that states a figure of the kind asked joins the best one when it is not far behind:
            # the sentence most like the question often names the topic, the next one gives the figure.
            j = max(with_figure, key=lambda x: scores[x])
            if scores[j] >= score - settings.figure_margin:
                chosen.add(j)
                fit = 1.0
                lex = max(lex, _lexical(groups, weights, sentences[j].text))
        if ask.wants_figure and fit < 1.0:
            # The topic sentence and the figure are often neighbours: "…推出…模式。实施以来，时间由…缩短至…"
            for j in (i + 1, i - 1):
                if 0 <= j < len(sentences) and sentences[j].case is sentences[i].case \
                        and _ask_fits(ask, sentences[j]) >= 1.0 \
                        and scores[j] >= score - settings.neighbour_margin:
                    chosen.add(j)
                    fit = 1.0
                    lex = max(lex, _lexical(groups, weights, sentences[j].text))
                    break
        # A close runner-up joins (for a figure ask, only one stating a figure of the kind asked): sentence scores are
        # rough, and an official would rather read two candidate sentences than miss the figure.
        ranked = sorted(range(len(sentences)), key=lambda j: -scores[j])
        needs_kind = ask.wants_figure or ask.wants == "date"
        for j in ranked[1 : 1 + settings.runner_ups]:
            if j not in chosen and scores[j] >= score - settings.runner_up_margin and (
                    not needs_kind or _ask_fits(ask, sentences[j]) >= 1.0):
                chosen.add(j)
        for j in chosen:
            picked.setdefault(j, set()).add(k)
        kind_ok = fit >= 1.0 or not (ask.wants_figure or ask.wants == "date")
        if ask.wants == "name":
            kind_ok = any(name_fits(sentences[j].text, query.question) for j in chosen)
        elif ask.wants == "person":
            kind_ok = any(person_fits(sentences[j].text, query.question) for j in chosen)
        # 票数 is stated as "86 票", 企业数量 as "1万家企业": the measured thing without its 数/量/额 counts as held.
        stems = [list(g) + [t[:-1] for t in g if len(t) >= 2 and t[-1] in "数量额"] for g in focus]
        focus_held = max((_windowed(stems, focus_weights, sentences, j) for j in chosen), default=0.0) if focus else 1.0
        findings.append(Finding(ask=k, sentence=i, score=round(score, 4), lexical=round(lex, 4),
                                dense=round(dense_i, 4), kind_ok=kind_ok, focus=round(focus_held, 4)))
    if query.intent == "summary":
        _summary(sentences, cases[0], picked, q_lex + 2 * (q_dense - q_dense.mean()), settings)
    order = sorted(picked, key=lambda i: ([c.id for c in cases].index(sentences[i].case.id), sentences[i].start))
    renumber = {i: n for n, i in enumerate(order)}
    chosen_sentences = [EvidenceSentence(case_id=sentences[i].case.id, start=sentences[i].start, end=sentences[i].end,
                                         text=sentences[i].text, section=sentences[i].section,
                                         position=sentences[i].position, asks=sorted(picked[i])) for i in order]
    for finding in findings:
        finding.sentence = renumber.get(finding.sentence) if finding.sentence is not None else None
    return Evidence(cases=cases, sentences=chosen_sentences, findings=findings)


def _summary(sentences: list[_Sentence], lead: Case, picked: dict[int, set[int]], relevance: np.ndarray,
             settings: EvidenceSettings) -> None:
    """"What did X do and what did it achieve?": what was done — the lead case's sentences closest to the question,
    at most `summary_per_section` from one section, background last — and what it achieved: its result sentences
    with the most figures (an official quotes a summary for its numbers; the result section rarely shares the
    question's words, so closeness alone never reaches it)."""
    roles = [_role(s) for s in sentences]
    own = [i for i in range(len(sentences)) if sentences[i].case is lead]
    figures = {i: len(_DIGITS.findall(sentences[i].text)) for i in own}
    headed = any(roles[i] == "result" for i in own)  # else results are told by their wording
    results = [i for i in own if figures[i] and (roles[i] == "result" if headed else bool(
        _CHANGE.search(sentences[i].text) or _OUTCOME.search(sentences[i].text)))]
    # A change stated with its figures ("降至3850元，降幅近40%") first, then the sentences with the most figures.
    results = sorted(results, key=lambda i: (-bool(_CHANGE.search(sentences[i].text)) - min(figures[i], 3) / 3,
                                             -relevance[i]))[: settings.summary_results]
    bonus = {"practice": settings.summary_section_bonus, "background": -settings.summary_section_bonus}
    ranked = sorted((i for i in own if i not in results), key=lambda i: -(relevance[i] + bonus.get(roles[i], 0.0)))
    per_section: dict[str, int] = {}
    for i in picked:
        per_section[sentences[i].section] = per_section.get(sentences[i].section, 0) + 1
    for i in ranked:
        if len(picked) >= settings.summary_sentences:
            break
        if i not in picked and per_section.get(sentences[i].section, 0) < settings.summary_per_section:
            picked.setdefault(i, set())
            per_section[sentences[i].section] = per_section.get(sentences[i].section, 0) + 1
    for i in results:
        picked.setdefault(i, set())


_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# "累计…", "已…", "同比…": an outcome, where a case's text has no results heading.
_OUTCOME = re.compile(r"累计|已(?:经)?[^，。；]{0,12}\d|同比|实现|达到|截至")


# A sentence that opens with its own label ("【成效】…", "成效：…", "**做法：**…") says its role even where the
# layout gives it no section heading.
_LEAD_LABEL = re.compile(r"^[*\s]*[【\[（(]?([^\s【】\[\]（）()：:，,。]{2,8})[】\]）)：:]")
# "由6.5小时压缩至1.2小时", "增长至21.5亿元", "reduced from … to": a change stated with its figures.
_CHANGE = re.compile(r"由[^，。；]{0,30}(?:缩短|压缩|减少|降|提升|提高|增加|增长|扩大)至|(?:缩短|压缩|减少|降低|提升|提高|增加|增长)"
                     r"(?:了|至|到)?[约近超]?\d|同比(?:增长|下降)")


def _role(sentence: _Sentence) -> str:
    role = section_role(sentence.section)
    if not role:
        label = _LEAD_LABEL.match(sentence.text)
        role = section_role(label.group(1)) if label else ""
    return role


def evidence_hits(evidence: Evidence, catalog: Catalog) -> tuple[list[Hit], list[int]]:
    """One Hit per passage holding evidence sentences (in their order), and each sentence's 1-based hit number;
    citations point to passages, quotes are the sentences themselves."""
    cases = {c.id: c for c in evidence.cases}
    hits: list[Hit] = []
    numbers: list[int] = []
    for sentence in evidence.sentences:
        chunks = case_chunks(catalog, sentence.case_id)
        inside = [c for c in chunks if c.start <= sentence.start and sentence.end <= c.end]
        chunk: Chunk | None = min(inside, key=lambda c: c.end - c.start) if inside else next(
            (c for c in chunks if c.start <= sentence.start < c.end), chunks[0] if chunks else None)
        if chunk is None:  # pragma: no cover - a sentence always lies in one of its case's passages
            numbers.append(0)
            continue
        n = next((i for i, h in enumerate(hits, 1) if h.chunk.id == chunk.id), 0)
        if not n:
            hits.append(Hit(chunk=chunk, case=cases[sentence.case_id], score=1.0))
            n = len(hits)
        numbers.append(n)
    return hits, numbers
