"""Whether evidence states an attribute a question asks for — beside a figure when it asks how much."""

from __future__ import annotations

from assistant.models import Attribute
from assistant.text import has_figure, sentence_spans


def stated(attribute: Attribute, text: str, with_figure: bool) -> bool:
    """Whether some sentence of the text names the attribute (beside a figure, when one is wanted)."""
    for a, b in sentence_spans(text, 0, len(text)):
        sentence = text[a:b]
        if any(form in sentence for form in attribute.forms) and (not with_figure or has_figure(sentence)):
            return True
    return False
