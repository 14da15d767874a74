"""Bilingual case cards: an English title, a two-to-three-sentence English gist with the case's key figures,
and the case's names in English/pinyin — for English questions about Chinese documents.

A card is made once per case content (its hash) by the configured card writer (llm.cards_backend) and kept in a cache file; the
shipped corpus's cards ship as data (corpus/cards.json) so a fresh clone makes none. Names come from the
documents' own proper nouns (lexicon.propernouns), not from the model. Every figure in a gist must be one the
case states: a gist sentence with another figure is dropped. With no generator (extractive), ingest still
finishes and `ftzqa cards` fills the cards later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import jieba

from assistant.config import PROJECT_ROOT, Settings
from assistant.lexicon.dictionary import chinese_for, english_for, english_names, is_english_word, proper_kind
from assistant.lexicon.propernouns import NameIndex
from assistant.llm.base import BackendError, Generator
from assistant.models import Case, CaseCard
from assistant.prompts import load as load_prompt
from assistant.text import (
    detect_language,
    has_chinese,
    has_figure,
    magnitudes_match,
    numbers_in,
    sentence_spans,
    split_sentences,
    unscaled_numbers,
)

log = logging.getLogger(__name__)

SHIPPED_CARDS = PROJECT_ROOT / "corpus" / "cards.json"
CARD_TEXT_CHARS = 700  # of the case shown to the model: the title, provider and opening (its first figures)
_lock = threading.Lock()


def content_hash(case: Case, text: str) -> str:
    """What a card is made from: the case's title, provider and text."""
    return hashlib.sha256(f"{case.title}\n{case.provider or ''}\n{text}".encode()).hexdigest()[:16]


class CardStore:
    """Cards by content hash: the shipped file (read only) and the home cache (written)."""

    def __init__(self, cache_file: Path, shipped: Path = SHIPPED_CARDS):
        self.cache_file = cache_file
        self.cards: dict[str, CaseCard] = {}
        for path in (shipped, cache_file):
            self.cards.update(_read(path))

    def get(self, sha: str) -> CaseCard | None:
        return self.cards.get(sha)

    def put(self, card: CaseCard) -> None:
        with _lock:
            self.cards[card.content_sha] = card
            cached = _read(self.cache_file)
            cached[card.content_sha] = card
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({k: v.model_dump() for k, v in sorted(cached.items())}, ensure_ascii=False,
                                      indent=1), encoding="utf-8")
            tmp.replace(self.cache_file)


def _read(path: Path) -> dict[str, CaseCard]:
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, ValueError) as exc:
        log.warning("case cards in %s not read: %s", path, exc)
        return {}
    return {sha: CaseCard.model_validate(card) for sha, card in data.items()} if isinstance(data, dict) else {}


def card_names(text: str, names: NameIndex | None, limit: int = 8) -> list[str]:
    """The case's names in English/pinyin, from the documents' proper nouns that its text contains."""
    if names is None:
        return []
    found: list[str] = []
    nouns = [n for n in names.names().values() if n.kind in ("place", "organisation") and n.text in text and n.forms]
    for noun in sorted(nouns, key=lambda n: (-text.count(n.text), n.kind != "place", -len(n.text))):
        # "kaifeng area" over "kaifengpianqu"; a long run of pinyin syllables names nothing to an English reader.
        form = next((f for f in noun.forms if " " in f), noun.forms[0])
        if " " not in form and len(form) > 12:
            continue
        english = " ".join(w[:1].upper() + w[1:] for w in form.split())
        if not any(english in f or f in english for f in found):
            found.append(english)
        if len(found) >= limit:
            break
    return found


_FIELD = re.compile(r"^\s*(title|gist)\s*[:：]\s*(.*)$", re.I)


def parse_card(reply: str, case_text: str) -> tuple[str, str]:
    """(English title, gist) from a model's 'Title: …' / 'Gist: …' reply; gist sentences stating a figure the
    case does not are dropped (a card must not put a wrong number in front of an English reader)."""
    fields: dict[str, str] = {}
    current = ""
    for line in reply.splitlines():
        m = _FIELD.match(line)
        if m:
            current = m.group(1).lower()
            fields[current] = m.group(2).strip()
        elif current and line.strip():
            fields[current] = f"{fields[current]} {line.strip()}".strip()
    title = fields.get("title", "").strip(" \"“”'")
    if has_chinese(title) and detect_language(title) == "zh":
        title = ""
    title = english_only(title)
    return title[:160], clean_gist(fields.get("gist", ""), case_text)


_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")


def english_only(title: str) -> str:
    """A title the model left partly in Chinese ("Innovative粮油 Regulation Mode") with each Chinese word in
    English from CC-CEDICT, or in pinyin when it has no entry: an English reader cannot read the characters."""
    from pypinyin import lazy_pinyin  # only titles that need it pay for the import

    def english(match: re.Match[str]) -> str:
        words = []
        for token in jieba.cut(match.group()):
            gloss = next((g for g in english_for(token, 3) if len(g.split()) <= 3), None)
            words.append(gloss or "".join(lazy_pinyin(token)).capitalize())
        return f" {' '.join(words)} "

    return re.sub(r"\s+", " ", _HAN_RUN.sub(english, title)).replace(" ,", ",").strip()


_CAPITALISED = re.compile(r"\b[A-Z][a-z]{3,}\b")


def _romanised(chinese: str) -> str:
    from pypinyin import lazy_pinyin  # only cards pay for the import

    return "".join(lazy_pinyin(chinese)).lower()


