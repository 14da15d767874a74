"""The eval set's validity, the metric functions, and the eval runner / CLI gates (fast: a tmp index, small subsets)."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evals import metrics as M
from evals.runner import (
    DEFAULT_EVAL_FILE,
    TYPES,
    EvalItem,
    Report,
    evaluate_gates,
    load_items,
    parse_gate,
    run_eval,
    select,
)

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = PROJECT / "corpus"


# ------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def eval_home(tmp_path_factory) -> Path:
    """The shipped corpus ingested once per session into a tmp FTZQA_HOME (never the developer's .data)."""
    from assistant import service
    from assistant.config import Settings
    from ingest.pipeline import ingest

    home = tmp_path_factory.mktemp("ftzqa-eval-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FTZQA_HOME", str(home))
        mp.delenv("FTZQA_STORE__CHROMA_URL", raising=False)
        mp.delenv("FTZQA_STORE__PATH", raising=False)
        service.reset()
        settings = Settings()
        assert settings.home == home
        report = ingest([CORPUS], settings)
        assert report.documents == 5 and not report.skipped
    service.reset()
    return home


@pytest.fixture
def eval_index(eval_home, monkeypatch):
    """The session's eval index made current for one test; other test modules keep their own home."""
    from assistant import service

    monkeypatch.setenv("FTZQA_HOME", str(eval_home))
    monkeypatch.setenv("FTZQA_LLM__BACKEND", "extractive")
    monkeypatch.delenv("FTZQA_STORE__CHROMA_URL", raising=False)
    monkeypatch.delenv("FTZQA_STORE__PATH", raising=False)
    service.reset()
    yield service.index()
    monkeypatch.undo()
    service.reset()


HELDOUT_EVAL_FILE = DEFAULT_EVAL_FILE.with_name("heldout_v1.jsonl")
HELDOUT_V2_EVAL_FILE = DEFAULT_EVAL_FILE.with_name("heldout_v2.jsonl")
HELDOUT_V3_EVAL_FILE = DEFAULT_EVAL_FILE.with_name("heldout_v3.jsonl")


@pytest.fixture(scope="session")
def items() -> list[EvalItem]:
    return load_items(DEFAULT_EVAL_FILE)


@pytest.fixture(scope="session", params=[DEFAULT_EVAL_FILE, HELDOUT_EVAL_FILE, HELDOUT_V2_EVAL_FILE, HELDOUT_V3_EVAL_FILE],
                ids=["eval_v1", "heldout_v1", "heldout_v2", "heldout_v3"])
def any_set(request) -> list[EvalItem]:
    """Both shipped sets: the main one and the held-out one QA runs with --items."""
    return load_items(request.param)


def _norm_title(title: str) -> str:
    return re.sub(r"\s+", "", title).replace("（", "(").replace("）", ")")


# ------------------------------------------------------------------------------------------ eval set
def test_eval_set_shape(items):
    ids = [it.id for it in items]
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]
    assert len(items) >= 100
    assert sum(it.lang == "en" for it in items) / len(items) >= 0.40
    per_type = Counter(it.type for it in items)
    assert set(per_type) <= set(TYPES), set(per_type) - set(TYPES)
    for t in TYPES:
        assert per_type[t] >= 6, f"type {t} has {per_type[t]} items"
    assert per_type["out_of_scope"] / len(items) >= 0.10
    for it in items:
        if it.type == "out_of_scope":
            assert not it.answerable and not it.gold and not it.evidence, it.id
        else:
            assert it.answerable and it.gold and it.must_include, it.id


@pytest.mark.parametrize("path", [HELDOUT_EVAL_FILE, HELDOUT_V2_EVAL_FILE, HELDOUT_V3_EVAL_FILE],
                         ids=["heldout_v1", "heldout_v2", "heldout_v3"])
def test_heldout_sets_are_separate_from_the_main_set(items, path):
    heldout = load_items(path)
    assert not {it.id for it in heldout} & {it.id for it in items}
    assert not {it.question for it in heldout} & {it.question for it in items}
    assert sum(it.type == "out_of_scope" for it in heldout) >= 15  # they exist to measure refusals honestly
    for it in heldout:
        assert it.answerable == (it.type != "out_of_scope") and bool(it.gold) == it.answerable, it.id


def test_every_gold_case_exists_with_its_title(eval_index, any_set):
    from assistant import cases

    catalog = {(c.source_file, c.number): c for c in cases(include_preambles=True)}
    problems = []
    for it in any_set:
        for g in it.gold:
            case = catalog.get((g.source_file, g.number))
            if case is None:
                problems.append(f"{it.id}: no case {g.source_file}#{g.number}")
            elif _norm_title(case.title) != _norm_title(g.title):
                problems.append(f"{it.id}: title {g.title!r} != catalog {case.title!r}")
            elif case.id != g.case_id:
                problems.append(f"{it.id}: case id {case.id} != {g.case_id}")
    assert not problems, "\n".join(problems)


