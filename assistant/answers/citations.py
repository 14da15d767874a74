"""Citation post-processing: parse [n] markers, verify each cited sentence against its passage,
re-attach or drop markers, renumber in order of first use, and pick the verbatim supporting quote.

Small models drop or invent markers; nothing here trusts them. Support is checked with signals
that need no model: shared figures, shared character bigrams (Chinese), glossary terms (English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant.lexicon import dictionary
from assistant.lexicon.translate import english_terms
from assistant.lexicon.wordlists import places
from assistant.models import Citation, Hit
from assistant.text import (
    detect_language,
    magnitudes_match,
    numbers_in,
    sentence_spans,
    split_sentences,
    unscaled_numbers,
)

# [1] [1,2] [1, 2] [1-3] 【1】 ［1］ [^1] (1 and 2 forms as models write them)
MARKER = re.compile(r"[\[【［]\^?\s*(\d{1,2}(?:\s*[,，、\-–]\s*\d{1,2})*)\s*[\]】］]")
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


def _bigrams(text: str) -> set[str]:
    chars = re.sub(r"[^\u4e00-\u9fffA-Za-z0-9]", "", text)
    return {chars[i : i + 2] for i in range(len(chars) - 1)}


def support(sentence: str, passage: str) -> float:
    """How well a passage (sentence) supports an answer sentence, 0..1."""
    figures = numbers_in(sentence)
    if not unscaled_numbers(sentence) <= numbers_in(passage):
        return 0.0  # a figure the passage does not state is never supported
    if not magnitudes_match(sentence, passage):
        return 0.0  # nor an amount at another magnitude: "50 billion" for 50亿 (5 billion); 43.21 million = 4321万
    if any(place not in passage for place in places_named(sentence)):
        return 0.0  # nor a place it does not name: "2 offices in Shenzhen" from a passage about Guangzhou
    if detect_language(sentence) == "zh":
        grams = _bigrams(sentence)
        overlap = len(grams & _bigrams(passage)) / len(grams) if grams else 0.0
    else:
        # Concepts of the English sentence in Chinese (glossary, dictionary): the share the passage holds.
        groups = _english_groups(sentence)
        overlap = sum(1 for g in groups if any(t in passage for t in g)) / len(groups) if groups else 0.0
        chinese_quoted = "".join(re.findall(r"[\u4e00-\u9fff]+", sentence))
        if chinese_quoted:  # English answers keep Chinese names: 舟山片区 (Zhoushan Area)
            grams = _bigrams(chinese_quoted)
            overlap = max(overlap, len(grams & _bigrams(passage)) / len(grams) if grams else 0.0)
    if figures:
        overlap = min(1.0, overlap + 0.4)
    return overlap


@lru_cache(maxsize=4096)
def _english_groups(sentence: str) -> list[list[str]]:
    return english_terms(sentence, None)[0]


_CAPITALISED = re.compile(r"(?<![A-Za-z])[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?")


@lru_cache(maxsize=4096)
def places_named(sentence: str) -> tuple[str, ...]:
    """Places an answer sentence names, in Chinese: the country's places for Chinese text, and for English the
    capitalised words CC-CEDICT knows as places (Shenzhen → 深圳)."""
    if detect_language(sentence) == "zh":
        return tuple(p for p in places() if p in sentence)
    found = []
    for word in dict.fromkeys(_CAPITALISED.findall(sentence)):
        for match in dictionary.lookup(word, limit=3):
            if match.exact and dictionary.proper_kind(match.chinese) == "place":
                found.append(match.chinese)
                break
    return tuple(found)


def best_quote(sentence: str, hit: Hit) -> tuple[str, float]:
    """The chunk's sentence that best supports the answer sentence, verbatim, with its score."""
    text = hit.chunk.text
    # The case's title and provider belong to every passage of it: "…由杭州片区提供" is supported
    # by the case header even though the chunk text never repeats it. The quote stays verbatim.
    header = f"{hit.case.title}（{hit.case.provider or ''}）{hit.case.document_title} "
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


# ---------------------------------------------------------------- figures keep their meaning

