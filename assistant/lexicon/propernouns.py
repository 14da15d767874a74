"""Proper nouns of the documents and their pinyin, so an English question finds the names a document uses.

"What did the Qinzhou Port Area save?" names 钦州港片区 in pinyin and English; no dictionary lists every
片区, 新区 and company of every document, but the documents themselves do. `extract` finds the names
(jieba's POS tags ns/nt/nr/nz, CC-CEDICT's capitalised entries, and the administrative names the
documents build: …片区, …新区, …港区, …综合保税区, …市, …省, …自贸试验区) and their stems (钦州港片区 →
钦州港 → 钦州); `NameIndex` gathers them per document and finds their romanisations in English text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import jieba.posseg as pseg
from pydantic import BaseModel, Field, PrivateAttr
from pypinyin import Style, lazy_pinyin

from assistant.lexicon import dictionary
from store.tokenize import tokenize, warm_up

Kind = Literal["place", "organisation", "person", "other"]
_KIND_OF_TAG: dict[str, Kind] = {"ns": "place", "nsf": "place", "nt": "organisation", "nr": "person",
                                 "nrt": "person", "nrfg": "person", "nz": "other"}
# Tags of a word that may name a place before 片区/新区 although jieba did not tag it a name (金义|片区 is
# n); pronouns, verbs, idioms… may not ("该片区", "充分发挥自贸试验区").
_PLACE_START_TAGS = frozenset({"n", "nz", "ns", "nr", "nt", "nrt", "nrfg", "nsf", "j"})
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")

# Administrative suffixes, longest first, with the English words that stand for them in a question.
# An empty English form means the suffix is often left out in English ("Chongqing" for 重庆市).
_FTZ = ("pilot free trade zone", "free trade zone", "pilot ftz", "ftz", "free trade pilot zone")
SUFFIXES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("自由贸易试验区", _FTZ), ("自贸试验区", _FTZ), ("自贸区", _FTZ),
    ("跨境电子商务综合试验区", ("cross-border e-commerce comprehensive pilot zone", "comprehensive pilot zone")),
    ("综合保税区", ("comprehensive bonded zone", "bonded zone")), ("综保区", ("comprehensive bonded zone", "bonded zone")),
    ("保税港区", ("bonded port area", "bonded port zone")),
    ("壮族自治区", ("autonomous region", "")), ("回族自治区", ("autonomous region", "")),
    ("维吾尔自治区", ("autonomous region", "")), ("自治区", ("autonomous region", "")),
    ("新片区", ("new area", "area")), ("片区", ("area", "zone", "sub-zone")),
    ("新区", ("new area", "new district", "area")), ("港区", ("port area", "port zone", "port")),
    ("开发区", ("development zone",)), ("市", ("city", "")), ("省", ("province", "")), ("港", ("port",)),
    ("县", ("county", "")), ("区", ("district", "")),
)
# Suffixes that may follow a name as separate words (钦州港|片区); 市/省/港/区/县 only count inside a token
# (西安市, 钦州港), since "宁波|市场" is a market, not a city.
_JOINED = tuple(s for s, _ in SUFFIXES if len(s) >= 2)
_SUFFIX_WORDS = frozenset(s for s, _ in SUFFIXES) | {"新片区", "试验区", "自贸", "保税区"}
# Single-character suffixes stay when they belong to a city's name: 连云港 is not 连云 + port.
_PART_OF_NAME = ("港", "区", "县")
_FTZ_IN_BRACKETS = re.compile(r"中国[（(]([\u4e00-\u9fff]{2,4})[）)](自由贸易试验区|自贸试验区|跨境电子商务综合试验区)")


class ProperNoun(BaseModel):
    """A name a document uses, how often, and the lower-case romanisations a question may write it in."""

    text: str = Field(description="The name as the document writes it: 钦州港片区")
    kind: Kind = Field(description="place, organisation, person or other (jieba's ns/nt/nr/nz)")
    count: int = Field(1, description="Occurrences in the document (stems count their full names')")
    stem_of: str | None = Field(None, description="The longer name this stem was cut from: 钦州 ← 钦州港片区")
    parts: list[str] = Field(default_factory=list, description="Names a compound is made of: 博鳌乐城 → 博鳌, 乐城")
    forms: list[str] = Field(default_factory=list, description="'qinzhou port area', 'qinzhougang pianqu', …")
    pinyin: int = Field(0, description="How many of the forms, from the first, are pinyin (the rest are English "
                                       "names from CC-CEDICT: 陕西 'shaanxi', 成渝 'chengdu')")

    @property
    def english(self) -> str:
        """The first romanisation, capitalised word by word: 'Qinzhou Port Area'."""
        return " ".join(w[:1].upper() + w[1:] for w in self.forms[0].split()) if self.forms else self.text


# ---------------------------------------------------------------- romanisation


def _syllables(text: str) -> list[str]:
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore")]


def pinyin_forms(text: str) -> list[str]:
    """Tone-less pinyin of a name, one word ('qinzhou', 'boaolecheng'); ü written both v and u."""
    joined = "".join(_syllables(text))
    if not joined:
        return []
    return list(dict.fromkeys([joined, joined.replace("v", "u")]))


def split_suffix(name: str) -> tuple[str, str, tuple[str, ...]] | None:
    """(core, suffix, English words for the suffix) when the name ends in an administrative suffix."""
    for suffix, english in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)], suffix, english
    return None


def romanisations(name: str, english_names: bool = True) -> list[str]:
    """Ways an English text writes a name: 钦州港片区 → 'qinzhou port area', 'qinzhougang area', … ;
    with english_names also the English name CC-CEDICT gives a place (陕西 → 'shanxi', 'shaanxi')."""
    english = [n.lower().replace("'", "") for n in dictionary.english_names(name)] if english_names else []
    forms = pinyin_forms(name) + english
    split = split_suffix(name)
    if split and not (split[1] in _PART_OF_NAME and dictionary.is_proper_name(name)):
        core, _, suffix_words = split
        for core_form in romanisations(core, english_names):
            forms.extend(f"{core_form} {e}".strip() for e in suffix_words)
    return list(dict.fromkeys(forms))


def stems(name: str) -> list[str]:
    """Shorter names inside an administrative name: 钦州港片区 → ['钦州港', '钦州']; 连云港 and 亚太地区 have none."""
    out: list[str] = []
    split = split_suffix(name)
    while split and _cuts(name, *split[:2]):
        out.append(split[0])
        name = split[0]
        split = split_suffix(name)
    return out


def _cuts(name: str, core: str, suffix: str) -> bool:
    """Whether name = core + administrative suffix, rather than a name or word that ends like one."""
    if dictionary.is_common_word(core) and not dictionary.is_proper_name(core):
        return False  # 高新区 is not 高新 + district, 枢纽港 not 枢纽 + port
    if len(suffix) > 1:
        return True
    if suffix in _PART_OF_NAME and dictionary.is_proper_name(name):
        return False  # 连云港 is a city, not 连云 + port
    if any(dictionary.is_common_word(name[-k:]) for k in (2, 3) if len(name) > k):
        return False  # 地区, 行政区, 城市: the suffix belongs to a word
    return dictionary.is_proper_name(core)  # 钦州港, 西安市; not 上一港 or 黄九市


# ---------------------------------------------------------------- extraction

_jieba_lock = threading.Lock()


@dataclass
class _Token:
    word: str
    flag: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.word)


def _tokens(text: str) -> list[_Token]:
    warm_up()
    out: list[_Token] = []
    pos = 0
    with _jieba_lock:  # posseg shares jieba's lazily initialised, not thread-safe dictionary
        pairs = list(pseg.cut(text))
    for pair in pairs:
        out.append(_Token(pair.word, pair.flag, pos))
        pos += len(pair.word)
    return out


def _name_kind(token: _Token) -> Kind | None:
    """The kind of name a token is, or None for ordinary words (城市 tagged ns is not a place)."""
    word = token.word
    if len(word) < 2 or not _HAN.match(word):
        return None
    if word in _SUFFIX_WORDS:
        return None
    proper = dictionary.is_proper_name(word)
    kind = _KIND_OF_TAG.get(token.flag)
    listed = dictionary.proper_kind(word) if proper else None
    if dictionary.is_common_word(word) and (kind is None or listed != kind):
        return None  # 城市 tagged ns is a word; 资源 is a county too, but jieba reads it as the word; 山水 (ns)
    if listed in ("organisation", "person") or kind is None:
        return listed  # 京东 is a company whatever jieba's ns says
    return kind


def _may_start_place(token: _Token) -> bool:
    """A word before 片区/新区… that names the place although jieba did not tag it (金义片区, 烟台片区)."""
    return (2 <= len(token.word) <= 3 and bool(_HAN.match(token.word))
            and (token.flag in _PLACE_START_TAGS or dictionary.proper_kind(token.word) == "place")
            and (not dictionary.is_common_word(token.word) or dictionary.is_proper_name(token.word))
            and token.word not in _SUFFIX_WORDS)  # 开封 is "to unseal" too, but 开封片区 is the city


@dataclass
class _Found:
    kind: Kind
    count: int = 0
    stem_of: str | None = None
    parts: tuple[str, ...] = ()


def extract(text: str) -> list[ProperNoun]:
    """Proper nouns of a document's text with their counts, stems and romanisations, most frequent first."""
    found: dict[str, _Found] = {}

    def add(name: str, kind: Kind, stem_of: str | None = None, count: int = 1, parts: tuple[str, ...] = ()) -> None:
        if len(name) < 2 or not _HAN.match(name) or name in _SUFFIX_WORDS or len(name) > 16:
            return
        old = found.get(name)
        if old is None:
            found[name] = _Found(kind, count, stem_of, parts)
            return
        old.count += count
        old.kind = "place" if "place" in (kind, old.kind) else old.kind
        old.stem_of = old.stem_of if stem_of else None  # a name seen on its own is not only a stem
        old.parts = old.parts if parts else ()  # nor only a compound

    tokens = _tokens(text)
    kinds = [_name_kind(t) for t in tokens]
    i = 0
    while i < len(tokens):
        kind = kinds[i]
        if kind is None and not (_may_start_place(tokens[i]) and _suffix_after(text, tokens, i)):
            i += 1
            continue
        # Adjacent names make one name (博鳌|乐城 → 博鳌乐城, 宁波|舟山 → 宁波舟山) besides their parts.
        j = i + 1
        while kind is not None and j < len(tokens) and j - i < 3 and kinds[j] is not None \
                and tokens[j].word not in _JOINED:
            j += 1
        run = [t.word for t in tokens[i:j]]
        for word, word_kind in zip(run, kinds[i:j]):
            if word_kind is not None:
                add(word, word_kind)
        for a in range(len(run)):
            for b in range(a + 2, len(run) + 1):
                add("".join(run[a:b]), kinds[i + b - 1] or "place", parts=tuple(run[a:b]))
        suffix = _suffix_after(text, tokens, j - 1)
        if suffix:  # 重庆|两江|新区: 两江新区 is the name; 重庆两江新区 a way of writing it
            add(run[-1] + suffix, "place")
            for a in range(len(run) - 1):
                add("".join(run[a:]) + suffix, "place", parts=(*run[a:-1], run[-1] + suffix))
        i = j
    for m in _FTZ_IN_BRACKETS.finditer(text):
        add(m.group(1) + m.group(2), "place")
    for name, f in list(found.items()):
        if f.kind == "place" or split_suffix(name):
            for stem in stems(name):
                add(stem, "place", stem_of=name, count=f.count, parts=f.parts)
    nouns = []
    for name, f in found.items():
        pinyin = romanisations(name, english_names=False)
        forms = pinyin + [r for r in romanisations(name) if r not in pinyin]
        nouns.append(ProperNoun(text=name, kind=f.kind, count=f.count, stem_of=f.stem_of, parts=list(f.parts),
                                forms=forms, pinyin=len(pinyin)))
    nouns.sort(key=lambda n: (-n.count, n.text))
    return nouns


