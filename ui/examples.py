"""The chat window's example questions, written from the loaded catalog.

Officials replace and extend the corpus; examples that name cases of the shipped files would then point at
nothing. Each example below is one kind of question the assistant answers well (a provider, a list by
provider, what a case achieved — in Chinese and in English), filled in with cases that are loaded now.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from assistant.lexicon.names import english_name
from assistant.models import Case, CaseCard

MAX_EXAMPLES = 5
MAX_TITLE = 24


def examples(cases: list[Case], cards: Mapping[str, CaseCard]) -> list[str]:
    """Up to five questions about the loaded cases; none when nothing is loaded."""
    # Short titles: an example is a button, and a news headline makes a poor one.
    real = [c for c in cases if c.kind == "case" and len(c.title) <= MAX_TITLE]
    if not real:
        return []
    providers = Counter(c.provider for c in real if c.provider)
    # Spread the examples over documents: the first case of each document, in catalog order.
    firsts = list({c.document_id: c for c in reversed(real)}.values())[::-1]
    out: list[str] = []
    if firsts[0].provider:
        out.append(f"哪个单位提供了《{firsts[0].title}》案例？")
    by_count = [p for p, n in providers.most_common() if n > 1]
    if by_count:
        out.append(f"列出{by_count[0]}提供的所有案例")
    summary = firsts[1] if len(firsts) > 1 else real[-1]
    out.append(f"《{summary.title}》取得了哪些成效？")
    carded = [c for c in firsts[::-1] + real if c.id in cards and cards[c.id].title_en]
    if carded:
        out.append(f"What did the case “{cards[carded[0].id].title_en}” achieve?")
    english = [_english(p) for p in by_count[1:]]
    if any(english):
        out.append(f"Which cases did {next(e for e in english if e)} provide?")
    return list(dict.fromkeys(out))[:MAX_EXAMPLES]


def _english(provider: str) -> str:
    """'Zhoushan Area' from english_name's "舟山片区 (Zhoushan Area)"; "" when no English name is known."""
    named = english_name(provider)
    return named[named.find("(") + 1 : -1] if named.endswith(")") else ""
