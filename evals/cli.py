"""`ftzqa eval`: the typer command (registered in assistant/cli.py as ``app.command("eval")(eval_command)``).

Importing this module has no side effects: the index, models and runner load only when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer


def eval_command(
    backend: Annotated[str, typer.Option(help="Answer backend: extractive, local, openai:<model>")] = "extractive",
    subset: Annotated[str | None, typer.Option(
        help="Items to run: a type and/or language, e.g. 'number', 'en', 'number/en', 'list,compare/zh', or item ids")] = None,
    compare: Annotated[list[str] | None, typer.Option(
        "--compare", help="Baselines to score beside ours (repeatable or comma-separated): bm25, dense, llamaindex-default")] = None,
    retrieval_only: Annotated[bool, typer.Option("--retrieval-only", help="Score retrieval only; do not generate answers")] = False,
    min: Annotated[list[str] | None, typer.Option(  # noqa: A002 - the option is --min
        "--min", help="Gate metric[.slice]=value that must be reached, e.g. hit@5.zh=0.95 (exit 1 otherwise)")] = None,
    max: Annotated[list[str] | None, typer.Option(  # noqa: A002 - the option is --max
        "--max", help="Gate metric[.slice]=value that must not be exceeded, e.g. false_refusal=0.05")] = None,
    out: Annotated[Path | None, typer.Option(help="Output folder (default evals/reports/<YYYYmmdd-HHMMSS>)")] = None,
    items: Annotated[Path | None, typer.Option(
        "--items", exists=True, dir_okay=False,
        help="Eval set to run (default evals/data/eval_v1.jsonl; evals/data/heldout_v1.jsonl is the held-out set)")] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show progress bars")] = True,
    docs: Annotated[Path | None, typer.Option(
        "--docs", exists=True, file_okay=False,
        help="A folder of documents to index beside the corpus for this run (a scratch index; yours is untouched)")] = None,
    structure: Annotated[Path | None, typer.Option(
        "--structure", exists=True, dir_okay=False,
        help="structure.json of those documents: report whether cases, titles and providers are detected exactly")] = None,
    cards: Annotated[str | None, typer.Option(
        "--cards", help="With --docs: have this generator (local | openai:<model>) write the new documents' English "
                        "cards first, as `ftzqa cards` would after an upload (kept as <out>/cards.json); or such a "
                        "cards.json from an earlier run, reused (cards are kept per content hash)")] = None,
) -> None:
    """Score retrieval (and answers) on the fixed eval set; write results.jsonl, report.json/.md and chart.png."""
    from rich.console import Console

    from evals.baselines import BASELINES
    from evals.runner import DEFAULT_EVAL_FILE, OURS, _split_names, parse_gate, run_eval

    err = Console(stderr=True)
    min_gates, max_gates = list(min or []), list(max or [])
    names = _split_names(compare or [])
    unknown = [n for n in names if n not in BASELINES]
    if unknown:
        raise typer.BadParameter(f"unknown baseline(s) {', '.join(unknown)}; choose from {', '.join(BASELINES)}",
                                 param_hint="--compare")
    # Check the gates before spending minutes on the run.
    checks: list[tuple[str, Literal["min", "max"], str]] = [(s, "min", "--min") for s in min_gates]
    checks += [(s, "max", "--max") for s in max_gates]
    for spec, op, hint in checks:
        try:
            parse_gate(spec, op, [OURS, *names])
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint=hint) from None
    from assistant.cli import ensure_index

    ensure_index()  # a fresh checkout (or CI) is evaluated on the shipped corpus, ingested on first use
    try:
        report = run_eval(backend=backend, subset=subset, compare=names, retrieval_only=retrieval_only,
                          out_dir=out, progress=progress, min_gates=min_gates, max_gates=max_gates,
                          eval_file=items or DEFAULT_EVAL_FILE, documents=docs, structure=structure,
                          cards_backend=cards)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    except RuntimeError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    failed = report.failed_gates
    if failed:
        err.print(f"[red bold]{len(failed)} of {len(report.gates)} gate(s) failed:[/]")
        for gate in failed:
            err.print(f"[red]  ✗ {gate.spec} ({gate.op}): {gate.message}[/]")
        raise typer.Exit(1)
    if report.gates:
        err.print(f"[green]all {len(report.gates)} gate(s) passed[/]")
