"""What a question asks: its concepts (as groups of Chinese alternatives), the places, years, batches and
quoted names a case must state, the attributes it asks for (a rate, a cost, a headcount…) and its asks.

build_query() makes the one Query every later stage reads; nothing after this stage re-analyses the
question."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.lexicon import dictionary, glossary
from assistant.lexicon.names import provider_keys
from assistant.lexicon.propernouns import NameIndex, split_suffix
from assistant.lexicon.translate import english_concepts
from assistant.lexicon.wordlists import attributes, gazetteer, generic_terms
from assistant.models import Ask, Attribute, Case, Query
from assistant.query import asks as ask_rules
from assistant.query import followup, route
from assistant.text import detect_language, has_chinese
from store.tokenize import tokenize

YEAR = re.compile(r"(?:19|20)\d{2}")
# Editions: 第二批 is not the 第一批 the corpus has, and a 2.0版 list is not its 1.0.
BATCH = re.compile(r"第[一二三四五六七八九十\d]+[批版期]|\d+\.\d+\s*版")
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,20})[”\"」』]")
_INNER_QUOTES = re.compile(r"[‘’'“”「」『』]+")


def quoted_names(text: str) -> list[str]:
    """Quoted Chinese names, split at quotes nested inside them: "汉江船舶过闸‘水上ETC’预约调度" is written
    汉江船舶过闸“水上ETC”预约调度 in the document, so each piece must be stated, not the quote marks."""
    return [piece for q in _QUOTED.findall(text) if has_chinese(q)
            for piece in _INNER_QUOTES.split(q) if len(piece) >= 2]


def terms_and_required(question: str, groups: list[list[str]], places: frozenset[str]) -> tuple[list[str], list[str]]:
    """The content terms, and the names a case must state to answer: places (by their core: 星港 for
    星港跨境电子商务综合试验区, an invented name), years, quoted names, batches. Pass only groups the question itself names
    (Chinese words, glossary terms, a document's name read in pinyin), not dictionary senses."""
    terms = list(dict.fromkeys(t for g in groups for t in g))
    named = {_core(p) for p in places if p in question or p in terms}
    required = [r for r in named if not any(o != r and o in r for o in named)]  # the loosest form of each
    # A quoted Chinese name must be in the case; a quoted English phrase ("single bill") is a translation.
    required += YEAR.findall(question) + quoted_names(question)
    required += BATCH.findall(question) + [t for t in terms if BATCH.fullmatch(t)]
    return terms, list(dict.fromkeys(required))


def _place_named(question: str, word: str) -> str | None:
    """The Chinese name of a capitalised word of the question that CC-CEDICT knows as a place, else None."""
    written = re.search(rf"\b{re.escape(word)}\b", question, re.I)
    if not written or not written.group(0)[:1].isupper() or written.start() == 0:
        return None
    return next((m.chinese for m in dictionary.lookup(written.group(0), limit=4)
                 if dictionary.proper_kind(m.chinese) == "place"), None)


def _named(groups: list[list[str]], weights: list[float]) -> list[list[str]]:
    """The groups the question itself names (full weight), not an English word's dictionary senses."""
    return [g for g, w in zip(groups, weights) if w >= 1.0]


def _core(place: str) -> str:
    split = split_suffix(place)
    return split[0] if split else place


def term_groups(question: str, language: str, names: NameIndex | None = None,
                dictionary_weight: float = 1.0) -> tuple[list[list[str]], list[str], list[float]]:
    """Concepts of a question as groups of Chinese alternatives, the English words nothing could translate,
    and each group's weight (a dictionary sense counts for less than a domain term or a document's name)."""
    generic = generic_terms()
    if language == "en":
        raw, sources, unknown = english_concepts(question, names)
        # A capitalised word no document uses but CC-CEDICT knows as a place (Busan → 釜山) is a place the
        # question names: the case must state it, and none does.
        for word in list(unknown):
            place = _place_named(question, word)
            if place:
                raw, sources = raw + [[place]], sources + ["place"]
                unknown.remove(word)
        groups, weights = [], []
        for group, source in zip(raw, sources):
            group = [t for t in group if t not in generic]
            if group:
                groups.append(group)
                weights.append(dictionary_weight if source == "dictionary" else 1.0)
        for acronym in re.findall(r"\b[A-Z]{2,}[A-Z0-9]*\b", question):
            if acronym.lower() not in generic and [acronym] not in groups and not any(acronym in g for g in groups):
                groups.append([acronym])
                weights.append(1.0)
        return groups, list(dict.fromkeys(unknown)), weights
    tokens = [t for t in tokenize(question) if t not in generic and (len(t) >= 2 or t.isdigit())]
    groups = [[t] for t in dict.fromkeys(tokens)]
    return groups, [], [1.0] * len(groups)




# ---------------------------------------------------------------- asked-for attributes
# Near-miss questions name real cases and ask for something those cases never state ("what coupon rate
# did Hainan's blue bond pay?"); what the question asks for is checked against the evidence in ground/.

# How much / how many, in either language: the answer must be a figure.
_WANTS_FIGURE = re.compile(r"多少|几[个家项名人次年天倍]|多大|多高|多长|多久|比例|比重|how (?:many|much)|what (?:\w+ )?"
                           r"(?:rate|price|cost|amount|share|percentage|number|value|size)|at what price", re.I)


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], Attribute]]:
    return [(re.compile(rf"(?<![a-z]){re.escape(a.phrase)}(?:s|es)?(?![a-z])"), a) for a in attributes()]