def test_every_evidence_quote_is_in_its_document(eval_index, any_set):
    catalog = eval_index.catalog
    raw = {p.name: p.read_text(encoding="utf-8").replace("\n", "") for p in CORPUS.glob("*.txt")}
    cleaned = {doc_id: re.sub(r"\s+", "", text) for doc_id, text in catalog.texts.items()}
    problems = []
    for it in any_set:
        if not it.evidence:
            continue
        squeezed = re.sub(r"\s+", "", it.evidence)
        found = any(it.evidence in raw.get(g.source_file, "") or squeezed in cleaned.get(Path(g.source_file).stem, "")
                    for g in it.gold)
        if not found:
            problems.append(f"{it.id}: {it.evidence!r}")
    assert not problems, "\n".join(problems)


# ------------------------------------------------------------------------------------------- metrics
@pytest.mark.parametrize("ranked, gold, k, expected", [
    (["a#1", "b#2", "c#3"], ["a#1"], 1, 1.0),
    (["b#2", "a#1"], ["a#1"], 1, 0.0),
    (["b#2", "b#2", "b#2", "c#3", "d#4", "e#5", "a#1"], ["a#1"], 5, 1.0),  # dedupe: a#1 is the 5th case
    (["b#2", "c#3", "d#4", "e#5", "f#6", "a#1"], ["a#1"], 5, 0.0),
    (["b#2", "c#3", "x#9"], ["x#9", "y#1"], 5, 1.0),  # any gold case counts
    ([], ["a#1"], 5, 0.0),
])
def test_hit_at(ranked, gold, k, expected):
    assert M.hit_at(ranked, gold, k) == expected


@pytest.mark.parametrize("ranked, gold, expected", [
    (["a#1"], ["a#1"], 1.0),
    (["b#2", "b#2", "a#1"], ["a#1"], 0.5),
    (["b#2", "c#3", "a#1", "x#1"], ["x#1", "a#1"], 1 / 3),
    ([f"z#{i}" for i in range(10)] + ["a#1"], ["a#1"], 0.0),  # beyond rank 10
    (["b#2"], ["a#1"], 0.0),
])
def test_mrr(ranked, gold, expected):
    assert M.mrr_at(ranked, gold, 10) == pytest.approx(expected)


@pytest.mark.parametrize("ranked, gold, expected", [
    (["a#1", "b#2", "c#3"], ["a#1", "c#3", "d#4", "e#5"], 0.5),
    (["a#1", "a#1", "b#2", "c#3", "f#6", "f#6", "g#7"], ["f#6", "a#1"], 1.0),
    (["a#1", "a#1", "b#2", "c#3", "d#4", "e#5", "f#6"], ["f#6", "a#1"], 0.5),  # f#6 is the 6th distinct case
    (["x#1"], ["a#1"], 0.0),
])
def test_recall_at_5(ranked, gold, expected):
    assert M.recall_at(ranked, gold, 5) == pytest.approx(expected)


def test_gold_case_id_and_out_of_scope_has_no_retrieval_metrics():
    assert M.gold_case_id("004_db19b12f0daba2d6.txt", 13) == "004_db19b12f0daba2d6#13"
    assert M.gold_ids([{"source_file": "a.txt", "number": 1}, {"source_file": "a.txt", "number": 1}]) == ["a#1"]
    assert all(v is None for v in M.retrieval_metrics(["a#1"], []).values())


@pytest.mark.parametrize("text, must, expected", [
    ("监管能力由每月5 万件提升至30万件", [["5万"], ["30万"]], True),  # whitespace ignored on both sides
    ("from 50,000 to 300,000 a month", [["5万", "50,000"], ["30万", "300,000"]], True),
    ("每月5万件", [["5万"], ["30万"]], False),
    ("It is 15.57 Billion yuan", [["15.57 billion"]], True),
    ("anything", [], None),
])
def test_key_facts(text, must, expected):
    assert M.key_facts_present(text, must) is expected


@pytest.mark.parametrize("cited, gold, precision, recall", [
    (["a#1", "b#2"], ["a#1"], 0.5, 1.0),
    (["a#1"], ["a#1", "c#3"], 1.0, 0.5),
    ([], ["a#1"], None, 0.0),
    (["b#2"], ["a#1"], 0.0, 0.0),
])
def test_citation_precision_recall(cited, gold, precision, recall):
    assert M.citation_precision(cited, gold) == precision
    assert M.citation_recall(cited, gold) == recall


