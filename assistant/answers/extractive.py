"""The `extractive` backend: no LLM; the answer is the evidence sentences chosen per ask, each with its [n],
in a short frame in the question's language. Deterministic and fast."""

from __future__ import annotations

import re

from assistant.lexicon.names import english_name
from assistant.models import Case, Evidence, Hit, Query
from assistant.text import quoted


def compose(query: Query, evidence: Evidence, stated: list[bool], numbers: list[int], hits: list[Hit],
            titles_en: dict[str, str] | None = None) -> str:
    """An answer of verbatim evidence sentences with [n] markers (numbers[i] is sentence i's index in `hits`),
    in a short frame in the question's language; the asks the evidence does not state are named after it."""
    answered = {k for k, ok in enumerate(stated) if ok}
    keep = [i for i, s in enumerate(evidence.sentences) if numbers[i] and (not s.asks or answered & set(s.asks))]
    if not keep:
        return ""
    lines: list[str] = []
    lead = _provider_lead(query, evidence.cases[0] if evidence.cases else None)
    if lead:
        lines.append(lead)
    by_case: dict[str, list[int]] = {}
    for i in keep:
        by_case.setdefault(evidence.sentences[i].case_id, []).append(i)
    cases = {c.id: c for c in evidence.cases}
    if query.language == "zh":
        lines.append("根据资料：")
        for case_id, idx in by_case.items():
            case = cases[case_id]
            who = f"（{case.provider}）" if case.provider else ""
            body = "".join(_with_marker(evidence.sentences[i].text, numbers[i]) for i in idx)
            lines.append(f"《{case.title}》{who}：{body}")
    else:
        lines.append("According to the documents (quoted in Chinese):")
        for case_id, idx in by_case.items():
            case = cases[case_id]
            who = f", provided by {english_name(case.provider)}" if case.provider else ""
            body = " ".join(f"“{evidence.sentences[i].text}” [{numbers[i]}]" for i in idx)
            english = (titles_en or {}).get(case.id)
            named = f"{quoted(case.title)} ({english})" if english else quoted(case.title)
            lines.append(f"- Case {named}{who}: {body}")
    return "\n".join(lines)


def unstated_lines(query: Query, stated: list[bool], evidence: Evidence) -> list[str]:
    """A line naming what the question asked and the case gives no answer of that kind for (the rest is
    answered). An ask only judged off its topic is left unnamed: that judgement is too rough to tell an
    official the documents are silent."""
    kinds_missing = {f.ask for f in evidence.findings if not f.kind_ok}
    missing = [query.asks[k].text for k, ok in enumerate(stated) if not ok and k < len(query.asks) and k in kinds_missing]
    if not missing or not any(stated):
        return []
    if query.language == "zh":
        return ["资料中未说明：" + "；".join(m.rstrip("？?。") for m in missing) + "。"]
    return ["The documents do not state: " + "; ".join(m.rstrip("?.") for m in missing) + "."]


def _provider_lead(query: Query, case: Case | None) -> str:
    """'Which area provided X?' is answered first in one sentence, cited to the case it names."""
    if case is None or query.intent != "provider" or not case.provider:
        return ""
    if query.language == "zh":
        return f"《{case.title}》由{case.provider}提供[1]。"
    return f"The case {quoted(case.title)} was provided by {english_name(case.provider)} [1]."


def _with_marker(sentence: str, n: int) -> str:
    m = re.search(r"[。！？；;]+[”’]?$", sentence)
    return sentence[: m.start()] + f"[{n}]" + sentence[m.start():] if m else sentence + f"[{n}]"
