"""The typed chain from source file to answer: Document → Case → Section → Chunk → Hit → Answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


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
    page: int | None = Field(None, description="1-based page of the chunk's start; None for files without pages")

    def embedding_text(self, case: Case) -> str:
        """Text fed to the encoders: case title and heading path give the passage its context."""
        head = " › ".join(p for p in (case.title, self.section) if p)
        return f"{head}\n{self.text}"


class Hit(BaseModel):
    """A retrieved chunk with the case it belongs to and how each retriever scored it."""

    chunk: Chunk
    case: Case
    score: float = Field(description="Fused score; higher is better")
    scores: dict[str, float] = Field(default_factory=dict, description="Per-retriever scores")


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
    page: int | None = Field(None, description="1-based page of the cited chunk; None for files without pages")


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
