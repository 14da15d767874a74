"""`ftzqa bench`: run the selected benchmarks and write bench/results/summary.md (all tables in Markdown).

Register with typer as ``app.command("bench")(bench_command)``; also ``python -m bench.cli``.
The benchmarks share one temporary home with the shipped corpus ingested (the ingest benchmark's cold
phase provides it), so the corpus is embedded once for retrieval, answer and growth.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from bench.common import RESULTS, console, machine, make_workdir, remove_tree, tables_markdown

ALL = ("ingest", "retrieval", "answer", "growth", "ocr")


def bench_command(
    which: Annotated[str, typer.Option(help="Comma-separated: ingest, retrieval, answer, growth, ocr")]
    = "ingest,retrieval,answer,growth,ocr",
    backends: Annotated[str, typer.Option(help="Answer benchmark backends (comma-separated)")] = "extractive,local",
    n: Annotated[int, typer.Option(help="Questions for the answer benchmark (half zh, half en)")] = 20,
    sizes: Annotated[str, typer.Option(help="Growth benchmark sizes (multiples of the shipped corpus)")] = "1,10,100",
    ocr_pages: Annotated[int, typer.Option(help="Pages of the image-only PDF the OCR benchmark ingests")] = 20,
) -> None:
    """Benchmarks: ingest, retrieval latency, answer latency per backend, growth to ×10/×100 the corpus, OCR of scans."""
    chosen = [w.strip() for w in which.split(",") if w.strip()]
    unknown = [w for w in chosen if w not in ALL]
    if unknown:
        raise typer.BadParameter(f"unknown benchmark(s) {unknown}; choose from {', '.join(ALL)}")
    backend_list = [b.strip() for b in backends.split(",") if b.strip()]
    work = make_workdir("run")
    shipped = work / "shipped-home"
    started = time.perf_counter()
    try:
        if "ingest" in chosen:
            from bench import ingest_bench

            ingest_bench.run(keep_home=shipped)
        if "retrieval" in chosen:
            from bench import retrieval_bench

            retrieval_bench.run(shipped)
        if "answer" in chosen:
            from bench import answer_bench

            answer_bench.run(backend_list, n, shipped)
        if "growth" in chosen:
            from bench import growth_bench

            growth_bench.run([int(s) for s in sizes.split(",") if s.strip()], shipped)
        if "ocr" in chosen:
            from bench import ocr_bench

            ocr_bench.run(ocr_pages)
    finally:
        remove_tree(work)
    path = write_summary(chosen, time.perf_counter() - started)
    console.print(f"summary: {path}")


def write_summary(ran: list[str] | None = None, seconds: float | None = None) -> Path:
    """bench/results/summary.md from every benchmark's stored results (the ones not run this time included)."""
    info = machine()
    lines = ["# Benchmarks", "",
             f"Generated {info['time']} on {info['cpus']} CPUs / {info['memory_gb']} GB, Python {info['python']}; "
             f"load average now {info['loadavg']}."
             + (f" This run: {', '.join(ran)} in {seconds / 60:.1f} min." if ran and seconds is not None else ""),
             "", "Timings are wall-clock on a shared machine: compare the load averages stored in each JSON.", ""]
    titles = {"ingest": "Ingest", "retrieval": "Retrieval", "answer": "Answer", "growth": "Growth", "ocr": "OCR (scans)"}
    for name in ALL:
        lines += [f"## {titles[name]}", "", tables_markdown(name), ""]
        if name == "growth" and (RESULTS / "growth.png").exists():
            lines += ["![growth](growth.png)", ""]
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "summary.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def main() -> None:
    app = typer.Typer(add_completion=False)
    app.command()(bench_command)
    app()


if __name__ == "__main__":
    main()
