"""Growth: synthetic corpora of ×10 and ×100 the shipped one — store write, BM25 build, catalog save,
and retrieval latency at each size.

    python -m bench.growth_bench [--sizes 1,10,100] [--home DIR] [--seed 0]

The shipped corpus is ingested (embedded) once; a corpus of ×m is the real corpus plus m-1 synthetic
copies. In copy i every real document D becomes "syn{i}_D" and every real case a new case of it; the
sections of D's cases are shuffled between those cases (text stays real Chinese) and each chunk reuses
the vector of the real chunk it copies plus N(0, 0.01) noise, renormalised — so nothing is re-embedded
and ingest() is bypassed: the catalog is built directly and written through the store APIs
(VectorStore.upsert per document, in the store's own batches of ≤ 256, catalog save, BM25 build).

Each size is built in one process and queried in another (cold open, then warm queries), so the peak
RSS of each phase is its own. Writes bench/results/growth.json and bench/results/growth.png.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import time
from pathlib import Path

import numpy as np

from bench.common import (
    RESULTS,
    ResultTable,
    console,
    ensure_shipped_home,
    env,
    eval_items,
    home_env,
    machine,
    make_workdir,
    peak_rss_mb,
    remove_tree,
    rss_mb,
    run_module,
    write_result,
)

NAME = "growth"
NOISE = 0.01
TARGET_P50_MS_X100 = 150


# ------------------------------------------------------------------------------------------ synthesis
def _source(source_home: Path):
    """The real catalog and every real chunk's vector, read from the ingested shipped corpus."""
    with env(**home_env(source_home)):
        from assistant.config import get_settings
        from store.index import Index

        index = Index(get_settings())
        catalog = index.catalog
        got = index.vectors.collection.get(include=["embeddings"])
        vectors = {cid: np.asarray(v, dtype=np.float32) for cid, v in zip(got["ids"], got["embeddings"])}
    if not catalog.chunks:
        raise RuntimeError(f"the source home {source_home} holds no index for the current settings")
    missing = [cid for cid in catalog.chunks if cid not in vectors]
    if missing:
        raise RuntimeError(f"{len(missing)} chunks of the source index have no vector")
    return catalog, vectors


def synthesize(catalog, vectors: dict[str, np.ndarray], copy: int, rng: random.Random, nrng: np.random.Generator):
    """Yield (document, cases, chunks, text, embeddings) of synthetic copy `copy` (1-based), one per real document."""
    from assistant.models import Case, Chunk, Document, Section

    for doc in catalog.documents.values():
        real_cases = sorted((c for c in catalog.cases.values() if c.document_id == doc.id), key=lambda c: c.number)
        chunks_of: dict[str, list] = {}
        for ch in catalog.chunks.values():
            chunks_of.setdefault(ch.case_id, []).append(ch)
        # Sections (as runs of chunks with the same label) of every case of this document.
        sections: list[tuple[list[str], list]] = []
        layout: list[int] = []
        for case in real_cases:
            runs: list[tuple[list[str], list]] = []
            paths = {s.label: s.path for s in case.sections}
            for ch in sorted(chunks_of.get(case.id, []), key=lambda c: c.start):
                if runs and runs[-1][1][-1].section == ch.section:
                    runs[-1][1].append(ch)
                else:
                    runs.append((paths.get(ch.section, [ch.section] if ch.section else []), [ch]))
            layout.append(len(runs))
            sections.extend(runs)
        rng.shuffle(sections)

        doc_id = f"syn{copy}_{doc.id}"
        parts: list[str] = []
        pos = 0
        plan = []  # (case template, [(path, [(source chunk, start, end)])], start, end)
        cursor = 0
        for case, count in zip(real_cases, layout):
            start = pos
            head = f"{case.title}\n"
            parts.append(head)
            pos += len(head)
            laid = []
            for path, run in sections[cursor: cursor + count]:
                placed = []
                for ch in run:
                    placed.append((ch, pos, pos + len(ch.text)))
                    parts.append(ch.text + "\n")
                    pos += len(ch.text) + 1
                laid.append((path, placed))
            cursor += count
            plan.append((case, laid, start, pos))
        text = "".join(parts)
        sha = hashlib.sha256(f"{doc_id}\n{text}".encode()).hexdigest()
        document = Document(id=doc_id, title=f"{doc.title}（合成副本{copy}）", source_file=f"syn{copy}_{doc.source_file}",
                            sha256=sha, layout=doc.layout, publisher=doc.publisher, date=doc.date)
        cases: dict[str, Case] = {}
        chunks: list[Chunk] = []
        sources: list[str] = []
        for case, laid, start, end in plan:
            case_id = f"{doc_id}#{case.number}"
            secs = [Section(path=path, start=placed[0][1], end=placed[-1][2]) for path, placed in laid if placed]
            cases[case_id] = Case(id=case_id, number=case.number, title=case.title, provider=case.provider,
                                  kind=case.kind, document_id=doc_id, document_title=document.title,
                                  source_file=document.source_file, start=start, end=end,
                                  sections=secs or [Section(path=[], start=start, end=end)])
            for path, placed in laid:
                label = " › ".join(path)
                for ch, s, e in placed:
                    chunks.append(Chunk(id=f"{doc_id}:{sha[:8]}:{len(chunks)}", case_id=case_id, text=ch.text,
                                        start=s, end=e, section=label or ch.section))
                    sources.append(ch.id)
        base = np.stack([vectors[s] for s in sources]) if sources else np.zeros((0, 512), np.float32)
        noisy = base + nrng.normal(0.0, NOISE, size=base.shape).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        yield document, cases, chunks, text, noisy


