"""How much the retrieved evidence covers the question: key terms, required entities, per case.

Drives refusal ("the documents don't say") without an LLM. A question naming a place, year or figure
is only answerable from a case that contains it *together with* the question's other terms — 银湾 in
a news item does not make a 星港 plan about 银湾 (invented names).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.config import GroundSettings
from assistant.ground.attributes import stated
from assistant.models import Attribute, Case, Hit, Query
from assistant.query.analyse import YEAR
from assistant.retrieval.rerank import evidence_by_case, fractions_of


@dataclass
class Coverage:
    key_terms: list[str] = field(default_factory=list)
    required: list[str] = field(default_factory=list)  # places, years, quoted names
    best_case: Case | None = None
    best_fraction: float = 0.0  # weighted share of key terms found in the best case's evidence
    missing_required: list[str] = field(default_factory=list)
    missing_attributes: list[Attribute] = field(default_factory=list)  # asked for, never stated
    unquantified: list[Attribute] = field(default_factory=list)  # named, but with no figure
    off_topic: bool = False  # shares only place names with the evidence, and is far from it in meaning
    strong_fraction: float = 0.45

    @property
    def strong(self) -> bool:
        return (not self.missing_required and not self.missing_attributes and not self.off_topic
                and self.best_fraction >= self.strong_fraction)


def coverage(query: Query, hits: list[Hit], settings: GroundSettings, top: int = 6,
             case_text: Callable[[Case], str] | None = None, similarity: float | None = None,
             off_topic_similarity: float | None = None) -> Coverage:
    """Which single case among the top hits covers the question best.

    `case_text` gives a case's whole text, where an asked-for attribute is looked up (the sentence that
    states it need not be among the retrieved passages); without it only the passages count.
    `similarity` is the question's cosine to its nearest passage (RetrievalTrace.top_similarity), compared
    with `off_topic_similarity`, the threshold measured for the configured encoder.
    """
    groups, required = query.concepts, query.required
    places = set(query.place_terms) | set(query.places)
    result = Coverage(query.terms, required, strong_fraction=settings.strong_fraction if query.language == "zh"
                      else settings.strong_fraction_en)
    by_case = evidence_by_case(hits[:top])
    fractions = fractions_of(query, by_case, settings.unknown_word_weight)
    for case_id, (case, _) in by_case.items():
        if result.best_case is None or fractions[case_id] > result.best_fraction:
            result.best_case, result.best_fraction = case, fractions[case_id]
    # "Beijing's weather this weekend": the place is the only word the evidence shares, and the meaning
    # is far from every passage. Either alone is common in answerable English questions (a glossary gap;
    # a terse question), both together were only ever off-topic in the eval sets.
    # Only the question's own words count here (a Chinese word, a glossary term, a name), not an English word's
    # dictionary senses: "capital of France" matching 资本 somewhere is no topic.
    weights = query.concept_weights or [1.0] * len(groups)
    only_places = bool(by_case) and not any(
        any(t in text for t in g) for g, w in zip(groups, weights)
        if w >= 1.0 and not (g[0] in places or g[0].endswith("片区"))  # a name group leads with the name asked
        for _, text in by_case.values())
    # A question far in meaning from every passage whose words match only loosely (a dictionary sense here and
    # there: "office" in "reset the toner counter on an office printer") is off topic too.
    loose = result.best_fraction < settings.loose_fraction
    result.off_topic = ((only_places or loose) and similarity is not None and off_topic_similarity is not None
                        and similarity < off_topic_similarity)
    # A comparison is answered by a case per side, each covering its own half of the question: the required names
    # ("不见面", 2023) are looked for in every retrieved case, not only in those as close as the best one or those
    # naming the one place the question gives (烟台 is one side's; 西咸新区's case is the other).
    floor = 0.0 if query.intent == "compare" else result.best_fraction - settings.answering_margin
    own_places = [p for p in query.places if p not in query.collection_places]  # the collection's are its title's
    answering = _answering_cases(by_case, fractions, floor, [] if query.intent == "compare" else own_places,
                                 case_text)
    answering_text = " ".join(text for _, text in answering)
    # Places must appear in the passages (a comparison spreads them over two cases): 宁夏 in a question
    # about the Yellow River cases is in none of them, though their texts mention it in passing. A year,
    # batch or quoted name must be in a case that answers — anywhere in its text, as the passage with it
    # may not have been retrieved; 2022 in a neighbouring case does not date this one. The year in a
    # document's title (十佳案例（2021年第一批）) or preamble dates the collection, not the case; its
    # batch does name the collection.
    passages = " ".join(text for _, text in by_case.values())
    if query.intent in ("lookup", "summary"):
        # A lookup's place must be where its answer is: the retrieved passages of an answering case, its title,
        # provider or document title ("How many foreign patent agencies … in Shenzhen?" is not answered by
        # Guangzhou's case because another retrieved case mentions 深圳).
        passages = " ".join(f"{by_case[case.id][1]} {case.title} {case.document_title} {case.provider or ''}"
                            for case, _ in answering)
    undated_text = " ".join(text.replace(case.document_title, " ") for case, text in answering
                            if case.kind != "preamble" or case is result.best_case)
    titles = " ".join(case.document_title for case, _ in answering)
    result.missing_required = [r for r in required if not _states(r, (
        titles if r in query.collection_places else
        undated_text if YEAR.fullmatch(r) else passages if r in places else answering_text))]
    # The attribute asked for must be stated by an answering case, not by any passage retrieved: 利率 in
    # a loan case does not give the coupon rate of Hainan's bond.
    figure = query.wants_figure
    counted = query.counted
    result.missing_attributes = [a for a in query.attributes if not stated(a, answering_text, figure)]
    result.missing_attributes += [a for a in counted if not stated(a, answering_text, True)]
    result.unquantified = [a for a in result.missing_attributes
                           if (figure or a in counted) and stated(a, answering_text, False)]
    return result


def _states(required: str, text: str) -> bool:
    """The text names it; 第一批 is also written 首批 (第一期 首期, 第一届 首届)."""
    return required in text or (required.startswith("第一") and f"首{required[2:]}" in text)


def _answering_cases(by_case: dict[str, tuple[Case, str]], fractions: dict[str, float], floor: float,
                     places: list[str], case_text: Callable[[Case], str] | None) -> list[tuple[Case, str]]:
    """Cases covering the question about as well as the best one, with their passages and whole text;
    when the question names places, only those that talk about one (not merely in their document's title)."""
    answering = [(case, text + " " + (case_text(case) if case_text else ""))
                 for case_id, (case, text) in by_case.items() if fractions[case_id] >= floor]
    if places:
        answering = [(case, text) for case, text in answering
                     if any(p in text.replace(case.document_title, " ") for p in places)]
    return answering
