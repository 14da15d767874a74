"""Citation post-processing: parse [n] markers, verify each cited sentence against its passage,
re-attach or drop markers, renumber in order of first use, and pick the verbatim supporting quote.

Small models drop or invent markers; nothing here trusts them. Support is checked with signals
that need no model: shared figures, shared character bigrams (Chinese), glossary terms (English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import glossary
from assistant.language import detect_language
from assistant.models import Citation, Hit
from ingest.chunking import sentence_spans

# [1] [1,2] [1, 2] [1-3] 【1】 ［1］ [^1] (1 and 2 forms as models write them)
MARKER = re.compile(r"[\[【［]\^?\s*(\d{1,2}(?:\s*[,，、\-–]\s*\d{1,2})*)\s*[\]】］]")
# Chinese sentence ends, newlines, and an English full stop followed by a space (not 11.7 or e.g.).
_SENTENCE = re.compile(r"[^。！？!?；;\n]+?(?:[。！？!?；;]+[”’」』）)]*\n?|(?<!\be\.g)(?<!\bi\.e)\.(?:\s+|$)|\n|$)")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
SUPPORT_THRESHOLD = 0.34


@dataclass
class CheckedSentence:
    text: str  # without markers
    cited: list[int] = field(default_factory=list)  # 1-based indexes into the evidence list
    quotes: dict[int, str] = field(default_factory=dict)
    unsupported: bool = False
    break_after: bool = False  # the sentence ended a line (list items, paragraphs)


def parse_markers(text: str) -> list[int]:
    """All marker numbers in order of appearance ('[1,3]' → 1, 3; '[2-4]' → 2, 3, 4)."""
    numbers: list[int] = []
    for m in MARKER.finditer(text):
        for part in re.split(r"\s*[,，、]\s*", m.group(1)):
            if re.search(r"[\-–]", part):
                a, b = (int(x) for x in re.split(r"\s*[\-–]\s*", part))
                numbers.extend(range(a, b + 1) if 0 < b - a < 10 else [a, b])
            else:
                numbers.append(int(part))
    return numbers


def strip_markers(text: str) -> str:
    return re.sub(r"\s+([。，！？；.,!?;])", r"\1", MARKER.sub("", text)).strip()


def split_sentences(text: str) -> list[str]:
    return [s for s in (m.group(0) for m in _SENTENCE.finditer(text)) if s.strip()]


def numbers_in(text: str) -> set[str]:
    """Figures a reader would check: '11.7', '4350', '2020' (thousands separators removed)."""
    return {n.replace(",", "") for n in _NUMBER.findall(text) if len(n.replace(",", "").replace(".", "")) >= 2}


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def support(sentence: str, passage: str) -> float:
    """How well a passage (sentence) supports an answer sentence, 0..1."""
    figures = numbers_in(sentence)
    passage_figures = numbers_in(passage)
    if figures and not figures <= passage_figures:
        return 0.0  # a figure the passage does not state is never supported
    if detect_language(sentence) == "zh":
        grams = _bigrams(sentence)
        overlap = len(grams & _bigrams(passage)) / len(grams) if grams else 0.0
    else:
        terms = glossary.expand(sentence)
        overlap = sum(1 for t in terms if t in passage) / len(terms) if terms else 0.0
        chinese_quoted = "".join(re.findall(r"[\u4e00-\u9fff]+", sentence))
        if chinese_quoted:  # English answers keep Chinese names: 舟山片区 (Zhoushan Area)
            grams = _bigrams(chinese_quoted)
            overlap = max(overlap, len(grams & _bigrams(passage)) / len(grams) if grams else 0.0)
    if figures:
        overlap = min(1.0, overlap + 0.4)
    return overlap


def best_quote(sentence: str, hit: Hit) -> tuple[str, float]:
    """The chunk's sentence that best supports the answer sentence, verbatim, with its score."""
    text = hit.chunk.text
    # The case's title and provider belong to every passage of it: "…由杭州片区提供" is supported
    # by the case header even though the chunk text never repeats it. The quote stays verbatim.
    header = f"{hit.case.title}（{hit.case.provider or ''}） "
    best, best_score = "", -1.0
    for a, b in sentence_spans(text, 0, len(text)):
        candidate = text[a:b].strip()
        score = support(sentence, header + candidate)
        if score > best_score:
            best, best_score = candidate, score
    whole = support(sentence, header + text)
    if whole > best_score + 0.25:
        return text.strip()[:300], whole
    return best, best_score