# ------------------------------------------------------------------------------------------ phases (child)
def phase_build(mult: int, source_home: Path, home: Path, seed: int) -> dict:
    from assistant.config import get_settings
    from store.catalog import Catalog
    from store.index import Index

    catalog, vectors = _source(source_home)
    result: dict = {"mult": mult}
    with env(**home_env(home)):
        settings = get_settings()
        Index.wipe(settings)
        index = Index(settings)
        new = Catalog()
        rng, nrng = random.Random(seed), np.random.default_rng(seed)
        synth_s = write_s = 0.0
        upserts = 0

        def write(document, cases, chunks, text, emb, origin):
            nonlocal write_s, upserts
            t = time.perf_counter()
            index.vectors.upsert(document, cases, chunks, emb)
            write_s += time.perf_counter() - t
            upserts += len(chunks)
            new.documents[document.id] = document
            new.cases.update(cases)
            new.chunks.update({c.id: c for c in chunks})
            new.texts[document.id] = text
            new.origins[document.id] = origin

        # the real corpus with its real vectors
        for doc in catalog.documents.values():
            cases = {k: v for k, v in catalog.cases.items() if v.document_id == doc.id}
            chunks = [c for c in catalog.chunks.values() if c.case_id.split("#")[0] == doc.id]
            emb = np.stack([vectors[c.id] for c in chunks])
            write(doc, cases, chunks, catalog.texts.get(doc.id, ""), emb, catalog.origins.get(doc.id, ""))
        for copy in range(1, mult):
            t = time.perf_counter()
            produced = list(synthesize(catalog, vectors, copy, rng, nrng))
            synth_s += time.perf_counter() - t
            for document, cases, chunks, text, emb in produced:
                write(document, cases, chunks, text, emb, f"synthetic://{document.source_file}")
            if copy % 10 == 0:
                console.print(f"[dim]×{mult}: copy {copy} written, {upserts} vectors, store write {write_s:.1f}s[/]")

        t = time.perf_counter()
        new.save(index.catalog_path)
        save_s = time.perf_counter() - t
        index.catalog = new
        t = time.perf_counter()
        index.vectors.delete_except(new.live_shas())
        prune_s = time.perf_counter() - t
        t = time.perf_counter()
        index._bm25 = None
        index.bm25()  # builds and caches the BM25 index, as ingest() does after its commit
        bm25_s = time.perf_counter() - t
        count = index.vectors.count()
    result.update({
        "documents": len(new.documents), "cases": len(new.cases), "chunks": len(new.chunks), "vectors": count,
        "synthesis_s": synth_s, "store_write_s": write_s, "catalog_save_s": save_s, "prune_s": prune_s,
        "bm25_build_s": bm25_s, "ingest_s": write_s + save_s + prune_s + bm25_s,
        "store_write_chunks_per_s": upserts / write_s if write_s else None,
        "catalog_mb": index.catalog_path.stat().st_size / 2**20,
        "chroma_mb": _du(home / "index"),
        "peak_rss_mb": peak_rss_mb(),
    })
    return result


