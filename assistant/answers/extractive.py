"""The `extractive` backend: no LLM; the answer is the evidence's best supporting sentences, each
with its [n], in a short frame in the question's language. Deterministic and fast."""

from __future__ import annotations

import re

from assistant.lexicon.names import english_name
from assistant.models import Hit
from assistant.query.analyse import key_terms, wants_figure
from assistant.query.route import asks_provider, compares
from assistant.text import has_figure, sentence_spans

MIN_SENTENCE_SCORE = 1.0  # a sentence sharing less with the question is not an answer to it
FIGURE_BONUS = 2.0  # for a sentence with a quantity, when the question asks how much / how many
UNRETRIEVED_PENALTY = 2.0  # for a passage of the lead case that retrieval did not return


def _sentence_score(sentence: str, terms: list[str], rank: int, wants_figure: bool = False) -> float:
    hits = sum(min(len(t), 4) for t in terms if t in sentence)
    if wants_figure and has_figure(sentence):
        figures = FIGURE_BONUS  # "how many" is answered by the sentence with the number, not the one about it
    else:
        figures = 0.5 if re.search(r"\d", sentence) else 0.0
    return hits + figures - 0.3 * rank


def pick_sentences(question: str, language: str, hits: list[Hit], limit: int = 3) -> list[tuple[int, str]]:
    """(evidence number, verbatim sentence) pairs that best match the question, at most 2 per case."""
    terms, required = key_terms(question, language)
    terms = terms + required
    figure = wants_figure(question)
    case_rank = {case_id: r for r, case_id in enumerate(dict.fromkeys(h.case.id for h in hits))}
    scored: list[tuple[float, int, str]] = []
    for n, hit in enumerate(hits, start=1):
        text = hit.chunk.text
        for a, b in sentence_spans(text, 0, len(text)):
            sentence = text[a:b].strip()
            if len(sentence) < 12 or not re.search(r"[。！？；;]$|[。！？][”’]$", sentence) and len(sentence) < 30:
                continue  # headings and fragments are not answers
            score = _sentence_score(sentence, terms, case_rank[hit.case.id], figure)
            if not hit.score:  # score 0: added by with_lead_case_passages, so it must be clearly better
                score -= UNRETRIEVED_PENALTY
            scored.append((score, n, sentence))
    scored.sort(key=lambda x: (-x[0], x[1]))
    if scored:
        case_best: dict[str, float] = {}
        for score, n, _ in scored:
            case_best.setdefault(hits[n - 1].case.id, score)
        # One case answers: retrieval's top case (reranked by how much of the question it covers),
        # as long as it has a sentence that matches at all. Sentence overlap alone picks the wrong case
        # more often, and every extra case is one the official reads for nothing.
        top = hits[0].case.id
        lead = top if case_best.get(top, 0.0) >= MIN_SENTENCE_SCORE else hits[scored[0][1] - 1].case.id
        allowed = [lead]
        if compares(question):  # a comparison needs its second case: the next one retrieval ranks
            allowed += [c for c in dict.fromkeys(h.case.id for h in hits)
                        if c != lead and case_best.get(c, 0.0) >= MIN_SENTENCE_SCORE][:1]
        # Within a case, only sentences near its best one: a weak third sentence misleads.
        scored = [s for s in scored if hits[s[1] - 1].case.id in allowed
                  and s[0] >= max(0.5 * case_best[hits[s[1] - 1].case.id], MIN_SENTENCE_SCORE)] or scored[:1]
    chosen: list[tuple[int, str]] = []
    per_case: dict[str, int] = {}
    for _score, n, sentence in scored:
        case_id = hits[n - 1].case.id
        if per_case.get(case_id, 0) >= 2 or any(sentence == s for _, s in chosen):
            continue
        chosen.append((n, sentence))
        per_case[case_id] = per_case.get(case_id, 0) + 1
        if len(chosen) == limit:
            break
    return sorted(chosen, key=lambda x: x[0])


def answering_hits(question: str, hits: list[Hit]) -> list[Hit]:
    """The passages an answer should draw on: the lead case's, and the next case's when the question
    compares. A model shown five cases cites three of them (local citation precision 0.86); the
    official asked about one."""
    order = list(dict.fromkeys(h.case.id for h in hits))
    keep = set(order[:2] if compares(question) else order[:1])
    return [h for h in hits if h.case.id in keep]


def excerpt(question: str, language: str, text: str, limit: int) -> str:
    """The passage's sentences that matter most for the question, in their original order, within limit chars."""
    terms, required = key_terms(question, language)
    terms = terms + required
    spans = sentence_spans(text, 0, len(text))
    ranked = sorted(range(len(spans)), key=lambda i: (-_sentence_score(text[spans[i][0]:spans[i][1]], terms, 0), i))
    keep: list[int] = []
    used = 0
    for i in ranked:
        length = spans[i][1] - spans[i][0]
        if keep and used + length > limit:
            continue
        keep.append(i)
        used += length
    return "".join(text[spans[i][0]:spans[i][1]] for i in sorted(keep)).strip()[: max(limit, 1) * 2]


def compose(question: str, language: str, hits: list[Hit], limit: int = 3) -> str:
    """An answer of verbatim evidence sentences with [n] markers (numbers index `hits`)."""
    chosen = pick_sentences(question, language, hits, limit)
    if not chosen:
        return ""
    lines: list[str] = []
    lead = _provider_lead(question, language, hits)
    if lead:
        lines.append(lead)
    if language == "zh":
        lines.append("根据资料：")
        for n, sentence in chosen:
            case = hits[n - 1].case
            who = f"（{case.provider}）" if case.provider else ""
            lines.append(f"《{case.title}》{who}：{_with_marker(sentence, n)}")
    else:
        lines.append("According to the documents (quoted in Chinese):")
        for n, sentence in chosen:
            case = hits[n - 1].case
            who = f", provided by {english_name(case.provider)}" if case.provider else ""
            lines.append(f"- Case “{case.title}”{who}: “{sentence}” [{n}]")
    return "\n".join(lines)


def _provider_lead(question: str, language: str, hits: list[Hit]) -> str:
    """'Which area provided X?' is answered first in one sentence, cited to the case it names."""
    if not hits or not asks_provider(question, language) or not hits[0].case.provider:
        return ""
    case = hits[0].case
    if language == "zh":
        return f"《{case.title}》由{case.provider}提供[1]。"
    return f"The case “{case.title}” was provided by {english_name(case.provider)} [1]."


def _with_marker(sentence: str, n: int) -> str:
    m = re.search(r"[。！？；;]+[”’]?$", sentence)
    return sentence[: m.start()] + f"[{n}]" + sentence[m.start():] if m else sentence + f"[{n}]"