def _suffix_after(text: str, tokens: list[_Token], i: int) -> str | None:
    """The administrative suffix right after token i, when it ends on a token boundary (钦州港|片区)."""
    end = tokens[i].end
    boundaries = {t.end for t in tokens[i + 1 : i + 5]}
    for suffix in _JOINED:
        if text.startswith(suffix, end) and end + len(suffix) in boundaries:
            return suffix
    return None


# ---------------------------------------------------------------- the index


class DocumentNames(BaseModel):
    """The proper nouns and words of one document and the content hash they were extracted from."""

    sha256: str = Field("", description="Content hash of the text the names came from; '' when unknown")
    names: list[ProperNoun] = Field(default_factory=list)
    words: list[str] = Field(default_factory=list, description="The document's Chinese words (BM25's tokens), "
                                                               "so a translation can prefer the words it uses")

    @classmethod
    def of(cls, text: str, sha256: str = "") -> DocumentNames:
        """Names and words of one document's text."""
        return cls(sha256=sha256, names=extract(text), words=vocabulary(text))


def vocabulary(text: str) -> list[str]:
    """The Chinese words of a text as BM25 tokenises it (search mode: words and their parts), sorted."""
    return sorted({t for t in tokenize(text) if len(t) >= 2 and _HAN.match(t)})