@pytest.mark.parametrize("text, lang", [
    ("根据资料：\n《国际航行船舶转港数据复用模式》（舟山片区）：整个申报流程需要1个小时左右[1]。", "zh"),
    ("According to the documents (quoted in Chinese):\n- Case “浙江“A”片区”, provided by 宁波片区: “宁波海关共监管。” [1]", "en"),
    ("The documents do not cover this. The closest cases are: “探索服务型制造业发展新模式” (西安市).", "en"),
    ("资料中未找到能回答这个问题的内容。最接近的案例：《探索服务型制造业发展新模式》（西安市）。", "zh"),
    ("RCEP和FTF账户是什么？", "zh"),
])
def test_text_language(text, lang):
    assert M.text_language(text) == lang


def test_answer_metrics_refusals():
    unanswerable = M.answer_metrics(answerable=False, gold=[], must_include=[], lang="en", text="The documents do not cover this.",
                                    declared_language="en", refused=True, cited=[])
    assert unanswerable["refusal_acc"] == 1.0 and unanswerable["false_refusal"] is None
    assert unanswerable["key_fact_acc"] is None and unanswerable["language_match"] == 1.0
    refused = M.answer_metrics(answerable=True, gold=["a#1"], must_include=[["x"]], lang="zh", text="资料中未找到x。",
                               declared_language="zh", refused=True, cited=[])
    assert refused["false_refusal"] == 1.0 and refused["key_fact_acc"] == 0.0 and refused["refusal_acc"] is None
    assert refused["citation_precision"] is None and refused["citation_recall"] == 0.0
    good = M.answer_metrics(answerable=True, gold=["a#1"], must_include=[["5万"]], lang="zh", text="每月5万件[1]。",
                            declared_language="zh", refused=False, cited=["a#1", "b#2"])
    assert good["key_fact_acc"] == 1.0 and good["citation_precision"] == 0.5 and good["citation_recall"] == 1.0


@pytest.mark.parametrize("values, q, expected", [
    ([1.0], 95, 1.0),
    ([1.0, 2.0, 3.0, 4.0, 5.0], 50, 3.0),
    ([0.0, 10.0], 95, 9.5),
    ([], 50, None),
])
def test_percentile(values, q, expected):
    assert M.percentile(values, q) == (pytest.approx(expected) if expected is not None else None)


def test_aggregate_and_breakdown():
    records = [
        {"lang": "zh", "type": "number", "metrics": {"hit@5": 1.0, "hit@1": 1.0}, "timings": {"total": 1.0}},
        {"lang": "en", "type": "number", "metrics": {"hit@5": 0.0, "hit@1": 0.0}, "timings": {"total": 3.0, "x": 1}},
        {"lang": "en", "type": "out_of_scope", "metrics": {"hit@5": None, "refusal_acc": 1.0}, "timings": None},
    ]
    row = M.aggregate(records)
    assert row.n == 3 and row.metrics["hit@5"] == 0.5 and row.counts["hit@5"] == 2
    assert row.metrics["refusal_acc"] == 1.0 and row.metrics["key_fact_acc"] is None
    assert row.latency["total"].p50 == pytest.approx(2.0) and row.latency["x"].n == 1
    by_lang = M.breakdown(records, "lang", ["zh", "en"])
    assert list(by_lang) == ["zh", "en"] and by_lang["en"].counts["hit@5"] == 1


# ------------------------------------------------------------------------------------- subset, gates
@pytest.mark.parametrize("subset, check", [
    ("number", lambda it: it.type == "number"),
    ("en", lambda it: it.lang == "en"),
    ("number/en", lambda it: it.type == "number" and it.lang == "en"),
    ("follow_up", lambda it: it.type == "follow_up"),
    ("list,compare/zh", lambda it: it.type in ("list", "compare") and it.lang == "zh"),
])
def test_select(items, subset, check):
    chosen = select(items, subset)
    assert chosen and all(check(it) for it in chosen)
    assert len(chosen) == sum(check(it) for it in items)


def test_select_rejects_unknown_tokens(items):
    with pytest.raises(ValueError, match="unknown subset token"):
        select(items, "numbers")
    assert [it.id for it in select(items, "num-zh-001")] == ["num-zh-001"]


@pytest.mark.parametrize("spec, op, metric, slice_, system, threshold", [
    ("hit@5.zh=0.95", "min", "hit@5", "zh", "ours", 0.95),
    ("hit@5=0.9", "min", "hit@5", "all", "ours", 0.9),
    ("false_refusal=0.05", "max", "false_refusal", "all", "ours", 0.05),
    ("bm25:mrr@10.number=0.5", "min", "mrr@10", "number", "bm25", 0.5),
    ("p95_total=10", "max", "p95_total", "all", "ours", 10.0),
])
def test_parse_gate(spec, op, metric, slice_, system, threshold):
    gate = parse_gate(spec, op)
    assert (gate.metric, gate.slice, gate.system, gate.threshold) == (metric, slice_, system, threshold)


