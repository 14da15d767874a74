"""OCR benchmark: seconds per scanned page, characters read correctly, the render scale, and the ingest
of a 20-page image-only PDF.

    python -m bench.ocr_bench [--pages 20] [--scales 1,1.5,2,3] [--scale-pages 3]

The scan is typeset at run time from the shipped corpus (004, dense A4 pages of 12 pt Chinese,
~1,100 characters and ~35 rows a page, justified, indented paragraphs) and saved as a PDF with no
text layer, so the ground truth is the text typeset. Each phase runs in its own process: the engine
load, the first page and peak RSS are that phase's.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
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
    percentile,
    remove_tree,
    run_module,
    write_result,
)

NAME = "ocr"
SOURCE = "004_db19b12f0daba2d6.txt"
PHASES = ("pages", "scales", "ingest")


# ------------------------------------------------------------------------------------------ the scan
def make_scan(folder: Path, pages: int) -> tuple[Path, list[str]]:
    """A `pages`-page image-only PDF typeset from the corpus, and each page's text (the ground truth)."""
    from bench.scans import Block, save_image_pdf, typeset
    from ingest import patterns
    from ingest.clean import clean

    doc = clean((CORPUS / SOURCE).read_text(encoding="utf-8"))
    blocks: list[Block] = []
    for line in doc.lines:
        text = line.text
        if patterns.provider_of(text):
            blocks.append(Block(text, "title"))
        elif (numbered := patterns.title_number(text)) and numbered[0] == "1." \
                or patterns.is_heading_line(text) and len(text) <= 30:
            blocks.append(Block(text, "line"))
        else:
            blocks.append(Block(text))
    typeset_pages = typeset(blocks)[:pages]
    path = save_image_pdf(typeset_pages, folder / f"scan-{pages}p.pdf")
    (folder / "truth.json").write_text(json.dumps([p.rows for p in typeset_pages], ensure_ascii=False), "utf-8")
    return path, ["".join(p.rows) for p in typeset_pages]