_QUESTION_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_JOINERS = re.compile(r"^[\s\-‐–]*$")  # what may stand between the words of one name ("Lian yungang", "Ningbo-Zhoushan")
_SENTENCE_START = re.compile(r"(?:^|[.!?。！？:;]\s*|[\"“(]\s*)$")
_MAX_WORDS = 6


class NameIndex(BaseModel):
    """Proper nouns of many documents, found by their romanisations in English text; stored as JSON."""

    documents: dict[str, DocumentNames] = Field(default_factory=dict, description="document id → its names")
    _keys: dict[str, list[ProperNoun]] | None = PrivateAttr(default=None)
    _merged: dict[str, ProperNoun] | None = PrivateAttr(default=None)
    _words: frozenset[str] | None = PrivateAttr(default=None)

    # -------------------------------------------------- building

    @classmethod
    def from_texts(cls, texts: Mapping[str, str]) -> NameIndex:
        """An index of the given documents (document id → text)."""
        return cls(documents={doc: DocumentNames.of(text) for doc, text in texts.items()})

    def with_document(self, doc_id: str, text: str, sha256: str = "") -> NameIndex:
        """A copy with one document's names (re)extracted; unchanged when its hash is already indexed."""
        known = self.documents.get(doc_id)
        if known is not None and sha256 and known.sha256 == sha256:
            return self
        documents = dict(self.documents)
        documents[doc_id] = DocumentNames.of(text, sha256)
        return NameIndex(documents=documents)

    def without_document(self, doc_id: str) -> NameIndex:
        """A copy without one document's names."""
        return NameIndex(documents={d: n for d, n in self.documents.items() if d != doc_id})

    # -------------------------------------------------- reading

    def names(self) -> dict[str, ProperNoun]:
        """Every name of every document, counts added up (Chinese text → noun)."""
        if self._merged is None:
            merged: dict[str, ProperNoun] = {}
            for doc in self.documents.values():
                for noun in doc.names:
                    old = merged.get(noun.text)
                    if old is None:
                        merged[noun.text] = noun.model_copy()
                    else:
                        old.count += noun.count
                        if noun.kind == "place":
                            old.kind = "place"
            self._merged = merged
        return self._merged

    def uses(self, chinese: str) -> bool:
        """Whether BM25 can find the word in some document: it is one of their tokens, or all its parts are."""
        if self._words is None:
            self._words = frozenset(w for doc in self.documents.values() for w in doc.words)
        if chinese in self._words:
            return True
        parts = [t for t in tokenize(chinese) if len(t) >= 2]
        return len(chinese) >= 3 and bool(parts) and all(p in self._words for p in parts)

    def places(self) -> frozenset[str]:
        """Place names the documents use that are known places: CC-CEDICT lists them, or an
        administrative suffix makes them one (钦州港片区 and its stems); jieba's guesses alone do not count,
        nor do compounds (重庆两江新区 is 重庆 + 两江新区)."""
        return frozenset(n.text for n in self.names().values()
                         if n.kind == "place" and not n.parts
                         and (n.stem_of or stems(n.text) or dictionary.is_proper_name(n.text)))

    def longer_names(self, chinese: str, limit: int = 3) -> list[str]:
        """Names that contain this one (两江 → 两江新区), most frequent first."""
        longer = [n for n in self.names().values() if chinese in n.text and n.text != chinese]
        longer.sort(key=lambda n: (-n.count, len(n.text)))
        return [n.text for n in longer[:limit]]

    def _index(self) -> dict[str, list[ProperNoun]]:
        if self._keys is None:
            ranked: dict[str, list[tuple[tuple[int, int, int, int], ProperNoun]]] = {}
            for noun in self.names().values():
                for k, form in enumerate(noun.forms):
                    key = _key(form)
                    if len(key) >= 4:
                        # Pinyin before a dictionary's English name (成都 "chengdu" before 成渝 "Chengdu and
                        # Chongqing"), then places, the most frequent, the longer name.
                        rank = (int(k >= noun.pinyin), int(noun.kind != "place"), -noun.count, -len(noun.text))
                        ranked.setdefault(key, []).append((rank, noun))
            self._keys = {key: [n for _, n in sorted(nouns, key=lambda item: item[0])] for key, nouns in ranked.items()}
        return self._keys

    def lookup(self, romanised: str) -> list[str]:
        """Chinese names written so in pinyin or English ('Lianyungang', 'qinzhou port area'), best first."""
        return [n.text for n in self._index().get(_key(romanised), [])]

    def find(self, english_text: str) -> list[tuple[str, str]]:
        """(span, Chinese name) for every name written in pinyin in an English text, longest span first.

        Spacing and case do not matter ("Lian yungang", "LIANYUNGANG"); ordinary English words that happen
        to spell a name ("change" for 嫦娥) count only when written like a name (capitalised inside a
        sentence, or with an apostrophe: Chang'e)."""
        return [(english_text[a:b], name) for a, b, name in self.find_spans(english_text)]

    def find_spans(self, english_text: str) -> list[tuple[int, int, str]]:
        """(start, end, Chinese name) of every name in the text; see find."""
        index = self._index()
        words = list(_QUESTION_WORD.finditer(english_text))
        found: list[tuple[int, int, str]] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + _MAX_WORDS), i, -1):
                if any(not _JOINERS.match(english_text[words[k].end() : words[k + 1].start()]) for k in range(i, j - 1)):
                    continue
                key = "".join(_key(w.group()) for w in words[i:j])
                if key in index and _written_as_name(english_text, words[i:j]):
                    last = words[j - 1]
                    end = last.end() - (2 if _POSSESSIVE.search(last.group()) else 0)
                    found.append((words[i].start(), end, index[key][0].text))
                    i = j
                    break
            else:
                i += 1
        return found


