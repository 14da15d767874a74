"""Sanity checks for eval_v1.jsonl (standard library only).

Run from anywhere:  python3 evals/data/check_eval_v1.py [path/to/set.jsonl]
The size and per-type minimums apply to the main set only; a held-out set is checked item by item.
"""
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "corpus")
EVAL = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "eval_v1.jsonl")
MAIN_SET = os.path.basename(EVAL) == "eval_v1.jsonl"
TYPES = ["number", "fact", "which_case", "provider", "list", "compare", "summary", "follow_up", "out_of_scope"]
FIELDS = ["id", "lang", "type", "history", "question", "answerable", "gold", "must_include", "evidence"]
CJK = re.compile(r"[\u3400-\u9fff]")

def joined(name, cache={}):
    if name not in cache:
        with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
            cache[name] = f.read().replace("\n", "")
    return cache[name]

errors, items = [], []
with open(EVAL, encoding="utf-8") as f:
    for n, line in enumerate(f, 1):
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"line {n}: bad JSON ({e})")

ids = Counter(it.get("id") for it in items)
errors += [f"duplicate id {i}" for i, c in ids.items() if c > 1]
for it in items:
    iid = it.get("id")
    if list(it) != FIELDS:
        errors.append(f"{iid}: fields {list(it)}")
    if it["type"] not in TYPES or it["lang"] not in ("zh", "en"):
        errors.append(f"{iid}: bad type/lang")
    for h in it["history"]:
        if set(h) != {"role", "content"} or h["role"] not in ("user", "assistant"):
            errors.append(f"{iid}: bad history turn")
    if it["type"] == "follow_up" and len(it["history"]) != 2:
        errors.append(f"{iid}: follow_up needs 1 user + 1 assistant turn")
    if it["type"] == "out_of_scope":
        if it["answerable"] or it["gold"] or it["evidence"]:
            errors.append(f"{iid}: out_of_scope must be unanswerable with no gold/evidence")
        continue
    if not it["gold"]:
        errors.append(f"{iid}: answerable item without gold")
        continue
    files = [g["source_file"] for g in it["gold"]]
    if len(set((g["source_file"], g["number"]) for g in it["gold"])) != len(it["gold"]):
        errors.append(f"{iid}: duplicate gold case")
    if it["evidence"] not in joined(files[0]):
        errors.append(f"{iid}: evidence not in {files[0]}: {it['evidence']!r}")
    if it["evidence"] != it["evidence"].strip():
        errors.append(f"{iid}: evidence has leading/trailing spaces")
    for group in it["must_include"]:
        if not group:
            errors.append(f"{iid}: empty must_include group")
        for alt in group:
            if CJK.search(alt) and not any(alt in joined(fn) for fn in set(files)):
                errors.append(f"{iid}: must_include {alt!r} not in gold text")
        if it["lang"] == "en" and any(CJK.search(a) for a in group) and all(CJK.search(a) for a in group):
            errors.append(f"{iid}: English item group lacks a non-Chinese alternative: {group}")

# counts
tab = Counter((it["type"], it["lang"]) for it in items)
print(f"{'type':<14}{'zh':>4}{'en':>4}{'all':>5}")
for t in TYPES:
    print(f"{t:<14}{tab[(t,'zh')]:>4}{tab[(t,'en')]:>4}{tab[(t,'zh')]+tab[(t,'en')]:>5}")
zh = sum(v for (t, l), v in tab.items() if l == "zh"); en = len(items) - zh
print(f"{'total':<14}{zh:>4}{en:>4}{len(items):>5}   en share {en/len(items):.1%}")
refs = Counter(g["source_file"] for it in items for g in it["gold"])
print("gold refs per document:", dict(sorted(refs.items())))
for t in TYPES if MAIN_SET else []:
    if tab[(t, "zh")] + tab[(t, "en")] < 6:
        errors.append(f"type {t} has fewer than 6 items")
if MAIN_SET and tab[("out_of_scope", "zh")] + tab[("out_of_scope", "en")] < 12:
    errors.append("fewer than 12 out_of_scope items")
if MAIN_SET and len(items) < 110:
    errors.append("fewer than 110 items")
if en / len(items) < 0.45:
    errors.append("English share below 45%")
for fn in sorted(os.listdir(CORPUS)) if MAIN_SET else []:
    if fn.endswith(".txt") and refs[fn] < 10:
        errors.append(f"{fn}: fewer than 10 gold references")

print("\n".join(errors) if errors else "OK: no problems found")
sys.exit(1 if errors else 0)
