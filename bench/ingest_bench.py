"""Ingest benchmark: cold ingest, re-ingest with nothing changed, re-ingest after one file changed,
and the embedding throughput alone.

    python -m bench.ingest_bench [--changed-file 001_2adf76dceb53e4a4.txt] [--keep-home DIR]

Each phase runs in its own process (`python -m bench.ingest_bench --phase X …`), so the peak RSS
reported is that phase's. Data lives in a temporary home and a temporary copy of corpus/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

from bench.common import (
    CORPUS,
    ResultTable,
    console,
    env,
    home_env,
    machine,
    make_workdir,
    peak_rss_mb,
    remove_tree,
    rss_mb,
    run_module,
    write_result,
)

NAME = "ingest"
DEFAULT_CHANGED = "001_2adf76dceb53e4a4.txt"
APPENDED = "\n\n本段为基准测试追加的一句话，用于验证单个文件变更后的增量入库耗时。\n"
PHASES = ("cold", "embed", "unchanged", "changed")


# ------------------------------------------------------------------------------------------ one phase
def _phase_ingest(home: Path, corpus: Path) -> dict:
    started = time.perf_counter()
    with env(**home_env(home)):
        from ingest.pipeline import ingest

        imported = time.perf_counter()
        report = ingest([corpus])
        finished = time.perf_counter()
    return {
        "import_seconds": imported - started,
        "seconds": report.seconds,
        "call_seconds": finished - imported,
        "documents": report.documents,
        "cases": report.cases,
        "chunks": report.chunks,
        "embedded_chunks": report.embedded_chunks,
        "added": len(report.added), "updated": len(report.updated),
        "unchanged": len(report.unchanged), "removed": len(report.removed),
    }


def _phase_embed(home: Path) -> dict:
    """Encode every live chunk's embedding text once more, one at a time as ingest does."""
    with env(**home_env(home)):
        from assistant.config import get_settings
        from store.embeddings import get_embedding
        from store.index import Index

        settings = get_settings()
        index = Index(settings)
        texts = [index.embedding_text(c) for c in index.catalog.chunks.values()]
        t = time.perf_counter()
        embedder = get_embedding(settings.embedding.model, settings.embedding.threads)
        embedder.get_text_embedding("预热 warm-up")
        load = time.perf_counter() - t
        per: list[float] = []
        t = time.perf_counter()
        for text in texts:
            t1 = time.perf_counter()
            embedder.get_text_embedding(text)
            per.append(time.perf_counter() - t1)
        seconds = time.perf_counter() - t
    from bench.common import percentile

    return {
        "model_load_seconds": load,
        "seconds": seconds,
        "chunks": len(texts),
        "embedded_chunks": len(texts),
        "chunks_per_s": len(texts) / seconds if seconds else None,
        "mean_chars": sum(len(t) for t in texts) / max(len(texts), 1),
        "p50_chunk_ms": (percentile(per, 50) or 0) * 1000,
        "p95_chunk_ms": (percentile(per, 95) or 0) * 1000,
    }


def run_phase(phase: str, home: Path, corpus: Path, out: Path) -> None:
    if phase == "embed":
        result = _phase_embed(home)
    else:
        result = _phase_ingest(home, corpus)
    import os
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["loadavg_end"] = os.getloadavg()[0]
    result["rss_mb_end"] = rss_mb()
    result["peak_rss_mb"] = peak_rss_mb()
    out.write_text(json.dumps(result))


