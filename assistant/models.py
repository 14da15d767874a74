"""The typed chain from source file to answer: Document → Case → Section → Chunk → Hit → Answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Document(BaseModel):
    """One source file as ingested."""

    id: str = Field(description="Stable id: the file stem, e.g. 001_2adf76dceb53e4a4")
    title: str
    source_file: str = Field(description="File name relative to the corpus folder")
    sha256: str = Field(description="Hash of the raw file bytes; drives incremental ingest")
    layout: str = Field(description="Which structure detector recognised the document")
    publisher: str | None = None
    date: str | None = None


class Section(BaseModel):
    """A heading-delimited part of a case, with its char span in the cleaned document."""

    path: list[str] = Field(default_factory=list, description="Heading path, outermost first")
    start: int
    end: int

    @property
    def label(self) -> str:
        return " › ".join(self.path)


class Case(BaseModel):
    """A unit of the corpus that answers cite: a best-practice case, a plan, a news item."""

    id: str = Field(description="<doc_id>#<n>; (document, number) is the identity, never the title")
    number: int = Field(description="Case number inside its document; 0 for a document's preamble")
    title: str
    provider: str | None = Field(None, description="Zone / area / city that provided the case")
    kind: Literal["case", "preamble", "document"] = "case"
    document_id: str
    document_title: str
    source_file: str
    start: int = Field(description="Char span of the case in the cleaned document")
    end: int
    sections: list[Section] = Field(default_factory=list)


class Chunk(BaseModel):
    """A retrievable passage: text inside one section of one case."""

    id: str = Field(description="Stable: <doc_id>:<doc sha prefix>:<ordinal>")
    case_id: str
    text: str = Field(description="Verbatim slice of the cleaned document")
    start: int
    end: int
    section: str = Field("", description="Heading path label, e.g. 三、主要做法 › （二）…")
    page: int | None = Field(None, description="1-based page of the chunk's start, for paged sources (PDF, scans)")

    def embedding_text(self, case: Case) -> str:
        """Text fed to the encoders: case title and heading path give the passage its context."""
        head = " › ".join(p for p in (case.title, self.section) if p)
        return f"{head}\n{self.text}"


class Attribute(BaseModel):
    """Something a question can ask for — a rate, a cost, a headcount — with its Chinese forms."""

    model_config = ConfigDict(frozen=True)

    phrase: str = Field(description="English phrase, as listed")
    forms: tuple[str, ...] = Field(description="Chinese forms; the first is the canonical one")

    @property
    def chinese(self) -> str:
        return self.forms[0]


AnswerKind = Literal["money", "time", "count", "percent", "quantity", "figure", "date", "person", "name", "place", "text"]
Relation = Literal["", "before", "after", "change"]
Intent = Literal["lookup", "list", "compare", "provider", "summary"]


class Ask(BaseModel):
    """One thing the question wants: a figure, a name, a date — each half of "from what to what", each side
    of a comparison is its own ask."""

    text: str = Field(description="The clause of the question that asks it")
    terms: list[list[str]] = Field(default_factory=list, description="What it is about: groups of Chinese alternatives")
    focus: list[list[str]] = Field(default_factory=list, description="The terms next to the question word (运费 in "
                                   "“开通专线后，每个集装箱的运费降到了多少”); the rest of the clause is context")
    units: list[str] = Field(default_factory=list, description="Measure words the figure is stated with (列, 天, 元)")
    wants: AnswerKind = "text"
    relation: Relation = Field("", description="before / after a change, or the change itself")
    side: str = Field("", description="In a comparison: the place or case this ask is about")
    attribute: Attribute | None = Field(None, description="A listed attribute the ask names (利率, 成本…)")

    @property
    def wants_figure(self) -> bool:
        return self.wants in ("money", "time", "count", "percent", "quantity", "figure")


class Query(BaseModel):
    """Everything the later stages need to know about the question, built once per turn (query/)."""

    question: str = Field(description="The question as asked, normalised")
    language: Literal["zh", "en"]
    standalone: str = Field(description="What retrieval searches: the question with a follow-up resolved")
    follow_up: bool = False
    carried_cases: list[str] = Field(default_factory=list, description="Case ids the conversation was about")
    previous_question: str = Field("", description="The conversation's previous question, for a follow-up")
    intent: Intent = "lookup"
    count_only: bool = False
    concepts: list[list[str]] = Field(default_factory=list, description="Content terms as groups of alternatives")
    concept_weights: list[float] = Field(default_factory=list, description="Per concept: how much a match counts "
                                         "(a dictionary sense of an English word less than a domain term)")
    unknown_words: list[str] = Field(default_factory=list, description="English words nothing could translate")
    expansion: list[str] = Field(default_factory=list, description="Chinese terms for an English question")
    places: list[str] = Field(default_factory=list)
    place_terms: list[str] = Field(default_factory=list, description="Concept terms that are place names")
    years: list[str] = Field(default_factory=list)
    batches: list[str] = Field(default_factory=list)
    quoted: list[str] = Field(default_factory=list)
    attributes: list[Attribute] = Field(default_factory=list, description="Listed attributes the question asks for")
    counted: list[Attribute] = Field(default_factory=list, description="What a 多少个X question counts")
    wants_figure: bool = False
    collection_places: list[str] = Field(default_factory=list, description="Places that name the collection asked "
                                         "about ('山东简报中…'): its documents' title states them, not each case")
    excluded: list[list[str]] = Field(default_factory=list,
                                      description="What the question sets aside ('不算国际转运', 'excluding transit')")
    one_period: bool = Field(False, description="Asks a figure of one period only ('in 2022 alone', '当年')")
    asks: list[Ask] = Field(default_factory=list)

    @property
    def required(self) -> list[str]:
        """Names a case must state to answer: places, years, batches, quoted names."""
        return list(dict.fromkeys(self.places + self.years + self.quoted + self.batches))

    @property
    def terms(self) -> list[str]:
        return list(dict.fromkeys(t for group in self.concepts for t in group))


class CaseCard(BaseModel):
    """A case in English, made once per content hash: what an English question is matched against and what an
    English answer shows beside the Chinese title."""

    case_id: str
    content_sha: str = Field(description="Hash of the case's title, provider and text the card was made from")
    title_en: str
    gist_en: str = Field("", description="Two or three sentences with the case's key figures")
    names: list[str] = Field(default_factory=list, description="The case's places and organisations in English/pinyin")
    generator: str = Field("", description="The backend that wrote it")

    @property
    def text(self) -> str:
        return " ".join(p for p in (self.title_en, self.gist_en, "; ".join(self.names)) if p)


class Hit(BaseModel):
    """A retrieved chunk with the case it belongs to and how each retriever scored it."""

    chunk: Chunk
    case: Case
    score: float = Field(description="Fused score; higher is better")
    scores: dict[str, float] = Field(default_factory=dict, description="Per-retriever scores")


class EvidenceSentence(BaseModel):
    """A verbatim sentence of a chosen case, picked because it states what one or more asks want."""

    case_id: str
    start: int = Field(description="Char span in the cleaned document")
    end: int
    text: str
    section: str = ""
    position: int = Field(0, description="Index among the case's sentences (neighbours are ±1)")
    asks: list[int] = Field(default_factory=list, description="Indexes into Query.asks this sentence answers")


class Finding(BaseModel):
    """How well the chosen evidence answers one ask."""

    ask: int = Field(description="Index into Query.asks")
    sentence: int | None = Field(None, description="Index into Evidence.sentences of the best sentence")
    score: float = 0.0
    lexical: float = Field(0.0, description="Share of the ask's terms the sentence (and its neighbour) contains")
    dense: float = Field(0.0, description="Cosine of ask and sentence, above the case's mean")
    kind_ok: bool = Field(False, description="The sentence states an answer of the kind wanted (a sum, a time…)")
    focus: float = Field(1.0, description="Share of the ask's focus terms (next to the question word) the chosen "
                         "sentences hold; 1.0 when the ask has no focus apart from its terms")


class Evidence(BaseModel):
    """The sentences an answer is built from, chosen per ask inside the case(s) retrieval put first."""

    cases: list[Case] = Field(default_factory=list)
    sentences: list[EvidenceSentence] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)


class Retrieved(BaseModel):
    """Yielded by stream_answer(..., yield_sources=True) as soon as retrieval is done, before generation,
    so a window can show the passages while a slow local model is still reading them."""

    hits: list[Hit]


class Citation(BaseModel):
    """One numbered source of an answer, pointing to a specific case and a verbatim quote."""

    n: int
    case_id: str
    case_title: str
    provider: str | None
    document_title: str
    source_file: str
    section: str
    quote: str = Field(description="Verbatim span of the cited chunk, as in the cleaned document")
    chunk_id: str = ""
    case_title_en: str = Field("", description="The case's English title (from its card), for English answers")
    page: int | None = Field(None, description="Page of the quoted passage, for paged sources")


class Answer(BaseModel):
    """What answer() returns; the CLI, UI and evals only render it."""

    question: str
    language: Literal["zh", "en"]
    text: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    closest_cases: list[Case] = Field(default_factory=list, description="Named when refusing")
    unsupported_sentences: int = Field(0, description="Sentences whose marker was dropped as unsupported")
    route: Literal["rag", "catalog", "refusal", "error"] = "rag"
    standalone_question: str = ""
    notices: list[str] = Field(default_factory=list, description="Plain messages for the user: truncation, fallback")
    timings: dict[str, float] = Field(default_factory=dict)
    backend: str = ""
    config_hash: str = ""
