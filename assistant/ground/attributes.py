"""Whether evidence states an attribute a question asks for — beside a figure when it asks how much."""

from __future__ import annotations

import re

from assistant.models import Attribute
from assistant.text import has_figure, sentence_spans

_DIGIT = re.compile(r"\d")


def stated(attribute: Attribute, text: str, with_figure: bool) -> bool:
    """Whether some sentence of the text names the attribute (beside a figure, when one is wanted). A table's
    header cell ("| 试点银行数量（家） |") names it for the figures in the rows under it."""
    spans = sentence_spans(text, 0, len(text))
    for i, (a, b) in enumerate(spans):
        sentence = text[a:b]
        if not any(form in sentence for form in attribute.forms):
            continue
        if not with_figure or has_figure(sentence):
            return True
        below = text[spans[i + 1][0]:spans[i + 1][1]] if i + 1 < len(spans) else ""
        if "|" in sentence and "|" in below and _DIGIT.search(below):
            return True
    return False