@pytest.mark.parametrize("spec", ["hit@5", "hit@7=0.9", "hit@5.fr=0.9", "hit@5=high", "dense:hit@5=0.9"])
def test_parse_gate_rejects(spec):
    with pytest.raises(ValueError):
        parse_gate(spec, "min", ["ours"])


def test_gates_evaluate_against_report():
    row = M.Row(n=2, metrics={"hit@5": 0.9, "false_refusal": 0.1}, counts={"hit@5": 2})
    from evals.runner import SystemReport

    report = Report(created="now", eval_file="x", backend="extractive",
                    systems={"ours": SystemReport(name="ours", all=row, by_language={"zh": row})})
    gates = evaluate_gates(report, [parse_gate("hit@5.zh=0.9", "min"), parse_gate("hit@5=0.95", "min"),
                                    parse_gate("false_refusal=0.05", "max"), parse_gate("key_fact_acc=0.5", "min")])
    assert [g.passed for g in gates] == [True, False, False, False]
    assert "no value" in gates[3].message and "required >= 0.95" in gates[1].message


# ---------------------------------------------------------------------------------- runner and CLI
def _cli_app() -> typer.Typer:
    from evals.cli import eval_command

    app = typer.Typer()
    app.command("eval")(eval_command)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps "eval" a subcommand, as in assistant/cli.py
        pass

    return app


def test_cli_min_gate_failure_exits_nonzero(eval_index, tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(_cli_app(), ["eval", "--subset", "number/zh", "--retrieval-only", "--no-progress",
                                             "--compare", "bm25", "--min", "hit@5=1.01", "--min", "bm25:hit@1.zh=0",
                                             "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "hit@5=1.01" in result.output and "gate" in result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [g["passed"] for g in report["gates"]] == [False, True]
    assert set(report["systems"]) == {"ours", "bm25"}
    for name in ("results.jsonl", "report.md", "chart.png"):
        assert (out / name).stat().st_size > 0


def test_cli_passing_gates_and_bad_gate_syntax(eval_index, tmp_path):
    ok = CliRunner().invoke(_cli_app(), ["eval", "--subset", "num-zh-001", "--retrieval-only", "--no-progress",
                                         "--max", "p95_retrieve=600", "--out", str(tmp_path / "a")])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(_cli_app(), ["eval", "--subset", "number", "--min", "hit@5", "--out", str(tmp_path / "b")])
    assert bad.exit_code == 2 and not (tmp_path / "b").exists()


def test_run_eval_with_extractive_answers(eval_index, tmp_path):
    report = run_eval(backend="extractive", subset="num-zh-001,oos-zh-003,fu-en-002", out_dir=tmp_path,
                      progress=False, min_gates=["refusal_acc=0"])
    assert report.n_items == 3 and report.passed
    ours = report.systems["ours"]
    assert ours.all.counts["hit@5"] == 2  # the out-of-scope item is not scored on retrieval
    assert ours.all.counts["refusal_acc"] == 1 and ours.all.counts["false_refusal"] == 2
    assert "total" in ours.all.latency
    lines = [json.loads(line) for line in (tmp_path / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {r["id"] for r in lines} == {"num-zh-001", "oos-zh-003", "fu-en-002"}
    first = next(r for r in lines if r["id"] == "num-zh-001")
    assert first["ranked"] and first["answer"]["text"] and "timings" in first
    assert first["gold"] == ["000_f4a39ceaf89cbe71#2"]
    assert "## Summary" in (tmp_path / "report.md").read_text(encoding="utf-8")


def test_llamaindex_node_matching_ignores_line_breaks(eval_index):
    """Baseline nodes are raw text (hard line breaks); they map to the catalog case holding that text."""
    from evals.baselines import CaseMatcher

    catalog = eval_index.catalog
    matcher = CaseMatcher(catalog)
    for chunk in list(catalog.chunks.values())[::40]:
        raw = "\n".join(chunk.text[i : i + 15] for i in range(0, len(chunk.text), 15))
        assert matcher.match(chunk.case_id.split("#")[0], raw) == chunk.case_id


def test_cli_module_import_has_no_side_effects():
    import importlib
    import sys

    for name in [m for m in sys.modules if m == "evals.cli"]:
        del sys.modules[name]
    before = os.environ.copy()
    module = importlib.import_module("evals.cli")
    assert callable(module.eval_command)
    assert os.environ == before