def asked(question: str, language: str) -> list[Attribute]:
    """Attributes the question asks for (each concept once, the most specific phrase winning)."""
    found: list[Attribute] = []
    if language == "en":
        text = glossary.names_removed(question)
        for pattern, attribute in _patterns():
            if pattern.search(text):
                text = pattern.sub(" ", text)
                found.append(attribute)
    else:
        for attribute in sorted(attributes(), key=lambda a: -len(a.chinese)):
            if attribute.chinese in question and not any(attribute.chinese in a.chinese for a in found):
                found.append(attribute)  # 票面利率 asked: 利率 is part of it, not a second attribute
    return list({a.chinese: a for a in found}.values())


# "建成多少个公共海外仓" counts 海外仓s: the thing counted is asked for as much as any listed attribute.
# (English "how many X" is left to the listed attributes: glossary terms for X are too coarse to tell
# whether a sentence counts X — "298艘次 remote re-inspections" names no 船舶.)
# The counted noun ends the clause; "多少件提升到了…" is a verb phrase, not a noun.
_COUNTED_ZH = re.compile(r"(?:多少|几)[个家项名位条座所只辆艘列次件]((?:(?![多少几到至为了是和与及])[\u4e00-\u9fff]){2,8})"
                         r"(?=[？?，,。；、]|的|和|与|$)")


def counted(question: str, language: str) -> list[Attribute]:
    """What a Chinese how-many question counts, named by its head noun (公共海外仓 → 海外仓)."""
    if language != "zh":
        return []
    found = []
    for noun in _COUNTED_ZH.findall(question):
        words = tokenize(noun.split("的")[0])
        head = words[-1] if words and len(words[-1]) >= 2 else "".join(words[-2:])
        if len(head) >= 2:
            found.append(Attribute(phrase=head, forms=(head,)))
    return found


# "in 2022 alone", "仅2022年", "2022年当年": one period's figure, which a running total ("截至2022年底累计…") is not.
_ONE_PERIOD = re.compile(r"\b(?:19|20)\d{2}\s+(?:alone|only|by itself)\b|\b(?:only|just) in (?:19|20)\d{2}\b|"
                         r"\bin (?:that|a single|one) year\b|(?:仅|单|只)(?:在)?\s*(?:19|20)\d{2}\s*年|"
                         r"(?:19|20)\d{2}\s*年(?:当年|全年|一年|单年|内)|当年|单年", re.I)


# "山东简报中", "广东汇编里": a place right before a collection's noun names the document, not the case.
_COLLECTION = r"(?:省|市|自贸试验区|自贸区)?(?:的)?(?:工作)?(?:简报|汇编|选编|案例集|专报|通知|文件)"


