"""Generation: the evidence excerpts a model sees, the prompt messages, the backend (or the extractive
fallback), and scrubbing a reply that repeats our instructions."""

from __future__ import annotations

from assistant.answers import citations, extractive
from assistant.answers.prompts import load as load_prompt
from assistant.config import Settings
from assistant.llm.base import BackendError
from assistant.llm.registry import get_generator
from assistant.models import Hit


def generator_for(name: str, settings: Settings):
    """The generator for a backend name, or (None, notice) when falling back to extractive."""
    try:
        return get_generator(name, settings), None
    except BackendError as exc:
        if settings.llm.fallback != "extractive":
            raise
        return None, f"{exc}（已改用摘录式回答 / showing an extractive answer instead）"


def budget(question: str, language: str, hits: list[Hit], chars: int) -> list[tuple[Hit, str]]:
    """3–5 passages cut to their most relevant sentences within the evidence budget.

    Prompt processing runs at ~60 tok/s on 2 cores, so every character of evidence costs time to
    first token; the model sees excerpts, while citations are still checked against whole chunks.
    """
    per_passage = max(160, chars // 4)
    chosen: list[tuple[Hit, str]] = []
    used = 0
    for hit in hits[:5]:
        excerpt = extractive.excerpt(question, language, hit.chunk.text, per_passage)
        if len(chosen) >= 3 and used + len(excerpt) > chars:
            break
        chosen.append((hit, excerpt))
        used += len(excerpt)
    return chosen


def messages_for(question: str, language: str, evidence: list[tuple[Hit, str]], history: list[dict]
              ) -> list[dict[str, str]]:
    block = load_prompt("evidence_block")
    blocks = "\n\n".join(
        block.render(n=i, case_title=h.case.title, provider=h.case.provider or "—", text=text).strip()
        for i, (h, text) in enumerate(evidence, 1)
    )
    system = load_prompt(f"system_{language}").render()
    user = load_prompt(f"question_{language}").render(evidence=blocks, question=question)
    messages = [{"role": "system", "content": system}]
    for turn in history[-2:]:
        messages.append({"role": turn["role"], "content": turn["content"][:300]})
    messages.append({"role": "user", "content": user})
    return messages


def scrub_prompt_leak(raw: str) -> str:
    """Sentences that repeat our instructions never reach the user, whatever the question asked."""
    rules = [load_prompt(f"system_{lang}").text for lang in ("zh", "en")]
    kept = []
    for sentence in citations.split_sentences(raw):
        core = citations.strip_markers(sentence)
        if len(core) >= 8 and any(citations.support(core, rule) >= 0.7 and not citations.numbers_in(core)
                                  for rule in rules):
            continue
        kept.append(sentence)
    return "".join(kept)
