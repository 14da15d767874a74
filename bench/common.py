"""Shared helpers for the benchmarks: temp homes, env switching, percentiles, tables, results, RSS.

Every benchmark keeps its data in a temporary FTZQA_HOME (never in the project's .data folder,
which is only read for the local model file) and writes bench/results/<name>.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "bench" / "results"
CORPUS = PROJECT / "corpus"
EVAL_FILE = PROJECT / "evals" / "data" / "eval_v1.jsonl"
#: The assembled local model of the developer checkout; read only (FTZQA_LLM__MODEL_PATH points at it).
PROJECT_MODEL = PROJECT / ".data" / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

# Wide enough for the tables when output goes to a file or a pipe.
console = Console(width=None if sys.stdout.isatty() else 150)


# ------------------------------------------------------------------------------------------ environment
@contextlib.contextmanager
def env(**values: str | None) -> Iterator[None]:
    """Set (or, with None, unset) environment variables, reset the service, restore both afterwards."""
    from assistant import service

    old = {k: os.environ.get(k) for k in values}
    try:
        _apply_env(values)
        service.reset()
        yield
    finally:
        _apply_env(old)
        service.reset()


def _apply_env(values: dict[str, str | None]) -> None:
    for k, v in values.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def home_env(home: Path, **extra: str | None) -> dict[str, str | None]:
    """The variables that point the product at a benchmark home (never the project's .data)."""
    values: dict[str, str | None] = {"FTZQA_HOME": str(home), "FTZQA_STORE__CHROMA_URL": None,
                                     "FTZQA_STORE__PATH": None}
    values.update(extra)
    return values


def make_workdir(prefix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f"ftzqa-bench-{prefix}-"))


def has_index(home: Path) -> bool:
    """True when home holds a non-empty index under the index name of the current code and settings."""
    with env(**home_env(home)):
        from assistant.config import Settings

        settings = Settings()
        catalog = settings.index_dir / settings.index_name / "catalog.json"
    return catalog.is_file() and catalog.stat().st_size > 200


def ensure_shipped_home(home: Path | None = None) -> Path:
    """A home with the shipped corpus ingested (reused when it already holds an index)."""
    home = Path(home) if home else make_workdir("shipped") / "home"
    if has_index(home):
        return home
    run_module("bench.common", "--ingest-shipped", str(home), env_extra=home_env(home))
    return home


def _ingest_shipped(home: Path) -> None:
    with env(**home_env(home)):
        from ingest.pipeline import ingest

        report = ingest([CORPUS])
        console.print(f"[dim]ingested the shipped corpus into {home}: {report.chunks} chunks in {report.seconds:.1f}s[/]")


def run_module(module: str, *args: str, env_extra: dict[str, str | None] | None = None,
               timeout: float | None = None) -> None:
    """Run `python -m module args` in a fresh process (so peak RSS and caches are per phase); None unsets a var."""
    environ = dict(os.environ)
    for k, v in (env_extra or {}).items():
        if v is None:
            environ.pop(k, None)
        else:
            environ[k] = v
    subprocess.run([sys.executable, "-m", module, *args], cwd=PROJECT, env=environ, check=True, timeout=timeout)


# ------------------------------------------------------------------------------------------ measurements
def peak_rss_mb() -> float:
    """Peak resident set size of this process's own memory so far, in MB.

    /proc/self/status VmHWM is the high-water mark of this address space; getrusage's ru_maxrss is not
    used first because Linux carries it over from the parent through fork+exec (a phase started from a
    big parent would report the parent's size).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (q in 0..100); None for no values."""
    data = sorted(values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (pos - lo)


def stats_ms(values: Sequence[float]) -> dict[str, float | int | None]:
    """p50/p95/max/mean in milliseconds of durations given in seconds."""
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "p50_ms": _r(percentile(ms, 50)),
        "p95_ms": _r(percentile(ms, 95)),
        "max_ms": _r(max(ms)) if ms else None,
        "mean_ms": _r(sum(ms) / len(ms)) if ms else None,
    }


def _r(x: float | None, nd: int = 2) -> float | None:
    return None if x is None else round(x, nd)


def machine() -> dict[str, Any]:
    """What the numbers were measured on; load average says how busy the machine was."""
    import psutil

    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "time": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


# ------------------------------------------------------------------------------------------ eval items
def eval_items() -> list[dict]:
    with open(EVAL_FILE, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ------------------------------------------------------------------------------------------ output
def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3f}"
    return str(value)


class ResultTable:
    """A table printed with rich and kept as Markdown for summary.md."""

    def __init__(self, title: str, columns: list[str]):
        self.title = title
        self.columns = columns
        self.rows: list[list[str]] = []

    def add(self, *cells: Any) -> None:
        self.rows.append([fmt(c) for c in cells])

    def print(self) -> None:
        table = Table(title=self.title)
        for i, col in enumerate(self.columns):
            table.add_column(col, justify="left" if i == 0 else "right")
        for row in self.rows:
            table.add_row(*row)
        console.print(table)

    def markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.columns) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(self.columns))) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in self.rows]
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"title": self.title, "columns": self.columns, "rows": self.rows}


def write_result(name: str, data: dict, tables: list[ResultTable]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    data = dict(data)
    data["tables"] = [t.to_json() for t in tables]
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    console.print(f"[dim]wrote {path.relative_to(PROJECT)}[/]")
    return path


def tables_markdown(name: str) -> str:
    """The Markdown of the tables stored in bench/results/<name>.json (for summary.md)."""
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return f"_{name}: no results_"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for t in data.get("tables", []):
        table = ResultTable(t["title"], t["columns"])
        table.rows = t["rows"]
        out.append(table.markdown())
    notes = data.get("notes", [])
    if notes:
        out.append("\n".join(f"- {note}" for note in notes))
    return "\n\n".join(out)


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":  # helper entry for subprocesses
    if len(sys.argv) == 3 and sys.argv[1] == "--ingest-shipped":
        _ingest_shipped(Path(sys.argv[2]))
    else:
        raise SystemExit("usage: python -m bench.common --ingest-shipped HOME")