def wants_figure(question: str) -> bool:
    return bool(_WANTS_FIGURE.search(question))




# ---------------------------------------------------------------- the Query


def build_query(question: str, language: str, history: list[dict] | None, cases: list[Case],
                names: NameIndex | None = None, dictionary_weight: float = 1.0) -> Query:
    """The typed analysis of one turn: follow-up resolved, intent, named things, concepts and asks.

    Concepts, names and attributes are read from the standalone question (a follow-up's subject is in the
    previous turn); the asks from the question as asked, borrowing what it leaves out."""
    places = gazetteer(names)
    here, _, here_weights = term_groups(question, language, names)
    required_here = terms_and_required(question, _named(here, here_weights), places)[1]
    # A year names no subject: "What export targets are set for 2025 and 2027?" is still about the previous case.
    resolved = followup.resolve(question, language, history, cases, names_something=bool(
        [r for r in required_here if not YEAR.fullmatch(r)] or followup.cases_named_in(question, cases)
        or _names_provider(question, cases)))
    standalone = resolved.question
    groups, unknown, weights = term_groups(standalone, language, names, dictionary_weight)
    foreign = frozenset(g[0] for g in groups if len(g) == 1 and g[0] not in places and dictionary.is_proper_name(g[0])
                        and dictionary.proper_kind(g[0]) == "place" and not (names and names.uses(g[0])))
    terms, required = terms_and_required(standalone, _named(groups, weights), places | foreign)
    terms = list(dict.fromkeys(t for g in groups for t in g))
    intent = route.intent_of(question, language)
    if (intent == "lookup" and resolved.follow_up and followup.elliptic(question, language)
            and not ask_rules.asks_own_question(question, language)):
        intent = route.intent_of(resolved.previous_question, detect_language(resolved.previous_question))  # "那四川的呢？"
    query = Query(
        question=question, language=language, standalone=standalone, follow_up=resolved.follow_up,
        carried_cases=resolved.carried_cases, previous_question=resolved.previous_question, intent=intent,
        count_only=route.counts_only(question), concepts=groups, concept_weights=weights, unknown_words=unknown,
        expansion=list(dict.fromkeys(t for g in groups for t in g)) if language == "en" else [],
        places=[r for r in required if r in places or r in foreign],
        place_terms=sorted(t for g in groups for t in g if t in places or names is not None and t in names.places()),
        years=list(dict.fromkeys(YEAR.findall(standalone))),
        quoted=quoted_names(standalone),
        batches=list(dict.fromkeys(BATCH.findall(standalone) + [t for t in terms if BATCH.fullmatch(t)])),
        attributes=asked(standalone, language), counted=counted(standalone, language),
        wants_figure=wants_figure(standalone),
        one_period=bool(_ONE_PERIOD.search(question)),
    )
    query.collection_places = [p for p in query.places if re.search(re.escape(p) + _COLLECTION, standalone)]
    excluded = ask_rules.set_aside(question, language)
    query.excluded = [g for g in term_groups(excluded, language, names)[0] if g] if excluded else []
    # A summary asked to quote its figures ("…，带上几个关键数字") asks what the case did, not a count.
    query.asks = build_asks(ask_rules.without_figure_request(question, language), language, query,
                            resolved.previous_question, names)
    # "几家中院的…协议是哪天签的" asks for a date; the courts are counted only when a clause asks how many.
    query.counted = [a for a in query.counted
                     if any(ask.wants in ("count", "figure", "quantity") and a.phrase in ask.text for ask in query.asks)]
    if query.intent == "summary" and query.asks and all(a.wants_figure for a in query.asks):
        # "What share of the products achieved a first sale?" asks for a figure, not for what a case did.
        query.intent = "lookup"
    return query