def phase_query(home: Path) -> dict:
    from bench.retrieval_bench import measure, summarise

    items = eval_items()
    result: dict = {}
    with env(**home_env(home)):
        from assistant import service

        t = time.perf_counter()
        index = service.index()
        result["open_s"] = time.perf_counter() - t
        result["chunks"] = len(index.catalog.chunks)
        measured = measure(items)
        result["bm25_load_s"] = measured["open_seconds"]
        result["warmup_s"] = measured["warmup_seconds"]
        result["summary"] = summarise(measured["rows"])
    with env(**home_env(home, FTZQA_EMBEDDING__THREADS="1")):
        result["summary_threads1"] = summarise(measure(items)["rows"])
    result["rss_mb_end"] = rss_mb()
    result["peak_rss_mb"] = peak_rss_mb()
    return result


def _du(path: Path) -> float:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total / 2**20


# ------------------------------------------------------------------------------------------ the benchmark
def run(sizes: list[int], home: Path | None = None, seed: int = 0, keep: bool = False) -> dict:
    source = ensure_shipped_home(home)
    info = machine()
    work = make_workdir("growth")
    results: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        for mult in sizes:
            target = work / f"x{mult}"
            row: dict = {}
            for phase in ("build", "query"):
                out = work / f"x{mult}-{phase}.json"
                console.print(f"[bold]growth bench[/]: ×{mult} {phase} …")
                t = time.perf_counter()
                run_module("bench.growth_bench", "--phase", phase, "--mult", str(mult), "--source", str(source),
                           "--target", str(target), "--seed", str(seed), "--out", str(out),
                           env_extra=home_env(target))
                got = json.loads(out.read_text())
                got["process_s"] = time.perf_counter() - t
                row[phase] = got
            results[f"x{mult}"] = row
            if row["query"]["chunks"] != row["build"]["chunks"]:
                raise RuntimeError(
                    f"×{mult}: built {row['build']['chunks']} chunks but the query process opened "
                    f"{row['query']['chunks']}: did the index name (settings or ingest.PARSER_VERSION) change "
                    "during the run?")
            b, q = row["build"], row["query"]["summary"]["all"]["total"]
            console.print(f"×{mult}: {b['chunks']} chunks, ingest {b['ingest_s']:.1f}s "
                          f"(write {b['store_write_s']:.1f}s), retrieval p50 {q['p50_ms']} ms p95 {q['p95_ms']} ms")
            if not keep:
                remove_tree(target)
    finally:
        if not keep:
            remove_tree(work)
    total_s = time.perf_counter() - started

    notes = [f"sizes {sizes}: ×m = the real corpus + (m-1) synthetic copies (real text, sections shuffled between "
             f"cases of a document, vectors = real ones + N(0,{NOISE}) renormalised); whole run {total_s / 60:.1f} min.",
             "ingest s = store write + prune + catalog save + BM25 build (no parsing, no embedding: see the ingest "
             "benchmark for those at ×1).",
             "open s = first service.index() in a fresh process (catalog JSON load + Chroma open); retrieval "
             "columns as in the retrieval benchmark (fusion includes the title/provider case matching); "
             "threads=1 = FTZQA_EMBEDDING__THREADS=1.",
             f"load average at start {info['loadavg']}, at end {machine()['loadavg']} on {info['cpus']} CPUs."]
    data = {"machine": info, "sizes": sizes, "seed": seed, "results": results, "total_s": total_s, "notes": notes}
    report(data)
    return data


