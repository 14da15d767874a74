"""Answer latency per backend: sources on screen, first text, generated tokens/s, total, peak RSS.

    python -m bench.answer_bench [--backends extractive,local] [--n 20] [--home DIR]

Questions: the first n/2 Chinese and the first n/2 English answerable single-turn eval questions.
Each backend runs in its own process (peak RSS is that backend's, model included). The local backend
uses the assembled GGUF of this checkout (.data/models, read only) and takes minutes on 2 cores.
Results of backends not run this time are kept from the previous bench/results/answer.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.common import (
    PROJECT_MODEL,
    RESULTS,
    ResultTable,
    console,
    ensure_shipped_home,
    eval_items,
    home_env,
    machine,
    make_workdir,
    peak_rss_mb,
    percentile,
    remove_tree,
    rss_mb,
    run_module,
    write_result,
)

NAME = "answer"
TARGETS = {"sources_s": 1.0, "first_token_s": 10.0, "total_s": 30.0}


def pick_questions(n: int) -> list[dict]:
    items = [i for i in eval_items() if i.get("answerable") and not i.get("history")]
    zh = [i for i in items if i["lang"] == "zh"][: (n + 1) // 2]
    en = [i for i in items if i["lang"] == "en"][: n // 2]
    return zh + en


# ------------------------------------------------------------------------------------------ child process
def run_backend(backend: str, n: int, out: Path) -> None:
    """Answer the questions with one backend in this process (env already points at the home)."""
    from assistant import service, stream_answer
    from assistant.config import get_settings
    from assistant.llm.registry import get_generator
    from assistant.models import Answer
    from assistant.retrieval.hybrid import search_text

    service.reset()
    settings = get_settings()
    result: dict = {"backend": backend, "rss_mb_start": rss_mb()}
    t = time.perf_counter()
    search_text("上链赋码 退货监管 warm-up")
    result["retrieval_warmup_s"] = time.perf_counter() - t

    generator: Any = get_generator(backend, settings)  # the local backend: load() and count_tokens() too
    prompts: list[list[dict]] = []
    if generator is not None:
        t = time.perf_counter()
        generator.load()
        result["model_load_s"] = time.perf_counter() - t
        t = time.perf_counter()
        for _ in generator.stream([{"role": "user", "content": "你好"}], max_tokens=2):
            pass
        result["model_warmup_s"] = time.perf_counter() - t
        original = generator.stream

        def spy(messages, **kwargs):  # records the prompt so its token count can be reported
            prompts.append(messages)
            yield from original(messages, **kwargs)

        generator.stream = spy  # instance attribute: the registry hands out this same object
    result["rss_mb_model_loaded"] = rss_mb()

    rows = []
    for item in pick_questions(n):
        prompts.clear()
        deltas: list[str] = []
        first_text = None
        final: Answer | None = None
        t0 = time.perf_counter()
        for piece in stream_answer(item["question"], item.get("history") or None, backend=backend):
            if isinstance(piece, Answer):
                final = piece
            elif isinstance(piece, str):
                if first_text is None:
                    first_text = time.perf_counter() - t0
                deltas.append(piece)
        wall = time.perf_counter() - t0
        assert final is not None
        tm = final.timings
        generated = "".join(deltas)
        row = {
            "id": item["id"], "lang": item["lang"], "route": final.route, "refused": final.refused,
            "citations": len(final.citations), "backend_used": final.backend, "notices": final.notices,
            "sources_s": tm.get("route", 0.0) + tm.get("retrieve", 0.0),
            "first_text_s": first_text, "first_token_s": tm.get("first_token"),
            "generate_s": tm.get("generate"), "total_s": tm.get("total", wall), "wall_s": wall,
            "chars": len(generated), "answer_chars": len(final.text), "timings": dict(tm),
            "loadavg": __import__("os").getloadavg()[0], "generated": generated[:400],
        }
        if generator is not None and prompts:
            row["generated_tokens"] = generator.count_tokens(generated)
            row["prompt_tokens"] = generator.count_tokens("\n".join(m["content"] for m in prompts[0])) + 4 * len(prompts[0])
            gen_s, ft = row["generate_s"] or 0.0, row["first_token_s"] or 0.0
            row["tokens_per_s"] = row["generated_tokens"] / gen_s if gen_s else None
            row["decode_tokens_per_s"] = ((row["generated_tokens"] - 1) / (gen_s - ft)) if gen_s > ft and row["generated_tokens"] > 1 else None
            row["prefill_tokens_per_s"] = row["prompt_tokens"] / ft if ft else None
        rows.append(row)
        console.print(f"[dim]{backend} {item['id']}: first text {first_text or 0:.2f}s total {row['total_s']:.2f}s "
                      f"route {final.route}{' refused' if final.refused else ''}[/]")
    result["rows"] = rows
    result["peak_rss_mb"] = peak_rss_mb()
    out.write_text(json.dumps(result, ensure_ascii=False))


# ------------------------------------------------------------------------------------------ parent
def _p(rows: list[dict], key: str, q: float) -> float | None:
    return percentile([r[key] for r in rows if r.get(key) is not None], q)


def summarise(result: dict) -> dict:
    rows = result["rows"]
    s = {"n": len(rows), "refused": sum(r["refused"] for r in rows)}
    for key in ("sources_s", "first_text_s", "first_token_s", "total_s", "tokens_per_s", "decode_tokens_per_s",
                "prompt_tokens", "generated_tokens", "prefill_tokens_per_s"):
        s[f"{key}_p50"] = _p(rows, key, 50)
        s[f"{key}_p95"] = _p(rows, key, 95)
    s["first_text_s_max"] = max((r["first_text_s"] for r in rows if r.get("first_text_s") is not None), default=None)
    s["total_s_max"] = max((r["total_s"] for r in rows), default=None)
    return s


def run(backends: list[str], n: int = 20, home: Path | None = None) -> dict:
    home = ensure_shipped_home(home)
    info = machine()
    path = RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    results: dict[str, dict] = dict(previous.get("backends", {}))
    work = make_workdir("answer")
    try:
        for backend in backends:
            out = work / f"{backend}.json"
            extra = home_env(home, FTZQA_LLM__BACKEND=backend, FTZQA_LLM__MODEL_PATH=str(PROJECT_MODEL))
            console.print(f"[bold]answer bench[/]: backend {backend}, {n} questions …")
            t = time.perf_counter()
            run_module("bench.answer_bench", "--child", backend, "--n", str(n), "--out", str(out), env_extra=extra)
            result = json.loads(out.read_text())
            result["process_seconds"] = time.perf_counter() - t
            result["summary"] = summarise(result)
            result["machine"] = info
            results[backend] = result
    finally:
        remove_tree(work)

    table = ResultTable(f"Answer latency ({n} questions: {(n + 1) // 2} zh + {n // 2} en), seconds", [
        "backend", "n", "sources p50", "sources p95", "first text p50", "first text p95", "first text max",
        "tok/s p50", "total p50", "total p95", "total max", "refused", "peak RSS MB"])
    for backend, r in results.items():
        s = r["summary"]
        table.add(backend, s["n"], s["sources_s_p50"], s["sources_s_p95"], s["first_text_s_p50"], s["first_text_s_p95"],
                  s["first_text_s_max"], s["tokens_per_s_p50"], s["total_s_p50"], s["total_s_p95"], s["total_s_max"],
                  s["refused"], r["peak_rss_mb"])
    tables = [table]
    if "local" in results:
        s = results["local"]["summary"]
        lt = ResultTable("Local model detail (p50 / p95)", ["metric", "p50", "p95"])
        for key, label in (("prompt_tokens", "prompt tokens"), ("first_token_s", "first token from generation start, s"),
                           ("prefill_tokens_per_s", "prefill tok/s (prompt tokens / first token)"),
                           ("generated_tokens", "generated tokens"), ("decode_tokens_per_s", "decode tok/s"),
                           ("tokens_per_s", "generated tok/s incl. prefill")):
            lt.add(label, s[f"{key}_p50"], s[f"{key}_p95"])
        r = results["local"]
        lt.add("model load s / RSS MB after load", r.get("model_load_s"), r.get("rss_mb_model_loaded"))
        tables.append(lt)
    for table in tables:
        table.print()
    targets = {}
    for backend, r in results.items():
        s = r["summary"]
        targets[backend] = {
            "sources_le_1s": (s["sources_s_p95"] or 0) <= TARGETS["sources_s"],
            "first_text_le_10s": (s["first_text_s_p95"] or 0) <= TARGETS["first_token_s"],
            "total_le_30s": (s["total_s_p95"] or 0) <= TARGETS["total_s"],
        }
    notes = ["sources = Answer.timings route + retrieve (what the UI can show before generation); first text = "
             "wall time from the call to the first yielded text delta (extractive: the whole answer).",
             "tok/s = generated tokens (local model tokenizer) / generation seconds, prefill included; decode tok/s "
             "excludes the time to the first token.",
             "targets checked at p95: sources ≤ 1 s, first text ≤ 10 s, total ≤ 30 s."]
    data = {"n": n, "backends": results, "targets": targets, "notes": notes}
    write_result(NAME, data, tables)
    console.print(f"targets: {targets}")
    return data



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="extractive,local")
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--home", type=Path, help="home with the shipped corpus ingested (default: a fresh temp one)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run_backend(args.child, args.n, args.out)
    else:
        run([b.strip() for b in args.backends.split(",") if b.strip()], args.n, args.home)


if __name__ == "__main__":
    main()
