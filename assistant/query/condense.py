"""A follow-up rewritten by the model into a standalone question, when a generator is configured.

"And how long does the trip take now?" → "How long does the Kaifeng–Lianyungang express lane take now?".
The rule-based resolution (query/followup.py) always runs first and keeps the conversation's case; the
rewrite only gives retrieval and the asks the words the follow-up left out. A rewrite that is empty, too long,
in the other language or not a question is ignored.
"""

from __future__ import annotations

import logging
import re

from assistant.llm.base import BackendError, Generator
from assistant.prompts import load as load_prompt
from assistant.text import detect_language

log = logging.getLogger(__name__)
MAX_CHARS = 200
TURN_CHARS = 200  # of each earlier turn shown: prompt reading costs time to first token


def rewrite(question: str, history: list[dict], language: str, generator: Generator, max_tokens: int = 60) -> str | None:
    """The standalone question, or None when the model's rewrite cannot be used."""
    turns = "\n".join(f"{'用户' if language == 'zh' else 'User'}: {t['content'][:TURN_CHARS]}" if t["role"] == "user"
                      else f"{'助手' if language == 'zh' else 'Assistant'}: {t['content'][:TURN_CHARS]}"
                      for t in history[-2:])
    prompt = load_prompt(f"condense_{language}").render(history=turns, question=question)
    try:
        reply = "".join(generator.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens))
    except BackendError as exc:
        log.warning("follow-up not rewritten: %s", exc)
        return None
    line = next((ln.strip() for ln in reply.splitlines() if ln.strip()), "")
    line = re.sub(r"^(?:改写后的问题|Rewritten question)\s*[:：]\s*", "", line).strip(" \"“”'")
    if not line or len(line) > MAX_CHARS or detect_language(line) != language or line == question:
        return None
    return line
