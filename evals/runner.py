"""The eval runner: score our retriever (and optionally answers and baselines) on the fixed eval set.

    from evals.runner import run_eval
    report = run_eval(backend="extractive", subset="number/en", compare=["bm25"], retrieval_only=True)

Writes into a timestamped folder (default evals/reports/<YYYYmmdd-HHMMSS>/): results.jsonl (one line per
item per system), report.json, report.md and chart.png; prints a summary with rich.

Gates: ``min_gates=["hit@5.zh=0.95"]``, ``max_gates=["false_refusal=0.05"]``. A gate is
``[system:]metric[.slice]=value``: system defaults to ``ours``; slice is ``all`` (default), a language
(zh, en) or a type (number, fact, …); metric is one of ``evals.metrics.ALL_METRICS`` or a latency
percentile ``p50_<stage>`` / ``p95_<stage>`` (seconds, e.g. ``p95_total``). A gate whose metric has no
value (e.g. an answer metric in a retrieval-only run) fails.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from evals import metrics as M
from evals.documents import DocumentCheck, check_structure, with_documents

log = logging.getLogger(__name__)

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_EVAL_FILE = EVALS_DIR / "data" / "eval_v1.jsonl"
DEFAULT_REPORTS_DIR = EVALS_DIR / "reports"
TYPES = ("number", "fact", "which_case", "provider", "list", "compare", "summary", "follow_up", "out_of_scope")
LANGS = ("zh", "en")
OURS = "ours"
SEARCH_K = 10


# ---------------------------------------------------------------------------------------------- items
class GoldCase(BaseModel):
    source_file: str
    number: int
    title: str = ""

    @property
    def case_id(self) -> str:
        return M.gold_case_id(self.source_file, self.number)


class EvalItem(BaseModel):
    id: str
    lang: Literal["zh", "en"]
    type: str
    history: list[dict] = Field(default_factory=list)
    question: str
    answerable: bool
    gold: list[GoldCase] = Field(default_factory=list)
    must_include: list[list[str]] = Field(default_factory=list)
    evidence: str = ""

    @property
    def gold_ids(self) -> list[str]:
        return M.distinct_cases(g.case_id for g in self.gold)


def load_items(path: Path | str = DEFAULT_EVAL_FILE) -> list[EvalItem]:
    items = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                items.append(EvalItem.model_validate_json(line))
    return items


def select(items: list[EvalItem], subset: str | None) -> list[EvalItem]:
    """Filter by 'type/lang'-style tokens: 'number', 'en', 'number/en', 'number,fact/zh', or item ids.

    Tokens of the same kind are alternatives (OR); kinds combine with AND. Unknown tokens raise ValueError.
    """
    if not subset or not subset.strip():
        return list(items)
    ids = {it.id for it in items}
    langs, types, wanted_ids = set(), set(), set()
    for token in re.split(r"[/,\s]+", subset.strip()):
        if not token:
            continue
        if token in LANGS:
            langs.add(token)
        elif token in TYPES:
            types.add(token)
        elif token.replace("-", "_") in TYPES:
            types.add(token.replace("-", "_"))
        elif token in ids:
            wanted_ids.add(token)
        else:
            raise ValueError(f"unknown subset token {token!r}: use a language ({', '.join(LANGS)}), "
                             f"a type ({', '.join(TYPES)}) or an item id")
    return [it for it in items
            if (not langs or it.lang in langs) and (not types or it.type in types)
            and (not wanted_ids or it.id in wanted_ids)]


# ---------------------------------------------------------------------------------------------- gates
class Gate(BaseModel):
    spec: str
    op: Literal["min", "max"]
    system: str = OURS
    metric: str
    slice: str = "all"
    threshold: float
    value: float | None = None
    passed: bool | None = None

    @property
    def message(self) -> str:
        sign = ">=" if self.op == "min" else "<="
        got = "no value (metric not computed in this run)" if self.value is None else f"{self.value:.4f}"
        name = f"{self.system}:{self.metric}.{self.slice}"
        return f"{name} = {got}, required {sign} {self.threshold:g}"


_LATENCY = re.compile(r"^p(50|95)_(.+)$")


def parse_gate(spec: str, op: Literal["min", "max"], systems: list[str] | None = None) -> Gate:
    """'[system:]metric[.slice]=value' → Gate; ValueError with a plain message when malformed."""
    text = spec.strip()
    if "=" not in text:
        raise ValueError(f"gate {spec!r}: expected metric=value, e.g. hit@5.zh=0.95")
    left, _, right = text.rpartition("=")
    try:
        threshold = float(right)
    except ValueError:
        raise ValueError(f"gate {spec!r}: {right!r} is not a number") from None
    system = OURS
    if ":" in left:
        system, _, left = left.partition(":")
    metric, _, slice_ = left.partition(".")
    slice_ = slice_ or "all"
    if metric not in M.ALL_METRICS and not _LATENCY.match(metric):
        raise ValueError(f"gate {spec!r}: unknown metric {metric!r}; known: {', '.join(M.ALL_METRICS)}, "
                         "p50_<stage>, p95_<stage>")
    if slice_ not in ("all", *LANGS, *TYPES):
        raise ValueError(f"gate {spec!r}: unknown slice {slice_!r}; use all, {', '.join(LANGS)} or a type")
    if systems is not None and system not in systems:
        raise ValueError(f"gate {spec!r}: system {system!r} is not in this run ({', '.join(systems)})")
    return Gate(spec=spec, op=op, system=system, metric=metric, slice=slice_, threshold=threshold)


# --------------------------------------------------------------------------------------------- report
class SystemReport(BaseModel):
    name: str
    answers: bool = False
    all: M.Row
    by_language: dict[str, M.Row] = Field(default_factory=dict)
    by_type: dict[str, M.Row] = Field(default_factory=dict)
    seconds: float = 0.0

    def row(self, slice_: str) -> M.Row | None:
        if slice_ == "all":
            return self.all
        return self.by_language.get(slice_) or self.by_type.get(slice_)


class Report(BaseModel):
    created: str
    eval_file: str
    backend: str
    subset: str | None = None
    retrieval_only: bool = False
    compare: list[str] = Field(default_factory=list)
    n_items: int = 0
    index_name: str = ""
    embedding_model: str = ""
    retrieval_settings: dict = Field(default_factory=dict)
    config_hash: str = ""
    systems: dict[str, SystemReport] = Field(default_factory=dict)
    misses: dict[str, list[str]] = Field(default_factory=dict, description="Item ids to look at, by kind")
    documents: str = Field("", description="Extra documents indexed beside the corpus for this run")
    structure: list[DocumentCheck] = Field(default_factory=list, description="Detected structure vs structure.json")
    gates: list[Gate] = Field(default_factory=list)
    out_dir: str = ""
    seconds: float = 0.0

    @property
    def failed_gates(self) -> list[Gate]:
        return [g for g in self.gates if g.passed is False]

    @property
    def passed(self) -> bool:
        return not self.failed_gates

    def value(self, metric: str, slice_: str = "all", system: str = OURS) -> float | None:
        sysrep = self.systems.get(system)
        row = sysrep.row(slice_) if sysrep else None
        if row is None:
            return None
        m = _LATENCY.match(metric)
        if m:
            stage = row.latency.get(m.group(2))
            return None if stage is None else (stage.p50 if m.group(1) == "50" else stage.p95)
        return row.metrics.get(metric)


def evaluate_gates(report: Report, gates: list[Gate]) -> list[Gate]:
    out = []
    for gate in gates:
        value = report.value(gate.metric, gate.slice, gate.system)
        if value is None:
            passed = False
        elif gate.op == "min":
            passed = value >= gate.threshold - 1e-12
        else:
            passed = value <= gate.threshold + 1e-12
        out.append(gate.model_copy(update={"value": value, "passed": passed}))
    return out


# ------------------------------------------------------------------------------------------------ run
def _answer_record(item: EvalItem, backend: str) -> tuple[dict, dict | None, str | None]:
    """(answer fields, timings, error) for one item."""
    from assistant import answer

    try:
        ans = answer(item.question, item.history, backend=backend)
    except Exception as exc:  # noqa: BLE001 - an eval run records failures and goes on
        log.warning("answer failed for %s: %s", item.id, exc)
        return ({"text": "", "language": "", "refused": False, "route": "error", "citations": [], "quotes": [],
                 "standalone_question": "", "notices": [], "backend": backend},
                None, f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")
    fields = {
        "text": ans.text,
        "language": ans.language,
        "refused": ans.refused,
        "route": ans.route,
        "citations": [c.case_id for c in ans.citations],
        "quotes": [c.quote for c in ans.citations],
        "standalone_question": ans.standalone_question,
        "notices": ans.notices,
        "backend": ans.backend,
        "config_hash": ans.config_hash,
    }
    return fields, dict(ans.timings), None


def _score_answer(item: EvalItem, fields: dict) -> dict[str, float | None]:
    return M.answer_metrics(answerable=item.answerable, gold=item.gold_ids, must_include=item.must_include,
                            lang=item.lang, text=fields["text"], declared_language=fields["language"],
                            refused=fields["refused"], cited=M.distinct_cases(fields["citations"]))


def _system_report(name: str, records: list[dict], answers: bool, seconds: float) -> SystemReport:
    names = M.ALL_METRICS if answers else M.RETRIEVAL_METRICS
    return SystemReport(
        name=name, answers=answers, seconds=round(seconds, 2),
        all=M.aggregate(records, names),
        by_language=M.breakdown(records, "lang", LANGS, names),
        by_type=M.breakdown(records, "type", TYPES, names),
    )


def _out_folder(out_dir: Path | str | None) -> Path:
    if out_dir is not None:
        folder = Path(out_dir)
    else:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        folder = DEFAULT_REPORTS_DIR / stamp
        n = 1
        while folder.exists():
            n += 1
            folder = DEFAULT_REPORTS_DIR / f"{stamp}-{n}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_eval(backend: str = "extractive", subset: str | None = None, compare: list[str] | tuple[str, ...] = (),
             retrieval_only: bool = False, out_dir: Path | str | None = None, progress: bool = True, *,
             min_gates: list[str] | tuple[str, ...] = (), max_gates: list[str] | tuple[str, ...] = (),
             eval_file: Path | str = DEFAULT_EVAL_FILE, console=None, documents: Path | None = None,
             structure: Path | None = None, cards_backend: str | None = None) -> Report:
    """Score ours (hybrid retrieval, and answers unless retrieval_only) plus the named baselines; with
    `documents`, on a scratch index of the corpus and that folder (and its structure against `structure`)."""
    if documents is not None:
        out_dir = _out_folder(out_dir)
        with with_documents(Path(documents), cards_backend, keep_cards=out_dir / "cards.json"):
            report = run_eval(backend, subset, compare, retrieval_only, out_dir, progress, min_gates=min_gates,
                              max_gates=max_gates, eval_file=eval_file, console=console, structure=structure)
        return report
    from rich.console import Console
    from tqdm import tqdm

    from assistant import service
    from assistant.config import get_settings
    from assistant.retrieval.hybrid import RetrievalTrace, analyse_text, retrieve_with_evidence
    from evals.baselines import BASELINES, get_baseline

    console = console or Console()
    started = time.perf_counter()
    compare = _split_names(compare)
    for name in compare:
        if name not in BASELINES:
            raise ValueError(f"unknown baseline {name!r}; choose from {', '.join(BASELINES)}")
    systems = [OURS, *compare]
    gates = [parse_gate(s, "min", systems) for s in min_gates] + [parse_gate(s, "max", systems) for s in max_gates]
    items = select(load_items(eval_file), subset)
    if not items:
        raise ValueError(f"subset {subset!r} selects no items")

    settings = get_settings()
    index = service.index(settings)
    if not index.catalog.chunks:
        raise RuntimeError("the index is empty: run `ftzqa ingest` (python -m assistant ingest) first")
    folder = _out_folder(out_dir)
    # A case's title and provider line, for answers that are one (passage hit@5 counts a passage of that case).
    names = {c.id: f"{c.title}|{c.provider or ''}" for c in index.catalog.cases.values()}

    records: dict[str, list[dict]] = {s: [] for s in systems}
    seconds: dict[str, float] = {}

    # ---- ours
    t_sys = time.perf_counter()
    what = "retrieval" if retrieval_only else f"retrieval + answers ({backend})"
    for item in tqdm(items, desc=f"ours: {what}", unit="item", disable=not progress or not sys.stderr.isatty()):
        t = time.perf_counter()
        trace = RetrievalTrace()
        query = analyse_text(item.question, item.history, settings)
        hits = retrieve_with_evidence(query, SEARCH_K, None, settings=settings, trace=trace)[0] if query else []
        search_s = time.perf_counter() - t
        ranked = M.distinct_cases(h.case.id for h in hits)
        rec = _base_record(item, OURS, ranked, [(h.case.id, h.chunk.text) for h in hits], names)
        rec["query"] = trace.query
        rec["search_seconds"] = round(search_s, 4)
        if retrieval_only:
            rec["timings"] = {"retrieve": search_s}
        else:
            fields, timings, error = _answer_record(item, backend)
            rec["answer"] = fields
            rec["timings"] = timings or {}
            if error:
                rec["error"] = error
            rec["metrics"].update(_score_answer(item, fields))
        records[OURS].append(rec)
    seconds[OURS] = time.perf_counter() - t_sys

    # ---- baselines (retrieval only)
    for name in compare:
        t_sys = time.perf_counter()
        with console.status(f"building baseline {name}…") if progress else _nullcontext():
            retriever = get_baseline(name, settings)
        for item in tqdm(items, desc=f"{name}: retrieval", unit="item", disable=not progress or not sys.stderr.isatty()):
            t = time.perf_counter()
            passages = retriever(item.question, item.history)
            ranked = M.distinct_cases(cid for cid, _ in passages)
            rec = _base_record(item, name, ranked, passages, names)
            rec["timings"] = {"retrieve": time.perf_counter() - t}
            records[name].append(rec)
        seconds[name] = time.perf_counter() - t_sys

    report = Report(
        created=datetime.now().isoformat(timespec="seconds"),
        eval_file=str(eval_file), backend=backend, subset=subset, retrieval_only=retrieval_only, compare=compare,
        n_items=len(items), index_name=settings.index_name, embedding_model=settings.embedding.model,
        retrieval_settings=settings.retrieval.model_dump(), config_hash=settings.config_hash(backend),
        out_dir=str(folder),
        systems={s: _system_report(s, records[s], s == OURS and not retrieval_only, seconds[s]) for s in systems},
        misses=_misses(records[OURS], retrieval_only),
    )
    if structure is not None:
        report.structure = check_structure(Path(structure))
        report.documents = str(Path(structure).parent)
    report.gates = evaluate_gates(report, gates)
    report.seconds = round(time.perf_counter() - started, 2)
    write_outputs(report, records, folder)
    print_summary(report, console)
    return report


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _split_names(names) -> list[str]:
    out: list[str] = []
    for name in names or []:
        for part in str(name).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return out


def _base_record(item: EvalItem, system: str, ranked: list[str], passages: list[tuple[str, str]] | None = None,
                 names: dict[str, str] | None = None) -> dict:
    gold = item.gold_ids
    return {
        "id": item.id, "system": system, "lang": item.lang, "type": item.type, "answerable": item.answerable,
        "question": item.question, "gold": gold, "ranked": ranked,
        "metrics": dict(M.retrieval_metrics(ranked, gold, passages, item.evidence, names)),
    }


def _misses(records: list[dict], retrieval_only: bool) -> dict[str, list[str]]:
    out = {
        "retrieval_miss_hit@5": [r["id"] for r in records if r["metrics"].get("hit@5") == 0.0],
        "retrieval_miss_hit@1": [r["id"] for r in records if r["metrics"].get("hit@1") == 0.0],
    }
    if not retrieval_only:
        out["out_of_scope_not_refused"] = [r["id"] for r in records if r["metrics"].get("refusal_acc") == 0.0]
        out["answerable_refused"] = [r["id"] for r in records if r["metrics"].get("false_refusal") == 1.0]
        out["key_facts_missing"] = [r["id"] for r in records if r["metrics"].get("key_fact_acc") == 0.0]
        out["language_mismatch"] = [r["id"] for r in records if r["metrics"].get("language_match") == 0.0]
        out["errors"] = [r["id"] for r in records if r.get("error")]
    return out


# --------------------------------------------------------------------------------------------- output
LABELS = {"hit@1": "hit@1", "hit@5": "hit@5", "mrr@10": "MRR@10", "recall@5": "recall@5", "passage_hit@5": "passage@5",
          "key_fact_acc": "key facts", "correct_cited": "correct+cited", "citation_precision": "cite P", "citation_recall": "cite R",
          "language_match": "lang ok", "refusal_acc": "refusal acc", "false_refusal": "false refusal"}


def _fmt(v: float | None, digits: int = 3) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def write_outputs(report: Report, records: dict[str, list[dict]], folder: Path) -> None:
    with open(folder / "results.jsonl", "w", encoding="utf-8") as fh:
        for recs in records.values():
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
    (folder / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    (folder / "report.md").write_text(render_markdown(report), encoding="utf-8")
    try:
        write_chart(report, folder / "chart.png")
    except Exception as exc:  # noqa: BLE001 - a chart failure must not lose the numbers
        log.warning("chart not written: %s", exc)


def _md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    systems = list(report.systems.values())
    ours = report.systems[OURS]
    out = [f"# Eval report {report.created}", "",
           f"- eval set: `{Path(report.eval_file).name}`, items: {report.n_items}"
           + (f" (subset `{report.subset}`)" if report.subset else ""),
           f"- backend: `{report.backend}`{' (retrieval only)' if report.retrieval_only else ''}; "
           f"index `{report.index_name}`, embedding `{report.embedding_model}`, config hash `{report.config_hash}`",
           f"- systems: {', '.join(report.systems)}; run time {report.seconds:.0f} s",
           "- retrieval metrics over items with gold cases (out-of-scope items excluded); "
           "ranks are over distinct cases; ours = hybrid `search_text(k=10)`",
           ""]
    # summary side by side
    out += ["## Summary (all items)", ""]
    header = ["metric", *[s.name for s in systems]]
    rows = []
    for m in M.ALL_METRICS:
        if m not in ours.all.metrics and all(m not in s.all.metrics for s in systems):
            continue
        rows.append([LABELS[m] + (" (lower is better)" if m in M.LOWER_IS_BETTER else ""),
                     *[f"{_fmt(s.all.metrics.get(m))} (n={s.all.counts.get(m, 0)})" if m in s.all.metrics else ""
                       for s in systems]])
    out += [_md_table(header, rows), ""]

    for title, attr in (("By language", "by_language"), ("By type", "by_type")):
        out += [f"## {title} — retrieval", ""]
        header = ["slice", "system", "n", *[LABELS[m] for m in M.RETRIEVAL_METRICS]]
        rows = []
        for key in getattr(ours, attr):
            for s in systems:
                row = getattr(s, attr).get(key)
                if row is None:
                    continue
                rows.append([key, s.name, str(row.counts.get("hit@5", 0)),
                             *[_fmt(row.metrics.get(m)) for m in M.RETRIEVAL_METRICS]])
        out += [_md_table(header, rows), ""]
        if ours.answers:
            out += [f"## {title} — answers (ours, backend {report.backend})", ""]
            header = ["slice", "n", *[LABELS[m] for m in M.ANSWER_METRICS]]
            rows = [[key, str(row.n), *[_fmt(row.metrics.get(m)) for m in M.ANSWER_METRICS]]
                    for key, row in getattr(ours, attr).items()]
            out += [_md_table(header, rows), ""]

    if report.structure:
        exact = sum(c.exact for c in report.structure)
        out += [f"## Structure of the added documents: {exact}/{len(report.structure)} exact", ""]
        for c in report.structure:
            out.append(f"- {'EXACT' if c.exact else 'WRONG'} `{c.source_file}`: {len(c.found)} cases found, "
                       f"{len(c.expected)} expected; title {c.title_found!r}")
            if not c.exact:
                out += [f"  - want {e}  found {f}" for e, f in zip(c.expected, c.found) if e != f]
        out.append("")
    out += ["## Latency (seconds)", ""]
    header = ["system", "stage", "n", "p50", "p95"]
    rows = [[s.name, stage, str(lat.n), _fmt(lat.p50), _fmt(lat.p95)]
            for s in systems for stage, lat in s.all.latency.items()]
    out += [_md_table(header, rows), ""]

    if report.gates:
        out += ["## Gates", ""]
        out += [f"- {'PASS' if g.passed else 'FAIL'} `{g.spec}` ({g.op}): {g.message}" for g in report.gates]
        out.append("")
    out += ["## Items to look at (ours)", ""]
    for kind, ids in report.misses.items():
        out.append(f"- **{kind}** ({len(ids)}): {', '.join(ids) if ids else '—'}")
    out.append("")
    return "\n".join(out)


def write_chart(report: Report, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    systems = list(report.systems.values())
    ours = report.systems[OURS]
    panels = [("hit@5 by type", "by_type", "hit@5", systems), ("hit@5 by language", "by_language", "hit@5", systems)]
    if ours.answers:
        panels += [("key-fact accuracy by type (ours)", "by_type", "key_fact_acc", [ours]),
                   ("key-fact accuracy by language (ours)", "by_language", "key_fact_acc", [ours])]
    fig, axes = plt.subplots(len(panels), 1, figsize=(12, 3.6 * len(panels)), squeeze=False)
    for ax, (title, attr, metric, group) in zip(axes[:, 0], panels):
        keys = [k for k, row in getattr(ours, attr).items() if row.metrics.get(metric) is not None
                or any(getattr(s, attr).get(k) and getattr(s, attr)[k].metrics.get(metric) is not None for s in group)]
        x = np.arange(len(keys))
        width = 0.8 / max(len(group), 1)
        for i, s in enumerate(group):
            vals = [(getattr(s, attr).get(k).metrics.get(metric) if getattr(s, attr).get(k) else None) or 0.0
                    for k in keys]
            bars = ax.bar(x + (i - (len(group) - 1) / 2) * width, vals, width, label=s.name)
            ax.bar_label(bars, labels=[f"{v:.2f}" for v in vals], fontsize=6, padding=1)
        ax.set_xticks(x, keys)
        ax.set_ylim(0, 1.1)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.005, 1.0))
    fig.suptitle(f"eval {report.created} · backend {report.backend} · n={report.n_items}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_summary(report: Report, console) -> None:
    from rich.table import Table

    table = Table(title=f"retrieval (n items with gold; out-of-scope excluded) — {report.out_dir}")
    for col in ("system", "slice", "n", *[LABELS[m] for m in M.RETRIEVAL_METRICS]):
        table.add_column(col, justify="right" if col not in ("system", "slice") else "left")
    for s in report.systems.values():
        for key in ("all", *LANGS):
            row = s.row(key)
            if row is None:
                continue
            table.add_row(s.name, key, str(row.counts.get("hit@5", 0)),
                          *[_fmt(row.metrics.get(m)) for m in M.RETRIEVAL_METRICS])
        table.add_section()
    console.print(table)
    ours = report.systems[OURS]
    if ours.answers:
        table = Table(title=f"answers (ours, backend {report.backend})")
        for col in ("slice", "n", *[LABELS[m] for m in M.ANSWER_METRICS]):
            table.add_column(col, justify="right" if col != "slice" else "left")
        for key in ("all", *LANGS):
            row = ours.row(key)
            if row is not None:
                table.add_row(key, str(row.n), *[_fmt(row.metrics.get(m)) for m in M.ANSWER_METRICS])
        console.print(table)
        lat = ours.all.latency
        table = Table(title="latency, seconds (ours)")
        for col in ("stage", "n", "p50", "p95"):
            table.add_column(col, justify="right" if col != "stage" else "left")
        for stage, st in lat.items():
            table.add_row(stage, str(st.n), _fmt(st.p50), _fmt(st.p95))
        console.print(table)
    for kind, ids in report.misses.items():
        if ids:
            console.print(f"[bold]{kind}[/] ({len(ids)}): {', '.join(ids)}")
    if report.structure:
        exact = sum(c.exact for c in report.structure)
        console.print(f"[bold]structure of the added documents[/]: {exact}/{len(report.structure)} exact "
                      + ", ".join(f"{c.source_file} {'✓' if c.exact else '✗'}" for c in report.structure))
    for gate in report.gates:
        style = "green" if gate.passed else "red"
        console.print(f"[{style}]{'PASS' if gate.passed else 'FAIL'}[/] {gate.spec}: {gate.message}")
    console.print(f"report: {report.out_dir}/report.md")