def check(answer_text: str, hits: list[Hit]) -> tuple[list[CheckedSentence], int]:
    """Verify every sentence; returns the sentences with their (re-attached) citations and the unsupported count."""
    checked: list[CheckedSentence] = []
    unsupported = 0
    # "…第一。[1]" — a marker after the full stop belongs to the sentence before it.
    answer_text = re.sub(r"([。！？!?；;.][”’」』）)]*)([ \t]*(?:" + MARKER.pattern + r")+)",
                         lambda m: m.group(2).strip() + m.group(1), answer_text)
    for raw in split_sentences(answer_text):
        sentence = strip_markers(raw)
        if not sentence or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", sentence):
            continue
        cited = [n for n in dict.fromkeys(parse_markers(raw)) if 1 <= n <= len(hits)]  # out-of-range dropped
        result = CheckedSentence(sentence, break_after=raw.endswith("\n"))
        for n in cited:
            quote, score = best_quote(sentence, hits[n - 1])
            if score >= SUPPORT_THRESHOLD:
                result.cited.append(n)
                result.quotes[n] = quote
        if not result.cited and _is_claim(sentence):
            # Missing or wrong marker: attach the passage that supports the sentence best, if any does.
            scored = [(best_quote(sentence, h), i) for i, h in enumerate(hits, start=1)]
            (quote, score), n = max(scored, key=lambda x: x[0][1]) if scored else (("", 0.0), 0)
            if score >= SUPPORT_THRESHOLD:
                result.cited, result.quotes[n] = [n], quote
            else:
                result.unsupported = True
                unsupported += 1
        checked.append(result)
    return checked, unsupported


def _is_claim(sentence: str) -> bool:
    """Framing ('根据资料：', 'According to the documents:') needs no citation; statements do."""
    core = sentence.strip()
    if core.endswith(("：", ":")):
        return False
    return len(core) >= 8 and not core.endswith(("如下", "as follows"))


def render(checked: list[CheckedSentence], hits: list[Hit], drop_unsupported_figures: bool = True
           ) -> tuple[str, list[Citation]]:
    """Text with markers renumbered in order of first use, and the matching citations."""
    order: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for sentence in checked:
        if sentence.unsupported and drop_unsupported_figures and numbers_in(sentence.text):
            continue  # an uncited figure is worse than no sentence: officials copy figures
        markers = ""
        for n in sentence.cited:
            if n not in order:
                order[n] = len(order) + 1
                hit = hits[n - 1]
                citations.append(Citation(
                    n=order[n], case_id=hit.case.id, case_title=hit.case.title, provider=hit.case.provider,
                    document_title=hit.case.document_title, source_file=hit.case.source_file,
                    section=hit.chunk.section, quote=sentence.quotes[n], chunk_id=hit.chunk.id,
                    page=hit.chunk.page,
                ))
            markers += f"[{order[n]}]"
        parts.append(_place_markers(sentence.text, markers) + ("\n" if sentence.break_after else ""))
    return _join(parts), citations


def _place_markers(sentence: str, markers: str) -> str:
    stripped = sentence.rstrip()
    if markers and (stripped[:1].isascii() and stripped[:1].isalpha() or stripped.startswith("- ")):
        markers = " " + markers  # "… tons [1]." reads as English; Chinese takes no space
    m = re.search(r"[。！？!?；;.]+[”’」』）)]*$", stripped)
    if markers and m:
        return stripped[: m.start()] + markers + stripped[m.start():]
    return stripped + markers


def _join(parts: list[str]) -> str:
    out = ""
    for part in parts:
        if out and not out.endswith("\n") and out[-1:].isascii() and part[:1].isascii():
            out += " "  # English sentences need a space between them; Chinese ones do not
        out += part
    return out.strip()