def report(data: dict) -> None:
    """Tables, targets and plot from the measured results; writes growth.json and growth.png."""
    results = data["results"]
    build = ResultTable("Growth: build (store write via VectorStore.upsert, catalog save, BM25 build)", [
        "size", "docs", "cases", "chunks", "store write s", "write chunks/s", "prune s", "catalog save s",
        "BM25 build s", "ingest s (sum)", "catalog MB", "index MB", "peak RSS MB"])
    query = ResultTable("Growth: retrieval over the eval questions, warm (ms)", [
        "size", "chunks", "open s", "p50", "p95", "zh p50", "en p50", "embed p50", "dense p50", "dense p95",
        "bm25 p50", "bm25 p95", "fusion p50", "fusion p95", "p50 (threads=1)", "p95 (threads=1)", "peak RSS MB"])
    for key, row in results.items():
        b, q = row["build"], row["query"]
        s, s1 = q["summary"], q["summary_threads1"]
        build.add(key.replace("x", "×"), b["documents"], b["cases"], b["chunks"], b["store_write_s"],
                  b["store_write_chunks_per_s"], b["prune_s"], b["catalog_save_s"], b["bm25_build_s"], b["ingest_s"],
                  b["catalog_mb"], b["chroma_mb"], b["peak_rss_mb"])
        query.add(key.replace("x", "×"), q["chunks"], q["open_s"], s["all"]["total"]["p50_ms"],
                  s["all"]["total"]["p95_ms"], s["zh"]["total"]["p50_ms"], s["en"]["total"]["p50_ms"],
                  s["all"]["embed"]["p50_ms"], s["all"]["dense"]["p50_ms"], s["all"]["dense"]["p95_ms"],
                  s["all"]["bm25"]["p50_ms"], s["all"]["bm25"]["p95_ms"], s["all"]["fusion"]["p50_ms"],
                  s["all"]["fusion"]["p95_ms"], s1["all"]["total"]["p50_ms"], s1["all"]["total"]["p95_ms"],
                  q["peak_rss_mb"])
    build.print()
    query.print()
    plot(results, RESULTS / f"{NAME}.png")
    targets = {}
    if "x100" in results:
        p50 = results["x100"]["query"]["summary"]["all"]["total"]["p50_ms"]
        targets[f"x100_p50_le_{TARGET_P50_MS_X100}ms"] = p50 <= TARGET_P50_MS_X100
    data["targets"] = targets
    write_result(NAME, data, [build, query])


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [r["build"]["chunks"] for r in results.values()]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    for key, label in (("ingest_s", "ingest total"), ("store_write_s", "store write (Chroma)"),
                       ("bm25_build_s", "BM25 build"), ("catalog_save_s", "catalog save")):
        a.plot(chunks, [r["build"][key] for r in results.values()], marker="o", label=label)
    a.set_xscale("log")
    a.set_yscale("log")
    a.set_xlabel("chunks")
    a.set_ylabel("seconds")
    a.set_title("ingest (no embedding) vs corpus size")
    a.legend()
    a.grid(True, which="both", alpha=0.3)
    for q, style in ((50, "-"), (95, "--")):
        b.plot(chunks, [r["query"]["summary"]["all"]["total"][f"p{q}_ms"] for r in results.values()], style,
               marker="o", label=f"p{q} (as configured)")
        b.plot(chunks, [r["query"]["summary_threads1"]["all"]["total"][f"p{q}_ms"] for r in results.values()], style,
               marker="s", label=f"p{q} (embedding threads=1)")
    b.axhline(TARGET_P50_MS_X100, color="grey", lw=0.8, ls=":", label="150 ms (p50 target at ×100)")
    b.set_xscale("log")
    b.set_yscale("log")
    b.set_xlabel("chunks")
    b.set_ylabel("ms")
    b.set_title("retrieval latency (eval questions, warm)")
    b.legend(fontsize=8)
    b.grid(True, which="both", alpha=0.3)
    for x, key in zip(chunks, results):
        a.annotate(key.replace("x", "×"), (x, results[key]["build"]["ingest_s"]), textcoords="offset points",
                   xytext=(4, 4), fontsize=8)
    fig.tight_layout()
    RESULTS.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    console.print(f"[dim]wrote {path}[/]")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--home", type=Path, help="home with the shipped corpus ingested (default: a fresh temp one)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", action="store_true", help="keep the built indexes (printed paths)")
    parser.add_argument("--report-only", action="store_true", help="redo tables and plot from bench/results/growth.json")
    parser.add_argument("--phase", choices=("build", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--mult", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "build":
        args.out.write_text(json.dumps(phase_build(args.mult, args.source, args.target, args.seed)))
    elif args.phase == "query":
        args.out.write_text(json.dumps(phase_query(args.target)))
    elif args.report_only:
        report(json.loads((RESULTS / f"{NAME}.json").read_text(encoding="utf-8")))
    else:
        run([int(s) for s in args.sizes.split(",") if s.strip()], args.home, args.seed, args.keep)


if __name__ == "__main__":
    main()