# What a figure is, by the words right before it: a new level ("降至3850元", "now 7 hours", "to 30万件"),
# an old level ("由5500元", "from 14 hours", "此前…"), or an amount of change ("节省3850元", "saved", "cut by").
_LEVEL_ZH = re.compile(r"(?:降至|降到|降为|缩短至|缩短到|缩短为|压缩至|压缩到|减少至|减少到|减至|提升至|提升到|提高至|提高到|增长至|增加到|增至|达到|达|为|仅需|只需|精简为|精简至|现在|目前|变为)\s*(?:约|超过|超)?\s*$")
_FROM_ZH = re.compile(r"(?:由|从|此前|以往|原来|原先|过去|改革前|以前)\D{0,12}$")
_CHANGE_ZH = re.compile(r"(?:节约|节省|省下|降低了|减少了|缩短了|压缩了|提升了|提高了|增长了|增加了|下降了|增长|下降|减少|节约了|节省了|省了|省)\s*(?:约|超过|近)?\s*$")
_LEVEL_EN = re.compile(r"\b(?:to|now|is|are|at|currently|down to|up to|reached|only|takes|costs?)\s*(?:about|around|over|nearly|just)?\s*(?:rmb|cny|¥)?\s*$", re.I)
_FROM_EN = re.compile(r"\b(?:from|previously|before|originally|used to (?:be|take|cost))\s*(?:about|around|over)?\s*(?:rmb|cny|¥)?\s*$", re.I)
_CHANGE_EN = re.compile(r"\b(?:sav(?:e|ed|es|ing)|cut|reduced?|lower(?:ed)?|shortened|increased?|grew|rose|fell|dropped|by)\s*(?:about|around|over|nearly|by)?\s*(?:rmb|cny|¥)?\s*$", re.I)


def _role(before: str, language: str) -> str:
    """'level', 'from', 'change' or '' for a figure, from the words right before it."""
    tail = before[-16:]
    patterns = ((_FROM_ZH, "from"), (_CHANGE_ZH, "change"), (_LEVEL_ZH, "level")) if language == "zh" else \
        ((_FROM_EN, "from"), (_CHANGE_EN, "change"), (_LEVEL_EN, "level"))
    for pattern, role in patterns:
        if pattern.search(tail):
            return role
    return ""


def relation_conflict(sentence: str, source: str) -> str | None:
    """The first figure the answer sentence states in a different role than its source does — '降至3850元'
    quoted as 'saved 3850 yuan' — or None. Figures whose role either side leaves open never conflict."""
    language = detect_language(sentence)
    for m in re.finditer(r"\d+(?:[.,]\d+)*", sentence):
        figure = m.group(0).replace(",", "")
        if len(figure.replace(".", "")) < 2:
            continue
        claimed = _role(sentence[: m.start()], language)
        if not claimed:
            continue
        for s in re.finditer(re.escape(figure), source.replace(",", "")):
            actual = _role(source.replace(",", "")[: s.start()], "zh")
            # "由5500元降至3850元": 'from' and 'level' are both levels (the model may call either "the fare");
            # a level quoted as a change, or a change as a level, changes what the figure measures.
            if actual and claimed != actual and {actual, claimed} != {"level", "from"}:
                return figure
    return None


# ---------------------------------------------------------------- checking, sentence by sentence


def check_sentence(raw: str, hits: list[Hit]) -> CheckedSentence | None:
    """One answer sentence verified against the evidence: its markers kept where the cited passage supports
    it (figures in the same role), re-attached to the passage that does, or marked unsupported."""
    sentence = strip_markers(raw)
    if not sentence or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", sentence):
        return None
    cited = [n for n in dict.fromkeys(parse_markers(raw)) if 1 <= n <= len(hits)]  # out-of-range dropped
    result = CheckedSentence(sentence, break_after=raw.endswith("\n"))
    for n in cited:
        quote, score = best_quote(sentence, hits[n - 1])
        if score >= SUPPORT_THRESHOLD and not relation_conflict(sentence, quote):
            result.cited.append(n)
            result.quotes[n] = quote
    if not result.cited and _is_claim(sentence):
        # Missing or wrong marker: attach the passage that supports the sentence best, if any does.
        scored = [(best_quote(sentence, h), i) for i, h in enumerate(hits, start=1)]
        (quote, score), n = max(scored, key=lambda x: x[0][1]) if scored else (("", 0.0), 0)
        if score >= SUPPORT_THRESHOLD and not relation_conflict(sentence, quote):
            result.cited, result.quotes[n] = [n], quote
        else:
            result.unsupported = True
    return result


_MARKER_AFTER_STOP = re.compile(r"([。！？!?；;.][”’」』）)]*)([ \t]*(?:" + MARKER.pattern + r")+)")


def move_markers_before_stops(text: str) -> str:
    """"…第一。[1]" — a marker after the full stop belongs to the sentence before it."""
    return _MARKER_AFTER_STOP.sub(lambda m: m.group(2).strip() + m.group(1), text)


def check(answer_text: str, hits: list[Hit]) -> tuple[list[CheckedSentence], int]:
    """Verify every sentence; returns the sentences with their (re-attached) citations and the unsupported count."""
    checked = [c for c in (check_sentence(raw, hits) for raw in split_sentences(move_markers_before_stops(answer_text)))
               if c is not None]
    return checked, sum(1 for c in checked if c.unsupported)


