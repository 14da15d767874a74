"""Pure scoring functions for the eval runner: retrieval, answers, refusals, latency, aggregation.

Nothing here touches the index or a model; every function takes plain values so the tests can feed
hand-made inputs. Conventions:
- A ranked list is a list of case ids ("<doc_id>#<n>") in rank order; `distinct_cases` dedupes it.
- A metric that does not apply to an item is None (e.g. retrieval metrics of an out-of-scope item,
  citation precision of an answer without citations) and is left out of the mean; every aggregated
  row reports how many items each metric was computed on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, Field

# Metrics where a lower value is better (listed so reports and gates can say so).
LOWER_IS_BETTER = {"false_refusal"}
RETRIEVAL_METRICS = ("hit@1", "hit@5", "mrr@10", "recall@5", "passage_hit@5")
ANSWER_METRICS = ("key_fact_acc", "correct_cited", "citation_precision", "citation_recall", "language_match",
                  "refusal_acc", "false_refusal")
ALL_METRICS = RETRIEVAL_METRICS + ANSWER_METRICS

_WS = re.compile(r"\s+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# A run of Chinese text that may continue through spaces, brackets, digits and list commas counts as one
# name: 中国(湖州)、 中国(嘉兴)…的通知 left untranslated in an English answer is one word, not five.
_HAN_RUN = re.compile(r"[\u4e00-\u9fff](?:[\u4e00-\u9fff\s()（）、，,·〔〕\d\-—]*[\u4e00-\u9fff])?")
_MARKER = re.compile(r"\[\d+\]")


# ---------------------------------------------------------------------------------------------- ids
def gold_case_id(source_file: str, number: int) -> str:
    """The catalog id of a gold case: '<file stem>#<number>'."""
    return f"{Path(source_file).stem}#{int(number)}"


def gold_ids(gold: Iterable[Mapping]) -> list[str]:
    out: list[str] = []
    for g in gold:
        cid = gold_case_id(g["source_file"], g["number"])
        if cid not in out:
            out.append(cid)
    return out


def distinct_cases(case_ids: Iterable[str]) -> list[str]:
    """Case ids in first-seen order (hits come per chunk; a case counts once, at its best rank)."""
    seen: dict[str, None] = {}
    for cid in case_ids:
        if cid not in seen:
            seen[cid] = None
    return list(seen)


# ----------------------------------------------------------------------------------------- retrieval
def hit_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """1.0 when ANY gold case is among the first k distinct cases."""
    top = set(distinct_cases(ranked)[:k])
    return 1.0 if top & set(gold) else 0.0


def mrr_at(ranked: Sequence[str], gold: Iterable[str], k: int = 10) -> float:
    """Reciprocal rank of the first gold case among the first k distinct cases (0 when none)."""
    gold = set(gold)
    for rank, cid in enumerate(distinct_cases(ranked)[:k], start=1):
        if cid in gold:
            return 1.0 / rank
    return 0.0


def recall_at(ranked: Sequence[str], gold: Iterable[str], k: int) -> float:
    """Share of the gold cases among the first k distinct cases (list / compare questions)."""
    gold = set(gold)
    if not gold:
        return 0.0
    return len(set(distinct_cases(ranked)[:k]) & gold) / len(gold)


def retrieval_metrics(ranked: Sequence[str], gold: Sequence[str], passages: Sequence[tuple[str, str]] | None = None,
                      evidence: str = "", names: Mapping[str, str] | None = None) -> dict[str, float | None]:
    """hit@1, hit@5, mrr@10, recall@5 and passage hit@5 for one item; all None when the item has no gold."""
    if not gold:
        return {m: None for m in RETRIEVAL_METRICS}
    return {
        "hit@1": hit_at(ranked, gold, 1),
        "hit@5": hit_at(ranked, gold, 5),
        "mrr@10": mrr_at(ranked, gold, 10),
        "recall@5": recall_at(ranked, gold, 5),
        "passage_hit@5": passage_hit_at(passages, evidence, gold, names or {}, 5) if passages is not None else None,
    }


EVIDENCE_PREFIX = 24  # characters of the answering sentence a passage must hold (evidence spans can cross passages)


def passage_hit_at(passages: Sequence[tuple[str, str]], evidence: str, gold: Iterable[str], names: Mapping[str, str],
                   k: int = 5) -> float | None:
    """1.0 when one of the first k passages (case id, text) holds the sentence that answers; where the answer is a
    case's title or provider line (names: case id → "title provider"), a passage of that case counts."""
    needle = squeeze(evidence)
    if not needle:
        return None
    gold = set(gold)
    head = needle[:EVIDENCE_PREFIX]
    for case_id, text in passages[:k]:
        if head in squeeze(text):
            return 1.0
        if case_id in gold and any(part and part in needle for part in squeeze(names.get(case_id, "")).split("|")):
            return 1.0
    return 0.0


# ------------------------------------------------------------------------------------------ answers
def squeeze(text: str) -> str:
    """Text with all whitespace removed (key facts are compared this way on both sides)."""
    return _WS.sub("", text or "")


def key_facts_present(text: str, must_include: Sequence[Sequence[str]]) -> bool | None:
    """True when every group has at least one alternative in the text; None when there are no groups."""
    groups = [g for g in must_include or [] if g]
    if not groups:
        return None
    hay = squeeze(text).lower()
    return all(any(squeeze(alt).lower() in hay for alt in group) for group in groups)


