"""Follow-ups without an LLM: carry the previous question and the cases the previous answer named.

"它的成效呢？" / "what about the second one?" cannot be retrieved on their own. The LLM-based
rewrite (when a generator is available) lives in the answer pipeline; this is the fallback that
always runs, and the part retrieve() uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.models import Case

_FOLLOW_UP_ZH = re.compile(r"^(它|其|该|这|那|此|上述|前者|后者|第[一二三四五六七八九十\d]+个|这个|那个|他们|它们)|"
                           r"(它|其|该案例|这个案例|这些|那个|这一|上述)|(呢[？?]?$)|^(还有|那么|那)")
_FOLLOW_UP_EN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|the (first|second|third|last|former|latter)"
                           r"( one)?|what about|how about|and the)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "第一": 1, "第二": 2, "第三": 3, "第四": 4,
             "前者": 1, "latter": 2, "后者": 2, "former": 1}


@dataclass
class Condensed:
    query: str  # what retrieval searches for
    carried_cases: list[str] = field(default_factory=list)  # case ids the follow-up refers to
    is_follow_up: bool = False


def is_follow_up(question: str, language: str) -> bool:
    if language == "zh":
        return bool(_FOLLOW_UP_ZH.search(question)) and len(question) <= 40
    return bool(_FOLLOW_UP_EN.search(question)) and len(question.split()) <= 16


def cases_named_in(text: str, cases: list[Case]) -> list[str]:
    """Case ids whose titles appear in a text, in order of first appearance."""
    found: list[tuple[int, str]] = []
    for case in cases:
        if case.kind == "case" and len(case.title) >= 4:
            pos = text.find(case.title)
            if pos >= 0:
                found.append((pos, case.id))
    return [cid for _, cid in sorted(found)]


def condense(question: str, history: list[dict] | None, language: str, cases: list[Case]) -> Condensed:
    """A standalone retrieval query for a question asked in a conversation."""
    history = [h for h in (history or []) if isinstance(h, dict) and isinstance(h.get("content"), str)]
    if not history or not is_follow_up(question, language):
        return Condensed(question)
    previous_user = next((h["content"] for h in reversed(history) if h.get("role") == "user"), "")
    previous_answer = next((h["content"] for h in reversed(history) if h.get("role") == "assistant"), "")
    named = cases_named_in(previous_answer, cases) or cases_named_in(previous_user, cases)
    for word, position in _ORDINALS.items():
        if word in question.lower() and len(named) >= position:
            named = [named[position - 1]]
            break
    titles = " ".join(c.title for c in cases if c.id in named[:3])
    return Condensed(f"{previous_user[:200]} {titles} {question}".strip(), named[:3], True)