# ------------------------------------------------------------------------------------------ the benchmark
def run(changed_file: str = DEFAULT_CHANGED, keep_home: Path | None = None, variants: bool = True) -> dict:
    work = make_workdir("ingest")
    home, corpus = work / "home", work / "corpus"
    shutil.copytree(CORPUS, corpus)
    phases: dict[str, dict] = {}
    info = machine()
    try:
        for phase in PHASES:
            if phase == "changed":
                target = corpus / changed_file
                with open(target, "a", encoding="utf-8") as fh:
                    fh.write(APPENDED)
            out = work / f"{phase}.json"
            console.print(f"[bold]ingest bench[/]: phase {phase} …")
            t = time.perf_counter()
            run_module("bench.ingest_bench", "--phase", phase, "--home", str(home), "--corpus", str(corpus),
                       "--out", str(out), env_extra=home_env(home))
            result = json.loads(out.read_text())
            result["process_seconds"] = time.perf_counter() - t
            phases[phase] = result
            if phase == "cold" and keep_home:
                remove_tree(Path(keep_home))
                shutil.copytree(home, keep_home)
        if variants:
            # The same cold ingest and encoder pass with one BLAS thread for the encoder.
            home1 = work / "home-threads1"
            for phase in ("cold", "embed"):
                out = work / f"{phase}-t1.json"
                console.print(f"[bold]ingest bench[/]: phase {phase} with FTZQA_EMBEDDING__THREADS=1 …")
                t = time.perf_counter()
                run_module("bench.ingest_bench", "--phase", phase, "--home", str(home1), "--corpus", str(corpus),
                           "--out", str(out), env_extra=home_env(home1, FTZQA_EMBEDDING__THREADS="1"))
                result = json.loads(out.read_text())
                result["process_seconds"] = time.perf_counter() - t
                phases[f"{phase} (threads=1)"] = result
    finally:
        remove_tree(work)

    table = ResultTable("Ingest (shipped corpus, 5 files)", [
        "phase", "ingest() s", "process s", "docs/s", "chunks/s", "chunks", "embedded", "peak RSS MB", "CPU s", "load"])
    for phase in phases:
        r = phases[phase]
        secs = r["seconds"]
        docs = r.get("documents")
        table.add(phase, secs, r["process_seconds"], (docs / secs) if docs and secs else None,
                  r["chunks"] / secs if secs else None, r["chunks"], r["embedded_chunks"], r["peak_rss_mb"],
                  r["cpu_seconds"], r["loadavg_end"])
    table.print()
    e = phases["embed"]
    e1 = phases.get("embed (threads=1)")
    console.print(f"embedding alone: {e['chunks_per_s']:.1f} chunks/s (p50 {e['p50_chunk_ms']:.0f} ms, "
                  f"p95 {e['p95_chunk_ms']:.0f} ms per chunk, mean {e['mean_chars']:.0f} chars; "
                  f"encoder load {e['model_load_seconds']:.2f} s)")
    notes = [
        "ingest() s = IngestReport.seconds (inside the call, after imports); process s = the whole phase process "
        "including Python/library imports and encoder load.",
        f"changed = `{changed_file}` with one sentence appended (its chunk ids carry the file hash, so the whole "
        "file is re-embedded).",
        f"embed = USE encoder alone over every chunk's embedding text: {e['chunks_per_s']:.1f} chunks/s, "
        f"p50 {e['p50_chunk_ms']:.0f} ms / p95 {e['p95_chunk_ms']:.0f} ms per chunk.",
        *([f"embed (threads=1) = the same with FTZQA_EMBEDDING__THREADS=1: {e1['chunks_per_s']:.1f} chunks/s, "
            f"p50 {e1['p50_chunk_ms']:.0f} ms / p95 {e1['p95_chunk_ms']:.0f} ms per chunk."] if e1 else []),
        f"machine: {info['cpus']} CPUs, load average at start {info['loadavg']}; CPU s = CPU time of the phase "
        "process (all threads), load = 1-min load average at its end: CPU s well below process s × cores means "
        "other jobs were competing for the CPUs.",
    ]
    data = {"machine": info, "changed_file": changed_file, "phases": phases, "notes": notes,
            "targets": {"cold_ingest_le_60s": phases["cold"]["seconds"] <= 60,
                        "unchanged_reingest_le_2s": phases["unchanged"]["seconds"] <= 2}}
    write_result(NAME, data, [table])
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--changed-file", default=DEFAULT_CHANGED)
    parser.add_argument("--keep-home", type=Path, help="copy the cold-ingested home here for the other benchmarks")
    parser.add_argument("--no-variants", action="store_true", help="skip the FTZQA_EMBEDDING__THREADS=1 phases")
    args = parser.parse_args(argv)
    if args.phase:
        run_phase(args.phase, args.home, args.corpus, args.out)
    else:
        run(args.changed_file, args.keep_home, not args.no_variants)


if __name__ == "__main__":
    main()
