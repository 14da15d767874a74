"""`ftzqa` (also `python -m assistant`): ingest, ask, chat, serve, eval, bench, setup."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="自贸案例问答 · FTZ Case Assistant", no_args_is_help=True, add_completion=False)
console = Console()
err = Console(stderr=True)


@app.command()
def setup(
    skip_model: Annotated[bool, typer.Option(help="Do not assemble the local model")] = False,
    skip_ingest: Annotated[bool, typer.Option(help="Do not ingest the corpus")] = False,
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
    if not skip_ingest:
        _run_ingest([], rebuild=False, cards=False)


def ensure_index() -> None:
    """A fresh checkout answers right away: an empty index is filled from the shipped corpus first."""
    from assistant import service
    from store.catalog import IndexCorrupted

    try:
        empty = not service.index().catalog.documents
    except IndexCorrupted as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    if empty:
        err.print("[dim]index is empty: ingesting the shipped corpus first…[/]")
        _run_ingest([], rebuild=False, cards=False)


@app.command()
def ingest(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: the corpus folder and the uploads folder)")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start from an empty index")] = False,
    cards: Annotated[bool, typer.Option("--cards/--no-cards", help="Then write the new cases' English cards with "
                                        "llm.cards_backend (about 30 s a case with the local model)")] = True,
) -> None:
    """Index documents: unchanged files are skipped, changed ones re-indexed, removed ones dropped."""
    _run_ingest(paths or [], rebuild, cards)


def _run_ingest(paths: list[Path], rebuild: bool, cards: bool = True) -> None:
    from ingest.pipeline import ingest as run
    from store.catalog import IndexCorrupted

    try:
        report = run(paths or None, rebuild=rebuild, progress=sys.stderr.isatty())
    except IndexCorrupted as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    table = Table(title="ingest")
    for col in ("docs", "cases", "chunks", "new", "changed", "same", "removed", "skipped", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(*(str(x) for x in (
        report.documents, report.cases, report.chunks, len(report.added), len(report.updated),
        len(report.unchanged), len(report.removed), len(report.skipped), report.seconds)))
    console.print(table)
    for skipped in report.skipped:
        console.print(f"[yellow]skipped[/] {skipped.path}: {skipped.reason}")
    for removed in report.removed:
        console.print(f"[dim]removed[/] {removed}")
    _cards_after_ingest(cards)


def _cards_after_ingest(write: bool) -> None:
    """English questions find a case through its card: write the missing ones when llm.cards_backend is a generator,
    otherwise say how to (ingest never fails for want of a card)."""
    from assistant import service
    from assistant.config import get_settings
    from assistant.llm.registry import get_generator

    service.reset()
    missing = service.cards_missing()
    if not missing:
        return
    backend = get_settings().llm.cards_backend
    try:
        generator = get_generator(backend) if write else None
    except Exception:  # noqa: BLE001 - an unusable backend only means no cards now
        generator = None
    if generator is None:
        console.print(f"[dim]{missing} case(s) have no English card yet: `ftzqa cards --backend local` writes them "
                      "(English questions still work through the dictionary and the documents' names)[/]")
        return
    _write_cards(backend)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="问题 / the question, in Chinese or English")],
    backend: Annotated[str | None, typer.Option(help="local | openai:<model> | extractive")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON")] = False,
    source_file: Annotated[list[str] | None, typer.Option(help="Only these documents (file names)")] = None,
    provider: Annotated[list[str] | None, typer.Option(help="Only cases from these providers")] = None,
    export: Annotated[Path | None, typer.Option(
        "--export", help="Also write the answer and its sources to FILE (.docx for Word/WPS, .md for Markdown)",
        metavar="FILE")] = None,
) -> None:
    """Answer one question, then list its sources."""
    from assistant import InvalidQuestion, stream_answer
    from assistant.models import Answer

    filters = {k: v for k, v in (("source_file", source_file), ("provider", provider)) if v} or None
    export_format = _export_format(export) if export is not None else None
    ensure_index()
    final: Answer | None = None
    try:
        for item in stream_answer(_safe_text(question), None, filters=filters, backend=backend):
            if isinstance(item, Answer):
                final = item
            elif not as_json:
                console.print(item, end="", markup=False, highlight=False)
    except InvalidQuestion as exc:
        err.print(str(exc))
        raise typer.Exit(2) from exc
    assert final is not None
    if export is not None and export_format is not None:
        _write_export(export, export_format, question, final)
    if as_json:
        console.print_json(final.model_dump_json())
        return
    console.print()
    _print_final(final)


def _export_format(path: Path) -> str:
    """The export format a file name asks for; anything but .md/.markdown is a Word file."""
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        return "md"
    if suffix in (".docx", ""):
        return "docx"
    err.print(f"--export: use a .docx or .md file name, not {path.name!r}")
    raise typer.Exit(2)


def _write_export(path: Path, fmt: str, question: str, final) -> None:
    from assistant.export import render

    target = path if path.suffix else path.with_suffix(".docx")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render([(_safe_text(question), final)], fmt))
    except OSError as exc:
        err.print(f"--export: cannot write {target}: {exc.strerror or exc}")
        raise typer.Exit(1) from exc
    err.print(f"[dim]exported to {target}[/]")


def _safe_text(text: str) -> str:
    """Arguments with invalid UTF-8 arrive as lone surrogates; make them printable replacement chars."""
    return text.encode("utf-8", "replace").decode("utf-8")


def _print_final(final) -> None:
    console.rule("answer" if not final.refused else "no answer in the documents")
    console.print(final.text, markup=False, highlight=False)
    for notice in final.notices:
        console.print(f"[yellow]{notice}[/]", highlight=False)
    if final.citations:
        console.rule("sources")
    for c in final.citations:
        page = f" · p. {c.page}" if c.page else ""
        english = f" ({c.case_title_en})" if c.case_title_en else ""
        console.print(f"[bold][{c.n}][/] {c.case_title}{english} · {c.provider or '—'} · {c.document_title}{page} · "
                      f"{c.section or '—'}", highlight=False)
        console.print(f"    “{c.quote}”", markup=False, highlight=False)
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in final.timings.items() if not k.startswith("retrieve_"))
    console.print(f"[dim]{final.backend} · {timings}[/]")


@app.command()
def chat(
    backend: Annotated[str | None, typer.Option(help="local | openai:<model> | extractive")] = None,
) -> None:
    """A multi-turn conversation in the terminal (empty line or Ctrl-D to leave)."""
    from assistant import InvalidQuestion, stream_answer
    from assistant.models import Answer

    ensure_index()
    history: list[dict] = []
    while True:
        try:
            question = _safe_text(console.input("[bold cyan]问 / Q> [/]"))
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        final: Answer | None = None
        try:
            for item in stream_answer(question, history, backend=backend):
                if isinstance(item, Answer):
                    final = item
                else:
                    console.print(item, end="", markup=False, highlight=False)
        except InvalidQuestion as exc:
            err.print(str(exc))
            continue
        console.print()
        if final is not None:
            _print_final(final)
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": final.text}]


@app.command()
def cards(
    backend: Annotated[str | None, typer.Option(help="Generator that writes them: local | openai:<model> "
                                                "(default: llm.cards_backend)")] = None,
    out: Annotated[Path | None, typer.Option(help="Card file to fill (default <home>/cards.json; the shipped "
                                             "corpus's cards live in corpus/cards.json)")] = None,
) -> None:
    """Write the missing English case cards: an English title, a short gist with the key figures, names in pinyin."""
    from assistant.cards import card_file
    from assistant.config import get_settings

    ensure_index()
    settings = get_settings()
    if not _write_cards(backend or settings.llm.cards_backend, out):
        raise typer.Exit(2)
    console.print(f"cards are in {out or card_file(settings)}")


def _write_cards(backend: str, out: Path | None = None) -> bool:
    """Fill the missing cards with a progress bar; False (with the reason printed) when the backend cannot."""
    from tqdm import tqdm

    from assistant import service
    from assistant.llm.base import BackendError

    bar = tqdm(desc="English cards", unit="case", disable=not sys.stderr.isatty())

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        made, failed = service.write_cards(backend=backend, out=out, progress=progress)
    except (BackendError, ValueError) as exc:
        err.print(f"[red]English cards not written: {exc}[/]")
        return False
    finally:
        bar.close()
    console.print(f"{made} English card(s) written")
    for reason in failed:
        console.print(f"[yellow]card not written[/] {reason}")
    return True


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default 127.0.0.1; other interfaces only when given)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 7860)")] = None,
) -> None:
    """Start the chat window and the HTTP API (OpenAI-compatible /v1, /api/…, docs at /docs) in one process."""
    from assistant.config import get_settings
    from ui.auth import refusal_to_serve
    from ui.server import ServeRefused
    from ui.server import serve as run_app

    settings = get_settings().model_copy(deep=True)
    settings.ui.host = host or settings.ui.host
    problem = refusal_to_serve(settings)
    if problem:  # before ingesting anything
        err.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2)
    ensure_index()
    try:
        run_app(host=host, port=port)
    except (ServeRefused, ValueError) as exc:
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from exc


from evals.cli import eval_command  # noqa: E402 - registered after the core commands

app.command("eval")(eval_command)

from bench.cli import bench_command  # noqa: E402

app.command("bench")(bench_command)


def main() -> None:
    app()