def _key(text: str) -> str:
    """Letters only, lower case, a final possessive dropped: "Chongqing's" → 'chongqing'."""
    return _NOT_LETTER.sub("", _POSSESSIVE.sub("", text.lower()))


_POSSESSIVE = re.compile(r"['’]s$")
_NOT_LETTER = re.compile(r"[^a-z]")


def _written_as_name(text: str, words: list[re.Match[str]]) -> bool:
    raw = [_POSSESSIVE.sub("", w.group()) for w in words]
    if any("'" in w or "’" in w for w in raw):
        return True  # Xi'an, Chang'e: an apostrophe between syllables is pinyin spelling
    if not all(_is_english(w) for w in raw):
        return True
    if not any(w[:1].isupper() for w in raw):
        return False  # "women", "long gang": ordinary lower-case English
    first_capital = next(w for w in words if w.group()[:1].isupper())
    starts_sentence = bool(_SENTENCE_START.search(text[: first_capital.start()]))
    return not (starts_sentence and sum(w.group()[:1].isupper() for w in words) == 1)


def _is_english(word: str) -> bool:
    low = word.lower()
    return low in _ENGLISH_FUNCTION_WORDS or dictionary.is_english_word(low)


# Short words a definition may never write in lower case but every question does.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "a an the he she it we you they me him her us them his its our their my your i am is are was were be been "
    "do does did can could will would shall should may might must have has had not no yes and or but if so "
    "to of in on at by for from with as up out off into onto than then there here when where who what which "
    "how why long man men women ban bang hang hen pan pen tan ten den fan fen gang sang lang dang mao tao".split())