def _is_claim(sentence: str) -> bool:
    """Framing ('根据资料：', 'According to the documents:') needs no citation; statements do."""
    core = sentence.strip()
    if core.endswith(("：", ":")):
        return False
    return len(core) >= 8 and not core.endswith(("如下", "as follows"))


class Renderer:
    """Checked sentences to text with markers renumbered in order of first use, one sentence at a time, so a
    streamed answer shows only verified sentences and the final text is exactly what was streamed."""

    def __init__(self, hits: list[Hit], drop_unsupported_figures: bool = True, titles_en: dict[str, str] | None = None):
        self.hits = hits
        self.titles_en = titles_en or {}
        self.drop_unsupported_figures = drop_unsupported_figures
        self.order: dict[int, int] = {}
        self.citations: list[Citation] = []
        self.text = ""
        self.unsupported = 0

    def add(self, sentence: CheckedSentence) -> str:
        """Append one checked sentence; returns what it added to the text ('' when it was dropped)."""
        if sentence.unsupported:
            self.unsupported += 1
            if self.drop_unsupported_figures and numbers_in(sentence.text):
                return ""  # an uncited figure is worse than no sentence: officials copy figures
        markers = ""
        for n in sentence.cited:
            if n not in self.order:
                self.order[n] = len(self.order) + 1
                hit = self.hits[n - 1]
                self.citations.append(Citation(
                    n=self.order[n], case_id=hit.case.id, case_title=hit.case.title, provider=hit.case.provider,
                    document_title=hit.case.document_title, source_file=hit.case.source_file,
                    section=hit.chunk.section, quote=sentence.quotes[n], chunk_id=hit.chunk.id,
                    page=hit.chunk.page, case_title_en=self.titles_en.get(hit.case.id, ""),
                ))
            markers += f"[{self.order[n]}]"
        part = _place_markers(sentence.text, markers) + ("\n" if sentence.break_after else "")
        if not self.text:
            part = part.lstrip()
        elif not self.text.endswith("\n") and self.text[-1:].isascii() and part[:1].isascii():
            part = " " + part  # English sentences need a space between them; Chinese ones do not
        self.text += part
        return part


    def newline(self) -> str:
        """Start the next sentence on a line of its own; returns what it added."""
        if self.text and not self.text.endswith("\n"):
            self.text += "\n"
            return "\n"
        return ""


def render(checked: list[CheckedSentence], hits: list[Hit], drop_unsupported_figures: bool = True
           ) -> tuple[str, list[Citation]]:
    """Text with markers renumbered in order of first use, and the matching citations."""
    renderer = Renderer(hits, drop_unsupported_figures)
    for sentence in checked:
        renderer.add(sentence)
    return renderer.text.strip(), renderer.citations


def _place_markers(sentence: str, markers: str) -> str:
    stripped = sentence.rstrip()
    if markers and (stripped[:1].isascii() and stripped[:1].isalpha() or stripped.startswith("- ")):
        markers = " " + markers  # "… tons [1]." reads as English; Chinese takes no space
    m = re.search(r"[。！？!?；;.]+[”’」』）)]*$", stripped)
    if markers and m:
        return stripped[: m.start()] + markers + stripped[m.start():]
    return stripped + markers


class SentenceStream:
    """Deltas in, complete answer sentences out: a sentence is complete once something other than a
    marker or a space follows its end (a marker after the stop still belongs to it)."""

    _END = re.compile(r"[。！？!?；;][”’」』）)]*|\.(?=\s)|\n")
    _TRAILER = re.compile(r"^(?:[ \t]*(?:" + MARKER.pattern + r"))*")

    def __init__(self) -> None:
        self.buffer = ""

    def feed(self, delta: str) -> list[str]:
        self.buffer += delta
        out: list[str] = []
        while True:
            m = self._END.search(self.buffer)
            if not m:
                return out
            trailer = self._TRAILER.match(self.buffer[m.end():])
            end = m.end() + (trailer.end() if trailer else 0)
            rest = self.buffer[end:]
            if not rest.strip(" \t") or re.fullmatch(r"[ \t]*[\[【［^\d,，、\-–]*", rest) and not rest.endswith(("]", "】", "］")):
                return out  # the next characters may still be this sentence's marker
            out.append(move_markers_before_stops(self.buffer[:end]))
            self.buffer = rest

    def close(self) -> list[str]:
        rest, self.buffer = self.buffer, ""
        return [move_markers_before_stops(rest)] if rest.strip() else []