def checked_places(english: str, case: Case, case_text: str) -> str:
    """The card text with every place it names that the case does not: a 1.5B model writes "China (Yinwan)"
    for 中国（星港） or "Minchuan" for 明川 (invented names), and an official reading the English title would be sent to the wrong city.

    A capitalised word that no dictionary definition writes in lower case and that spells a Chinese name in pinyin
    is a name; it stands when that name is in the case, or when it spells a word of the title or provider. A wrong one is replaced by
    the place of the Chinese title that the English leaves out (when exactly one is), otherwise dropped."""
    head = f"{case.title} {case.provider or ''}"
    tokens = [t for t in jieba.cut(head) if len(t) >= 2]
    spelled = {_romanised(t) for t in tokens}
    for word in dict.fromkeys(_CAPITALISED.findall(english)):
        if is_english_word(word) or word.lower() in spelled:
            continue
        # Only a word that spells one of its Chinese readings in pinyin is a name ("Deduction" is English).
        readings = [r for r in chinese_for(word, 8) if _romanised(r) == word.lower()]
        if not readings or any(r in case_text or r in head for r in readings):
            continue
        missing = list(dict.fromkeys(
            name for t in tokens if proper_kind(t) == "place"
            for name in [next(iter(english_names(t)), "") or _romanised(t).capitalize()]
            if name and name.lower() not in english.lower()))
        english = re.sub(rf"\b{word}\b", missing[0] if len(missing) == 1 else "", english)
    english = re.sub(r"\(\s*\)", "", english)
    return re.sub(r"\s{2,}", " ", re.sub(r"\(\s+", "(", english)).strip()


def clean_gist(gist: str, case_text: str) -> str:
    """The gist's English sentences whose figures the case states — digits and magnitude: "4349.49 million pieces"
    for 4349.49万件 (43.5 million) is dropped like any other wrong figure."""
    stated = numbers_in(case_text.replace(",", ""))
    kept = [s.strip() for s in split_sentences(gist)
            if s.strip() and not has_chinese(s) and unscaled_numbers(s.replace(",", "")) <= stated
            and magnitudes_match(s, case_text)]
    return " ".join(kept[:3])


def card_source(text: str, limit: int = CARD_TEXT_CHARS) -> str:
    """What the model reads of a case: its opening sentence, then the sentences that state figures (its results),
    in order, within the limit — the opening alone is background and states no result."""
    sentences = [text[a:b].strip() for a, b in sentence_spans(text, 0, len(text)) if len(text[a:b].strip()) >= 8]
    if not sentences:
        return text[:limit]
    picked = [0] + [i for i, s in enumerate(sentences[1:], 1) if has_figure(s)]
    out = ""
    for i in picked:
        if out and len(out) + len(sentences[i]) > limit:
            break
        out += sentences[i]
    return out[: limit * 2]


def make_card(case: Case, text: str, generator: Generator, names: NameIndex | None, generator_name: str,
              max_tokens: int = 180) -> CaseCard:
    """Ask the generator for a card of one case (raises BackendError when it fails)."""
    prompt = load_prompt("card_en").render(title=case.title, provider=case.provider or "—", text=card_source(text))
    reply = "".join(generator.stream([{"role": "user", "content": prompt}], max_tokens=max_tokens))
    title, gist = parse_card(reply, text)
    if not title:
        # A small model sometimes copies the Chinese title into its card; asked for the translation alone, it gives it.
        ask = load_prompt("card_title_en").render(title=case.title)
        reply = "".join(generator.stream([{"role": "user", "content": ask}], max_tokens=40))
        title = parse_card(f"Title: {reply.strip().splitlines()[0] if reply.strip() else ''}", text)[0]
    return CaseCard(case_id=case.id, content_sha=content_hash(case, text), title_en=checked_places(title, case, text),
                    gist_en=checked_places(gist, case, text), names=card_names(text, names), generator=generator_name)


def fill_cards(cases: Iterable[Case], case_text: Callable[[Case], str], store: CardStore,
               generator: Generator | None, names: NameIndex | None, generator_name: str,
               progress: Callable[[int, int], None] | None = None,
               stop: Callable[[], bool] | None = None) -> tuple[int, list[str]]:
    """Make the missing cards: (how many were made, the cases that failed with the reason). `stop` is asked
    before each case; when it says so, the rest is left for a later call (each card is saved as it is made)."""
    todo = [c for c in cases if store.get(content_hash(c, case_text(c))) is None]
    made, failed = 0, []
    if progress:
        progress(0, len(todo))
    for i, case in enumerate(todo, 1):
        if stop is not None and stop():
            break
        text = case_text(case)
        if generator is None:
            failed.append(f"{case.id}: no generator configured")
        else:
            try:
                card = make_card(case, text, generator, names, generator_name)
                if card.title_en:
                    store.put(card)
                    made += 1
                else:
                    failed.append(f"{case.id}: the reply had no English title")
            except BackendError as exc:
                failed.append(f"{case.id}: {exc}")
        if progress:
            progress(i, len(todo))
    return made, failed


def missing(cases: Iterable[Case], case_text: Callable[[Case], str], store: CardStore) -> int:
    """How many of the cases have no card yet."""
    return sum(store.get(content_hash(c, case_text(c))) is None for c in cases)


def cards_of(cases: Iterable[Case], case_text: Callable[[Case], str], store: CardStore) -> dict[str, CaseCard]:
    """Case id → its card, for the cases that have one (places checked again: caches older than the check)."""
    out: dict[str, CaseCard] = {}
    for case in cases:
        text = case_text(case)
        card = store.get(content_hash(case, text))
        if card is not None:
            out[case.id] = card.model_copy(update={"case_id": case.id,
                                                   "title_en": checked_places(card.title_en, case, text),
                                                   "gist_en": checked_places(card.gist_en, case, text)})
    return out


def card_file(settings: Settings) -> Path:
    return settings.home / "cards.json"