def build_asks(question: str, language: str, query: Query, previous: str = "", names: NameIndex | None = None
               ) -> list[Ask]:
    """One Ask per asking clause; "from what to what" gives two; "各/分别/each" gives one per side."""
    out: list[Ask] = []
    for clause, focus in ask_rules.clauses(question, language):
        groups = term_groups(ask_rules.content_of(clause, language), language, names)[0]
        focus_groups = term_groups(ask_rules.content_of(focus, language), language, names)[0]
        elliptic = bool(previous) and followup.elliptic(clause, language)
        kind = ask_rules.kind_of(focus, language, elliptic)
        if kind in ("text", "figure"):
            kind = ask_rules.kind_of(clause, language, elliptic) if kind == "text" else kind
        relation = ask_rules.relation_of(clause, language)
        attribute = next((a for a in query.attributes if a.chinese in clause or a.phrase in clause.lower()), None)
        if kind == "text" and query.intent == "compare" and (_QUANTITY_NOUN.search(clause) or _COMPARATIVE.search(clause)):
            # "对比两地的供应量", "compare the time savings of X and Y": a figure from each side, of the kind its noun
            # names (the noun says it though no "how much" does)
            kind = ask_rules.kind_of(clause, language, elliptic=True)
            kind = "figure" if kind == "text" else kind
        common = dict(text=clause, terms=groups, focus=focus_groups, units=ask_rules.units_of(focus, language),
                      wants=kind, attribute=attribute)
        joined = ask_rules.joined_kinds(focus, language)
        if ask_rules.from_to(clause, language):
            out += [Ask(relation="before", **common), Ask(relation="after", **common)]
        elif joined:
            out += [Ask(relation=relation, **{**common, "wants": kind, "units": []}) for kind in joined]
        else:
            out.append(Ask(relation=relation, **common))
    earlier: list[Ask] = []
    if previous:
        # "那运费呢？" / "And before the reform?": what the first clause leaves out comes from the previous turn.
        earlier = build_asks(previous, detect_language(previous), query.model_copy(update={"attributes": [], "places": []}),
                             names=names)
    for i, ask in enumerate(out):
        if i == 0:
            if earlier:
                out[0] = _inherit(ask, earlier[0] if ask.relation == "before" else earlier[-1],
                                  followup.elliptic(ask.text, language))
            continue
        # "提升到了多少？原来是多少？" / "…now, and what was it on the old route?": the later clause is about
        # what the earlier one was.
        out[i] = _inherit(ask, out[i - 1], bool(ask.relation) or not _specific(ask))
    out = [part for ask in out for part in _per_year(ask, query.years)]
    sides = _sides(question, query, names)
    if sides:
        # "衢州和丽水…各提了多少", "…跟乌鲁木齐比，哪个多？各是多少列？": the single ask, or the clause that says
        # "each", becomes one ask per side, each without the other side's name.
        out = [part for ask in out for part in (
            [ask.model_copy(update={"side": side, "terms": _without_others(ask.terms, side, sides)}) for side in sides]
            if len(out) == 1 or _EACH.search(ask.text) else [ask])]
    return out


def _without_others(terms: list[list[str]], kept: str, split_by: list[str]) -> list[list[str]]:
    """An ask's terms for one side (or year) of a question split by several: without the other sides' names."""
    return [g for g in terms if not any(t in split_by and t != kept for t in g)]


def _per_year(ask: Ask, years: list[str]) -> list[Ask]:
    """"What share… in 2022, and in 2023?": one figure per year, each ask with its own year only."""
    own = list(dict.fromkeys(y for y in years if y in ask.text))
    if len(own) < 2 or not ask.wants_figure:
        return [ask]
    out = []
    for year in own:
        text = ask.text
        for other in own:
            if other != year:
                text = text.replace(other, "")
        out.append(ask.model_copy(update={"text": text, "terms": _without_others(ask.terms, year, own)}))
    return out


def _specific(ask: Ask) -> bool:
    return bool(ask.terms) or ask.attribute is not None


def _inherit(ask: Ask, source: Ask, borrows_question: bool) -> Ask:
    """The ask with what it leaves out taken from an earlier ask: its topic when it names none, and the kind of
    answer when it borrows the earlier question ("以前呢？", "what was it before?")."""
    update: dict = {}
    if not _specific(ask):
        update.update(terms=source.terms, focus=source.focus, attribute=source.attribute)
    if not ask.units and ask.wants in ("text", "figure", source.wants):
        update["units"] = source.units
    if ask.wants in ("text", "figure") and source.wants != "text" and borrows_question:
        update["wants"] = source.wants
    return ask.model_copy(update=update) if update else ask


