"""Generation: the prompt a model sees (the evidence sentences, not whole passages), the backend (or the
extractive fallback), and scrubbing a reply that repeats our instructions.

The small local model's role is narrow: it rewrites the sentences chosen per ask into a short answer in
the question's language. Prompt processing runs at ~60–80 tok/s on 2 cores, so every character of
evidence costs time to first token; the sentences are a few hundred characters instead of five passages.
"""

from __future__ import annotations

from assistant.answers import citations
from assistant.config import Settings
from assistant.llm.base import BackendError, Generator
from assistant.llm.registry import get_generator
from assistant.models import Evidence, Hit, Query
from assistant.prompts import load as load_prompt


def generator_for(name: str, settings: Settings) -> tuple[Generator | None, str | None]:
    """The generator for a backend name, or (None, notice) when falling back to extractive."""
    try:
        return get_generator(name, settings), None
    except BackendError as exc:
        if settings.llm.fallback != "extractive":
            raise
        return None, f"{exc}（已改用摘录式回答 / showing an extractive answer instead）"


def messages_for(query: Query, evidence: Evidence, keep: list[int], numbers: list[int], hits: list[Hit],
                 history: list[dict], budget: int) -> list[dict[str, str]]:
    """System rules, the last turns, and the numbered evidence sentences with the question. The sentences that
    answer an ask come first; others (a summary's) only while they fit the budget in characters."""
    block = load_prompt("evidence_block")
    ordered = [i for i in keep if evidence.sentences[i].asks] + [i for i in keep if not evidence.sentences[i].asks]
    shown: list[int] = []
    used = 0
    for i in ordered:
        length = len(evidence.sentences[i].text)
        if shown and used + length > budget and not evidence.sentences[i].asks:
            continue
        shown.append(i)
        used += length
    grouped: dict[int, list[str]] = {}
    for i in sorted(shown):
        grouped.setdefault(numbers[i], []).append(evidence.sentences[i].text)
    blocks = "\n\n".join(
        block.render(n=n, case_title=hits[n - 1].case.title, provider=hits[n - 1].case.provider or "—",
                     text="".join(texts)).strip()
        for n, texts in sorted(grouped.items()))
    system = load_prompt(f"system_{query.language}").render()
    user = load_prompt(f"question_{query.language}").render(evidence=blocks, question=query.question)
    messages = [{"role": "system", "content": system}]
    for turn in history[-2:]:
        messages.append({"role": turn["role"], "content": turn["content"][:300]})
    messages.append({"role": "user", "content": user})
    return messages


def repeats_instructions(sentence: str) -> bool:
    """A model sentence that repeats our instructions never reaches the user, whatever the question asked."""
    core = citations.strip_markers(sentence)
    return len(core) >= 8 and not citations.numbers_in(core) and any(
        citations.support(core, load_prompt(f"system_{lang}").text) >= 0.7 for lang in ("zh", "en"))
