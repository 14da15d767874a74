"""Crashes and damage: kill -9 during ingest, corrupted index folders — nothing lost, clear recovery."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, PROJECT


def _env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FTZQA_HOME=str(home), FTZQA_LLM__BACKEND="extractive", PYTHONPATH=str(PROJECT))
    return env


def _cli(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=PROJECT, env=_env(home),
                          capture_output=True, text=True, timeout=300)


def _probe(home: Path, code: str) -> str:
    """Run code in a fresh process (chromadb caches clients per path inside one process)."""
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT, env=_env(home),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip()


COUNTS = """
    from assistant import service, retrieve
    index = service.index()
    hit = retrieve("进口退货商品监管能力提升至多少件", k=5)
    print(index.vectors.count(), len(index.catalog.chunks), len(index.catalog.documents),
          any("40万件" in h.chunk.text for h in hit))
"""


def test_kill_9_half_way_keeps_old_index_and_next_run_completes(tmp_path):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    for stem in ("000", "001", "002"):
        shutil.copy(next(CORPUS.glob(f"{stem}_*.txt")), docs)
    assert _cli(home, "ingest", str(docs)).returncode == 0
    before = _probe(home, COUNTS).split()
    assert before[0] == before[1] and before[2] == "3" and before[3] == "False"

    # Change two files, then kill the ingest after the first changed file's vectors are stored.
    news = next(docs.glob("000_*.txt"))
    news.write_text(news.read_text(encoding="utf-8").replace("每月5万件提升至30万件", "每月6万件提升至40万件"), "utf-8")
    cases = next(docs.glob("002_*.txt"))
    cases.write_text(cases.read_text(encoding="utf-8") + "\n补充说明。\n", "utf-8")
    marker = tmp_path / "second-file-reached"
    script = f"""
        import time
        from pathlib import Path
        from ingest.pipeline import ingest
        seen = []
        def hook(parsed):
            seen.append(parsed.document.source_file)
            if len(seen) == 2:
                Path({str(marker)!r}).write_text("x")
                time.sleep(120)
        ingest([Path({str(docs)!r})], on_parsed=hook)
    """
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)], cwd=PROJECT, env=_env(home),
                            start_new_session=True)
    try:
        deadline = time.time() + 180
        while not marker.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert marker.exists(), "ingest never reached the second changed file"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    during = _probe(home, COUNTS).split()
    assert during[2] == "3" and during[3] == "False"  # the previous catalog still answers
    assert int(during[0]) > int(during[1])  # the killed run left orphan vectors behind …

    result = _cli(home, "ingest", str(docs))
    assert result.returncode == 0, result.stderr
    after = _probe(home, COUNTS).split()
    assert after[0] == after[1]  # … which the next run removes: nothing indexed twice
    assert after[2] == "3" and after[3] == "True"


def _half_written_catalog(home: Path) -> None:
    catalog = next(home.rglob("catalog.json"))
    catalog.write_bytes(catalog.read_bytes()[: len(catalog.read_bytes()) // 2])


def _garbage_vector_store(home: Path) -> None:
    next(home.rglob("chroma.sqlite3")).write_bytes(b"this is not a database" * 100)


@pytest.mark.parametrize("damage,message_in", [(_half_written_catalog, "stderr"), (_garbage_vector_store, "any")],
                         ids=["half-written-catalog", "garbage-vector-store"])
def test_damaged_index_gives_clear_error_and_rebuild_recovers(tmp_path, damage, message_in):
    home, docs = tmp_path / "home", tmp_path / "docs"
    docs.mkdir()
    shutil.copy(next(CORPUS.glob("001_*.txt")), docs)
    assert _cli(home, "ingest", str(docs)).returncode == 0
    damage(home)

    asked = _cli(home, "ask", "全球中心仓是哪个片区的？")
    out = asked.stdout + asked.stderr
    assert asked.returncode == 2
    assert "ingest --rebuild" in (asked.stderr if message_in == "stderr" else out) and "Traceback" not in out

    rebuilt = _cli(home, "ingest", "--rebuild", str(docs))
    assert rebuilt.returncode == 0, rebuilt.stderr
    asked = _cli(home, "ask", "全球中心仓是哪个片区的？")
    assert asked.returncode == 0 and "杭州片区" in asked.stdout
