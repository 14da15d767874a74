"""Follow-ups: "它的成效呢？", "And how long does the trip take now?", "那运费呢？" leave their subject out.

Without an LLM (extractive), the follow-up carries the previous question and the cases the previous
answer named; retrieval then favours those cases and the asks inherit what the previous turn asked
for. With a generator configured the pipeline may also ask the model to rewrite the question
(prompts/condense_*.md); this rule-based resolution always runs and is what retrieve() uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.models import Case

_FOLLOW_UP_ZH = re.compile(r"^(它|其|该|这|那|此|上述|前者|后者|第[一二三四五六七八九十\d]+个|这个|那个|他们|它们)|"
                           r"(它|其|该案例|这个案例|这些|那个|这一|上述)|(呢[？?]?$)|^(还有|那么|那|并且|而且|另外|再)")
_FOLLOW_UP_EN = re.compile(r"\b(it|its|they|them|their|this|that|these|those|the (first|second|third|last|former|latter)"
                           r"( one)?|what about|how about|and the)\b|^(and|so|then|also|but)\b", re.I)
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "第一": 1, "第二": 2, "第三": 3, "第四": 4,
             "前者": 1, "latter": 2, "后者": 2, "former": 1}
SHORT_ZH = 40  # characters; longer questions state their own subject
SHORT_EN = 16  # words


@dataclass
class Resolved:
    question: str  # standalone: what retrieval searches for
    follow_up: bool = False
    carried_cases: list[str] = field(default_factory=list)  # case ids the follow-up refers to
    previous_question: str = ""  # the conversation's previous user question (follow-ups only)


def is_follow_up(question: str, language: str) -> bool:
    """Pronouns, ordinals and elliptic openings ("那…呢", "And …") in a short question."""
    if language == "zh":
        return bool(_FOLLOW_UP_ZH.search(question)) and len(question) <= SHORT_ZH
    return bool(_FOLLOW_UP_EN.search(question)) and len(question.split()) <= SHORT_EN


def cases_named_in(text: str, cases: list[Case]) -> list[str]:
    """Case ids whose titles appear in a text, in order of first appearance."""
    found: list[tuple[int, str]] = []
    for case in cases:
        if case.kind == "case" and len(case.title) >= 4:
            pos = text.find(case.title)
            if pos >= 0:
                found.append((pos, case.id))
    return [cid for _, cid in sorted(found)]


def resolve(question: str, language: str, history: list[dict] | None, cases: list[Case], *,
            names_something: bool) -> Resolved:
    """A standalone question for a turn of a conversation.

    A question is a follow-up when it reads like one (a pronoun, "…呢", "And …") or, in a conversation,
    when it names nothing of its own — no place, provider, year, quoted name or case title: an official
    who asks "What was the volume before the reform?" is still talking about the previous case.
    """
    history = [h for h in (history or []) if isinstance(h, dict) and isinstance(h.get("content"), str)]
    previous_user = next((h["content"] for h in reversed(history) if h.get("role") == "user"), "")
    if not previous_user or not (is_follow_up(question, language) or not names_something):
        return Resolved(question)
    previous_answer = next((h["content"] for h in reversed(history) if h.get("role") == "assistant"), "")
    named = cases_named_in(previous_answer, cases) or cases_named_in(previous_user, cases)
    for word, position in _ORDINALS.items():
        if word in question.lower() and len(named) >= position:
            named = [named[position - 1]]
            break
    titles = " ".join(c.title for c in cases if c.id in named[:3])
    return Resolved(f"{previous_user[:200]} {titles} {question}".strip(), True, named[:3], previous_user)


_ELLIPTIC_ZH = re.compile(r"呢[？?。]?$|^(?:那|那么|还有|而)")
_ELLIPTIC_EN = re.compile(r"^(?:and|so|then|but|what about|how about)\b|\b(?:what|how) about\b", re.I)


def elliptic(clause: str, language: str) -> bool:
    """"那运费呢？" / "And the fare?": the clause names a topic and borrows the question from the previous turn."""
    return bool((_ELLIPTIC_ZH if language == "zh" else _ELLIPTIC_EN).search(clause.strip()))