def citation_precision(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Distinct cited case ids that are gold / distinct cited case ids; None without citations."""
    cited = set(cited)
    if not cited:
        return None
    return len(cited & set(gold)) / len(cited)


def citation_recall(cited: Iterable[str], gold: Iterable[str]) -> float | None:
    """Gold cases that are cited / gold cases; None without gold."""
    gold = set(gold)
    if not gold:
        return None
    return len(set(cited) & gold) / len(gold)


def strip_quoted(text: str) -> str:
    """Text without quoted spans (“…” with nesting, 《…》, 「…」) and [n] markers."""
    out: list[str] = []
    depth = 0
    closers = {"“": "”", "《": "》", "「": "」"}
    stack: list[str] = []
    for ch in _MARKER.sub(" ", text or ""):
        if ch in closers:
            stack.append(closers[ch])
            depth += 1
            continue
        if stack and ch == stack[-1]:
            stack.pop()
            depth -= 1
            if not depth:
                out.append(" ")
            continue
        if ch == "\n":
            stack.clear()  # an unbalanced quote never swallows the next line
            depth = 0
        if not depth:
            out.append(ch)
    return "".join(out)


def text_language(text: str) -> str:
    """zh / en of an answer's own words: quoted Chinese titles and sentences are left out first, and each run
    of Chinese characters left (an untranslated name such as 宁波片区) counts as one word."""
    bare = strip_quoted(text)
    han_runs = len(_HAN_RUN.findall(bare))
    words = len(_LATIN_WORD.findall(bare))
    if han_runs == words == 0:
        han = len(_HAN.findall(text or ""))
        return "zh" if han and han >= 2 * len(_LATIN_WORD.findall(text or "")) else "en"
    return "zh" if han_runs >= words else "en"


def language_match(expected: str, declared: str, text: str) -> bool:
    """The answer is declared in the item's language and its own words are in that language."""
    return declared == expected and text_language(text) == expected


def answer_metrics(*, answerable: bool, gold: Sequence[str], must_include: Sequence[Sequence[str]], lang: str,
                   text: str, declared_language: str, refused: bool, cited: Sequence[str]) -> dict[str, float | None]:
    """Answer-level metrics of one item (None where the metric does not apply)."""
    out: dict[str, float | None] = {m: None for m in ANSWER_METRICS}
    out["language_match"] = float(language_match(lang, declared_language, text))
    if not answerable:
        out["refusal_acc"] = float(bool(refused))
        return out
    out["false_refusal"] = float(bool(refused))
    facts = key_facts_present(text, must_include)
    out["key_fact_acc"] = None if facts is None else float(facts and not refused)
    # Correct and cited to the right case: the key facts, and a gold case among the citations.
    out["correct_cited"] = None if facts is None else float(facts and not refused and bool(set(cited) & set(gold)))
    out["citation_precision"] = citation_precision(cited, gold)
    out["citation_recall"] = citation_recall(cited, gold) if not refused else (0.0 if gold else None)
    return out


# ------------------------------------------------------------------------------------------ latency
def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    vals = sorted(v for v in values if v is not None and not math.isnan(v))
    if not vals:
        return None
    if len(vals) == 1:
        return vals[0]
    pos = (len(vals) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return vals[lo] + (vals[hi] - vals[lo]) * (pos - lo)


class StageLatency(BaseModel):
    n: int
    p50: float | None
    p95: float | None


def latency_table(timings: Iterable[Mapping[str, float]]) -> dict[str, StageLatency]:
    """p50/p95 seconds per stage over many Answer.timings dicts (a stage counts where it occurred)."""
    per_stage: dict[str, list[float]] = {}
    for t in timings:
        for stage, seconds in (t or {}).items():
            if isinstance(seconds, (int, float)):
                per_stage.setdefault(stage, []).append(float(seconds))
    order = sorted(per_stage, key=lambda s: (s != "total", s))
    return {s: StageLatency(n=len(per_stage[s]), p50=percentile(per_stage[s], 50), p95=percentile(per_stage[s], 95))
            for s in order}


# -------------------------------------------------------------------------------------- aggregation
class Row(BaseModel):
    """Mean of each metric over the items of one slice, with the item count behind each mean."""

    n: int = Field(0, description="Items in the slice")
    metrics: dict[str, float | None] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict, description="Items each metric was computed on")
    latency: dict[str, StageLatency] = Field(default_factory=dict)

    @property
    def n_retrieval(self) -> int:
        return self.counts.get("hit@5", 0)


def mean(values: Iterable[float | None]) -> tuple[float | None, int]:
    vals = [v for v in values if v is not None]
    return (sum(vals) / len(vals) if vals else None), len(vals)


def aggregate(records: Sequence[Mapping], metric_names: Sequence[str] = ALL_METRICS) -> Row:
    """One Row from per-item records, each {'metrics': {...}, 'timings': {...} | None}."""
    row = Row(n=len(records))
    for name in metric_names:
        value, count = mean((r.get("metrics") or {}).get(name) for r in records)
        row.metrics[name] = value
        row.counts[name] = count
    row.latency = latency_table(r["timings"] for r in records if r.get("timings"))
    return row


def breakdown(records: Sequence[Mapping], key: str, order: Sequence[str] | None = None,
              metric_names: Sequence[str] = ALL_METRICS) -> dict[str, Row]:
    """Rows per value of records[key] (e.g. 'lang', 'type'), in `order` when given."""
    groups: dict[str, list[Mapping]] = {}
    for r in records:
        groups.setdefault(str(r.get(key)), []).append(r)
    keys = [k for k in (order or []) if k in groups] + sorted(k for k in groups if k not in (order or []))
    return {k: aggregate(groups[k], metric_names) for k in keys}