def char_scores(read: str, truth: str) -> tuple[float, float]:
    """(precision, recall) of the characters read, whitespace ignored, aligned in order."""
    a, b = re.sub(r"\s", "", read), re.sub(r"\s", "", truth)
    if not a or not b:
        return 0.0, 0.0
    matched = sum(m.size for m in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return matched / len(a), matched / len(b)


def _render(pdf, index: int, scale: float):
    from ingest.readers import MAX_SIDE_PX

    page = pdf[index]
    width, height = page.get_size()
    scale = min(scale, MAX_SIDE_PX / max(width, height))
    image = page.render(scale=scale, grayscale=True).to_pil()
    page.close()
    return image


# ------------------------------------------------------------------------------------------ phases
def phase_pages(scan: Path, truth: list[str]) -> dict:
    """Render (at the reader's scale) and OCR every page, timing each; engine load timed apart."""
    import pypdfium2 as pdfium

    from ingest import ocr
    from ingest.readers import RENDER_SCALE

    t = time.perf_counter()
    ocr.engine()
    load = time.perf_counter() - t
    pdf = pdfium.PdfDocument(str(scan))
    rows = []
    for i in range(len(pdf)):
        t, cpu = time.perf_counter(), time.process_time()
        image = _render(pdf, i, RENDER_SCALE)
        rendered = time.perf_counter()
        text = ocr.page_text(image)
        done = time.perf_counter()
        precision, recall = char_scores(text, truth[i])
        rows.append({"page": i + 1, "render_s": rendered - t, "ocr_s": done - rendered, "seconds": done - t,
                     "cpu_s": time.process_time() - cpu,
                     "chars": len(re.sub(r"\s", "", truth[i])), "precision": precision, "recall": recall})
    return {"engine_load_s": load, "scale": RENDER_SCALE, "rows": rows}


def phase_scales(scan: Path, truth: list[str], scales: list[float], pages: int) -> dict:
    """The same pages OCR'd at each render scale: speed against characters read."""
    import pypdfium2 as pdfium

    from ingest import ocr

    ocr.engine()
    pdf = pdfium.PdfDocument(str(scan))
    ocr.page_text(_render(pdf, 0, 1.0))  # warm-up: the first inference pays onnxruntime's set-up
    out = []
    for scale in scales:
        for i in range(min(pages, len(pdf))):
            image = _render(pdf, i, scale)
            t = time.perf_counter()
            text = ocr.page_text(image)
            seconds = time.perf_counter() - t
            precision, recall = char_scores(text, truth[i])
            out.append({"scale": scale, "page": i + 1, "pixels": f"{image.width}×{image.height}",
                        "seconds": seconds, "precision": precision, "recall": recall})
    return {"rows": out}


def phase_ingest(scan: Path, home: Path) -> dict:
    """`ingest()` of the scan alone into an empty home, as `ftzqa ingest scan.pdf` runs it."""
    stamps: list[float] = []
    started = time.perf_counter()
    with env(**home_env(home)):
        from ingest.pipeline import ingest

        imported = time.perf_counter()
        report = ingest([scan], on_progress=lambda _f, _done, _total: stamps.append(time.perf_counter()))
    per_page = [b - a for a, b in zip(stamps, stamps[1:])]
    return {
        "import_s": imported - started, "seconds": report.seconds, "pages": len(per_page),
        "ocr_s": stamps[-1] - stamps[0] if stamps else 0.0, "before_ocr_s": stamps[0] - imported if stamps else 0.0,
        "after_ocr_s": report.seconds - (stamps[-1] - imported) if stamps else 0.0,
        "page_seconds": per_page, "cases": report.cases, "chunks": report.chunks,
        "skipped": [s.model_dump() for s in report.skipped],
    }


def run_phase(phase: str, work: Path, out: Path, scales: list[float], scale_pages: int) -> None:
    import os
    import resource

    scan = next(work.glob("scan-*.pdf"))
    truth = ["".join(rows) for rows in json.loads((work / "truth.json").read_text("utf-8"))]
    if phase == "pages":
        result = phase_pages(scan, truth)
    elif phase == "scales":
        result = phase_scales(scan, truth, scales, scale_pages)
    else:
        result = phase_ingest(scan, work / "home")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
    result["peak_rss_mb"] = peak_rss_mb()
    result["loadavg_end"] = os.getloadavg()[0]
    out.write_text(json.dumps(result))


# ------------------------------------------------------------------------------------------ the benchmark
def run(pages: int = 20, scales: tuple[float, ...] = (1.0, 1.5, 2.0, 3.0), scale_pages: int = 3) -> dict:
    work = make_workdir("ocr")
    info = machine()
    phases: dict[str, dict] = {}
    try:
        scan, truth = make_scan(work, pages)
        console.print(f"[bold]ocr bench[/]: {len(truth)}-page image-only PDF typeset from {SOURCE} "
                      f"({sum(len(t) for t in truth) // len(truth)} characters a page)")
        for phase in PHASES:
            out = work / f"{phase}.json"
            console.print(f"[bold]ocr bench[/]: phase {phase} …")
            t = time.perf_counter()
            run_module("bench.ocr_bench", "--phase", phase, "--work", str(work), "--out", str(out),
                       "--scales", ",".join(str(s) for s in scales), "--scale-pages", str(scale_pages),
                       env_extra=home_env(work / "home"))
            phases[phase] = json.loads(out.read_text())
            phases[phase]["process_seconds"] = time.perf_counter() - t
    finally:
        remove_tree(work)
    data = report(phases, info, pages)
    write_result(NAME, data, data.pop("_tables"))
    return data


def report(phases: dict, info: dict, pages: int) -> dict:
    p = phases["pages"]
    rows = p["rows"]
    secs = [r["seconds"] for r in rows]
    ocr_secs = [r["ocr_s"] for r in rows]
    page_table = ResultTable(f"OCR per page (dense A4, 12 pt, rendered at {p['scale']}× = {72 * p['scale']:.0f} dpi), "
                             f"{len(rows)} pages", ["metric", "p50", "p95", "max", "mean"])
    for label, values in (("seconds per page (render + OCR)", secs), ("OCR alone, s", ocr_secs),
                          ("render alone, s", [r["render_s"] for r in rows]),
                          ("CPU seconds per page (both cores summed)", [r["cpu_s"] for r in rows]),
                          ("characters read correctly (precision)", [r["precision"] for r in rows]),
                          ("characters of the page found (recall)", [r["recall"] for r in rows])):
        page_table.add(label, percentile(values, 50), percentile(values, 95), max(values), sum(values) / len(values))

    s = phases["scales"]["rows"]
    scale_table = ResultTable("Render scale: speed against characters read (same pages, warm engine)",
                              ["scale (dpi)", "pixels", "pages", "s/page p50", "precision min", "recall min", "recall mean"])
    for scale in sorted({r["scale"] for r in s}):
        sel = [r for r in s if r["scale"] == scale]
        scale_table.add(f"{scale}× ({72 * scale:.0f})", sel[0]["pixels"], len(sel),
                        percentile([r["seconds"] for r in sel], 50), min(r["precision"] for r in sel),
                        min(r["recall"] for r in sel), sum(r["recall"] for r in sel) / len(sel))

    g = phases["ingest"]
    ingest_table = ResultTable(f"Ingest of a {pages}-page image-only PDF into an empty index",
                               ["what", "seconds", "minutes"])
    for label, value in (("ingest() total", g["seconds"]),
                         ("OCR of the pages (engine load included)", g["ocr_s"]),
                         ("before OCR (hash, text layers of the pages)", g["before_ocr_s"]),
                         ("after OCR (clean, structure, embed, store)", g["after_ocr_s"]),
                         ("whole process (imports included)", g["process_seconds"]),
                         ("one page during ingest, p50", percentile(g["page_seconds"], 50)),
                         ("one page during ingest, p95", percentile(g["page_seconds"], 95))):
        ingest_table.add(label, value, value / 60 if value is not None else None)
    for t in (page_table, scale_table, ingest_table):
        t.print()
    p50 = percentile(secs, 50) or 0.0
    notes = [
        f"engine load {p['engine_load_s']:.2f} s (once per process); peak RSS of the per-page phase "
        f"{p['peak_rss_mb']:.0f} MB, of the ingest {g['peak_rss_mb']:.0f} MB.",
        f"a {pages}-page scan: {g['seconds']:.0f} s ({g['seconds'] / 60:.1f} min) on {info['cpus']} cores; "
        f"{g['cases']} cases, {g['chunks']} chunks indexed.",
        "precision = share of the characters read that are in the page, in order; recall = share of the page's "
        "characters that were read (whitespace ignored; typeset text as ground truth).",
        f"machine: {info['cpus']} CPUs, load average at start {info['loadavg']}, at the end of the phases "
        f"{[round(phases[k]['loadavg_end'], 2) for k in PHASES]}: other engineers' jobs share these cores, "
        "so seconds are an upper bound when the load is above 2.",
    ]
    data = {"machine": info, "phases": phases, "notes": notes,
            "summary": {"seconds_per_page_p50": p50, "seconds_per_page_p95": percentile(secs, 95),
                        "ingest_seconds": g["seconds"], "pages": pages,
                        "recall_mean": sum(r["recall"] for r in rows) / len(rows)},
            "_tables": [page_table, scale_table, ingest_table]}
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--scales", default="1,1.5,2,3")
    parser.add_argument("--scale-pages", type=int, default=3)
    args = parser.parse_args(argv)
    scales = [float(s) for s in args.scales.split(",") if s.strip()]
    if args.phase:
        run_phase(args.phase, args.work, args.out, scales, args.scale_pages)
    else:
        run(args.pages, tuple(scales), args.scale_pages)


if __name__ == "__main__":
    main()
