#!/usr/bin/env bash
# The rule engine over the full raw-text archive: quality on the development
# queries (match beside search, same store, same run), the latency of
# one-line errors, the scan rate over a 10 MB log, rule compilation and RSS.
# Usage: bench/match.sh [BUILD_DIR] [QUERIES.jsonl]
#   BENCH_WORK (default /tmp/kbtriage-bench) holds the archive and the store
#   (built by bench/eval.sh, or here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/archive_store.sh "$@"
db="$work/store"

echo "== quality: kbtriage search --batch and kbtriage match --batch ($(wc -l < "$queries") queries)"
"$kbt" search --db "$db" --batch "$queries" > /dev/null  # warm the page cache
"$kbt" search --db "$db" --batch "$queries" > "$work/search.run.jsonl"
"$kbt" match --db "$db" --batch "$queries" > "$work/match.run.jsonl"
"$kbt" match --db "$db" --quick --batch "$queries" > "$work/match-quick.run.jsonl"
echo "-- search"
python3 ../shared/eval/score.py "$queries" "$work/search.run.jsonl"
echo "-- match"
python3 ../shared/eval/score.py "$queries" "$work/match.run.jsonl"
echo "-- match --quick"
python3 ../shared/eval/score.py "$queries" "$work/match-quick.run.jsonl"

for run in match match-quick; do
echo "== latency of $run by kind (in process, warm; took_ms = scan + search)"
python3 - "$queries" "$work/$run.run.jsonl" <<'PY'
import json, sys
kinds = {json.loads(l)["qid"]: json.loads(l)["kind"] for l in open(sys.argv[1])}
rows = {}
for l in open(sys.argv[2]):
    r = json.loads(l)
    rows.setdefault(kinds[r["qid"]], []).append(r)
def pct(v, p): v = sorted(v); return v[min(len(v) - 1, int(len(v) * p))]
print(f"{'kind':8} {'n':>4} {'p50':>7} {'p99':>7} {'scan p50':>9} {'scan p99':>9} {'search p50':>11}")
for k in sorted(rows):
    t = [r["took_ms"] for r in rows[k]]; s = [r["scan_ms"] for r in rows[k]]; q = [r["search_ms"] for r in rows[k]]
    print(f"{k:8} {len(t):4} {pct(t,.5):7.2f} {pct(t,.99):7.2f} {pct(s,.5):9.3f} {pct(s,.99):9.3f} {pct(q,.5):11.2f}")
PY
done

echo "== a 10 MB log: the development log excerpts, renumbered, repeated"
python3 - "$queries" "$work/10mb.log" <<'PY'
import json, random, re, sys
random.seed(7)
logs = [json.loads(l)["query"] for l in open(sys.argv[1]) if json.loads(l)["kind"] == "log"]
out, size = [], 0
while size < 10_000_000:
    text = re.sub(r"\d+", lambda m: str(random.randrange(10 ** len(m.group()))), random.choice(logs))
    out.append(text); size += len(text) + 1
open(sys.argv[2], "w").write("\n".join(out) + "\n")
PY
ls -l "$work/10mb.log" | awk '{print $5 " bytes"}'
for i in 1 2 3; do
  /usr/bin/time -f "rss %M KB, wall %e s" "$kbt" match --db "$db" --json - < "$work/10mb.log" 2> "$work/time.txt" |
    python3 -c "
import json, sys
d = json.load(sys.stdin); mb = 10_000_000 / 1e6
print(f\"run $i: {d['lines']} lines, scan {d['scan_ms']:.0f} ms = {mb / d['scan_ms'] * 1000:.0f} MB/s; \"
      f\"match total {d['took_ms']:.0f} ms ({d['search_ms']:.0f} ms search); {d['rules_fired']} rules fired; \"
      f\"rules: {d['rules']['derived']} derived + {d['rules']['hand_written']} hand-written, \"
      f\"{d['rules']['patterns']} patterns compiled in {d['rules']['compile_ms']:.0f} ms\")"
  cat "$work/time.txt"
done
# Issue 4's target is for one core: the same scan with no second thread
# reading ahead. This machine's timings vary by 10% from run to run, so
# seven runs, and the least and the median.
echo "== the 10 MB log on one thread (--one-thread), 7 runs"
for i in 1 2 3 4 5 6 7; do
  "$kbt" match --db "$db" --json --one-thread - < "$work/10mb.log" | python3 -c "import json, sys; print(json.load(sys.stdin)['scan_ms'])"
done | sort -n | awk '{a[NR] = $1} END {printf "one thread: scan min %.0f ms = %.0f MB/s, median %.0f ms = %.0f MB/s\n", a[1], 10000 / a[1], a[4], 10000 / a[4]}'
# And by default on one core (taskset): the reading thread is left out as
# the process may run on one core only.
if command -v taskset > /dev/null; then
  echo "== the 10 MB log by default, on one core (taskset -c 0), 7 runs"
  for i in 1 2 3 4 5 6 7; do
    taskset -c 0 "$kbt" match --db "$db" --json - < "$work/10mb.log" | python3 -c "import json, sys; print(json.load(sys.stdin)['scan_ms'])"
  done | sort -n | awk '{a[NR] = $1} END {printf "one core: scan min %.0f ms = %.0f MB/s, median %.0f ms = %.0f MB/s\n", a[1], 10000 / a[1], a[4], 10000 / a[4]}'
fi

echo "== cold process, one line (store in the page cache), 10 runs: start-up incl. rule compilation"
python3 - "$kbt" "$db" <<'PY'
import subprocess, sys, time
kbt, db = sys.argv[1], sys.argv[2]
ts = []
for _ in range(11):
    t = time.perf_counter()
    subprocess.run([kbt, "match", "--db", db, "--limit", "5",
                    "Background Synchronization Error. See detailed logs in Deleted Items folder."],
                   stdout=subprocess.DEVNULL, check=True)
    ts.append((time.perf_counter() - t) * 1000)
ts = sorted(ts[1:])
print(f"cold kbtriage match: median {ts[len(ts)//2]:.0f} ms, max {ts[-1]:.0f} ms")
PY
