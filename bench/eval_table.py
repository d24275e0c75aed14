#!/usr/bin/env python3
"""Prints kbtriage's retrieval figures beside the peers' in one markdown table.

usage: eval_table.py QUERIES.jsonl KBTRIAGE_RUN.jsonl[,NOCACHE_RUN.jsonl] [PEERS_RESULT_DIR]

KBTRIAGE_RUN is `kbtriage search --batch` output (took_ms per query), and
NOCACHE_RUN the same with --no-cache (Xapian's matcher ranking), shown as a
second row; the
peers' folder is what ../shared/peers/run_all.sh wrote for the same query
file (PEER.run.jsonl and PEER.search.json). Scoring follows
../shared/eval/score.py: R@1, R@10 and MRR@10 per kind.
"""
import json
import os
import sys


def load_queries(path):
    return {q["qid"]: q for q in map(json.loads, open(path))}


def scores(queries, run):
    per = {}
    for qid, ids in run.items():
        q = queries.get(qid)
        if q is None:
            continue
        exp = set(q["expected"])
        rank = next((i for i, x in enumerate(ids[:10]) if x in exp), None)
        for kind in (q["kind"], "ALL"):
            s = per.setdefault(kind, [0, 0, 0.0, 0])
            s[0] += rank == 0
            s[1] += rank is not None
            s[2] += 0 if rank is None else 1.0 / (rank + 1)
            s[3] += 1
    return {k: (v[0] / v[3], v[1] / v[3], v[2] / v[3]) for k, v in per.items()}


def pct(values, p):
    v = sorted(values)  # as ../shared/eval/score.py takes them
    return v[min(len(v) - 1, int(p / 100 * len(v)))] if v else float("nan")


def read_run(path):
    run, took = {}, []
    for line in open(path):
        r = json.loads(line)
        run[r["qid"]] = [x["id"] if isinstance(x, dict) else x for x in r["results"]]
        t = r.get("took_ms", r.get("ms"))
        if t is not None:
            took.append(t)
    return run, took


def main():
    queries = load_queries(sys.argv[1])
    rows = []
    ours = sys.argv[2].split(",")
    for label, path in zip(["**kbtriage**", "kbtriage --no-cache"], ours):
        run, took = read_run(path)
        rows.append((label, scores(queries, run), pct(took, 50), pct(took, 99)))
    ours_rows = len(ours)
    if len(sys.argv) > 3 and os.path.isdir(sys.argv[3]):
        d = sys.argv[3]
        for name in sorted(f[:-len(".run.jsonl")] for f in os.listdir(d) if f.endswith(".run.jsonl")):
            prun, _ = read_run(os.path.join(d, name + ".run.jsonl"))
            info = json.load(open(os.path.join(d, name + ".search.json")))
            rows.append((name, scores(queries, prun), info.get("p50_ms"), info.get("p99_ms")))
    kinds = ["exact", "noisy", "log", "code", "ALL"]
    print("| system | " + " | ".join(f"{k} R@1 / R@10 / MRR@10" for k in kinds) + " | p50 ms | p99 ms |")
    print("|---" * (len(kinds) + 3) + "|")
    for name, sc, p50, p99 in rows:
        cells = [" / ".join(f"{x:.3f}" for x in sc[k]) if k in sc else "-" for k in kinds]
        print(f"| {name} | " + " | ".join(cells) + f" | {p50:.2f} | {p99:.2f} |")
    best = {k: max((sc[k][0] for n, sc, _, _ in rows[ours_rows:] if k in sc), default=None) for k in kinds}
    if rows[ours_rows:]:
        ours = rows[0][1]
        print()
        print("R@1 over the best peer: " + ", ".join(
            f"{k} {ours[k][0] - best[k]:+.3f}" for k in kinds if best[k] is not None and k in ours))


if __name__ == "__main__":
    main()