_QUANTITY_NOUN = re.compile(r"[量额数率]|\b(?:number|figures?|rates?|amounts?|volumes?|totals?|runs|share|savings?|"
                            r"gains?|growth|increase|targets?)\b", re.I)
# "哪个更快", "which has served more clients": a comparison of amounts, though no "how much" says so.
_COMPARATIVE = re.compile(r"[谁哪][个家项]?(?:更|较)?(?:多|少|快|慢|高|低|大|小|长|短)|更(?:多|少|快|慢|高|低|大|小|长|短)|"
                          r"\b(?:more|fewer|less|higher|lower|faster|slower|larger|bigger|smaller|longer|shorter|most|fewest)\b",
                          re.I)
_EACH = re.compile(r"各|分别|各自|两者|respectively|\beach\b|\bboth\b", re.I)


def _sides(question: str, query: Query, names: NameIndex | None = None) -> list[str]:
    """The places a comparison sets side by side ("衢州和丽水的方案…各提了多少"), or else the programmes it names
    in quotes ("“不见面”开标和“全随机评标”各自做了多少个项目？"), or else the name each half of "A和B" / "A versus B"
    holds alone ("成渝的中欧班列和厦门的中欧班列")."""
    if query.intent != "compare" and not _EACH.search(question):
        return []
    if len(query.places) >= 2:
        return query.places
    if len(query.quoted) >= 2:
        return query.quoted
    return _named_halves(question, query.language, names)


# What joins the two things a comparison names; English "or"/"and" only after the stronger joins.
def _side_name(names: list[str], half: str, language: str, places: frozenset[str]) -> str:
    """The name that stands for one half: in Chinese the last, since modifiers come first (重庆果园港 is 果园港's
    side, not 重庆's); in English a place before another name ("China" of "China-Europe" names no side)."""
    if language == "zh":
        return max(names, key=lambda t: half.rfind(t))
    return min(names, key=lambda t: t not in places)


_JOINS_ZH = re.compile(r"和|与|跟|同|还是|以及|及|对比|相比|比起")
_JOINS_EN = [re.compile(r"\s(?:versus|vs\.?|compared (?:with|to)|against)\s", re.I), re.compile(r"\sor\s", re.I),
             re.compile(r"\sand\s", re.I)]
_HALF_END = re.compile(r"[，,。？?！!:：；;]")


def _named_halves(question: str, language: str, names: NameIndex | None) -> list[str]:
    """"成渝的中欧班列和厦门的中欧班列，累计开行量各是多少", "Qingdao's marine testing platform or Xixian's 5G testing
    platform": two sides though the gazetteer knows one place (成渝 is a region's short name; Xixian a new area's).
    Each half's side is the name (a place or a proper noun of the documents) it holds and the other half does not;
    no such name on both halves, no sides — "the growth and the share" are two asks, not two sides."""
    if names is None:
        return []
    places = gazetteer(names)
    known = places | frozenset(names.names())
    joins = [_JOINS_ZH] if language == "zh" else _JOINS_EN
    for join in joins:
        for m in join.finditer(question):
            before, after = question[: m.start()], question[m.end():]
            left, right = re.split(_HALF_END, before)[-1], re.split(_HALF_END, after)[0]
            lt = [t for g in term_groups(left, language, names)[0] for t in g]
            rt = [t for g in term_groups(right, language, names)[0] for t in g]
            lone = [t for t in lt if t in known and not YEAR.fullmatch(t) and not any(t in r or r in t for r in rt)]
            rone = [t for t in rt if t in known and not YEAR.fullmatch(t) and not any(t in x or x in t for x in lt)]
            if lone and rone:
                return [_side_name(lone, left, language, places), _side_name(rone, right, language, places)]
    return []


def _names_provider(question: str, cases: list[Case]) -> bool:
    return any(len(k) >= 2 and k in question for c in cases for k in provider_keys(c.provider or ""))
