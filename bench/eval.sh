#!/usr/bin/env bash
# Retrieval evaluation: the full raw-text archive in a store (built once,
# incremental afterwards), the development queries through
# `kbtriage search --batch` (a warm-up run, then the measured one, in one
# process each), scored per kind, beside the peers' figures on the same
# queries from the same run of ../shared/peers/run_all.sh. The warm-up run
# readies the store's search cache (timed on its own first); the measured
# one ranks from it, and a third run ranks with Xapian's matcher
# (--no-cache) for comparison.
# Usage: bench/eval.sh [BUILD_DIR] [QUERIES.jsonl]
#   BENCH_WORK (default /tmp/kbtriage-bench) holds the archive, store and peers;
#   BENCH_PEERS=0 skips the peers; BENCH_PEER_LIST picks them
#   (default: fts5 xapian xapian_safe lucene lucene_esc).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/archive_store.sh "$@"
echo "== kbtriage search --batch ($(wc -l < "$queries") queries)"
rm -f "$work/store/search-postings.bin"
TIMEFORMAT="search cache read out of the index: %R s wall (a batch of one query)"
time (echo '{"qid": "-", "query": "x"}' | "$kbt" search --db "$work/store" --batch - > /dev/null)
echo "search cache: $(du -m "$work/store/search-postings.bin" | cut -f1) MB"
"$kbt" search --db "$work/store" --batch "$queries" > /dev/null  # warm the page cache
"$kbt" search --db "$work/store" --batch "$queries" > "$work/kbtriage.run.jsonl"
"$kbt" search --db "$work/store" --no-cache --batch "$queries" > "$work/kbtriage-nocache.run.jsonl"
python3 ../shared/eval/score.py "$queries" "$work/kbtriage.run.jsonl"
if ! cmp -s <(python3 -c 'import json,sys; [print(json.loads(l)["results"]) for l in open(sys.argv[1])]' "$work/kbtriage.run.jsonl") \
            <(python3 -c 'import json,sys; [print(json.loads(l)["results"]) for l in open(sys.argv[1])]' "$work/kbtriage-nocache.run.jsonl"); then
  echo "WARNING: the search cache and Xapian's matcher ranked some queries differently"
fi
echo "== cold process, one query (store in the page cache), 20 runs"
python3 - "$kbt" "$work/store" <<'PY'
import subprocess, sys, time
kbt, db = sys.argv[1], sys.argv[2]
q = "Background Synchronization Error. See detailed logs in Deleted Items folder."
ts = []
for _ in range(21):
    t = time.perf_counter()
    subprocess.run([kbt, "search", "--db", db, "--limit", "10", q], stdout=subprocess.DEVNULL, check=True)
    ts.append((time.perf_counter() - t) * 1000)
ts = sorted(ts[1:])
print(f"cold kbtriage search: median {ts[len(ts)//2]:.1f} ms, max {ts[-1]:.1f} ms")
PY
peers_dir=""
if [ "${BENCH_PEERS:-1}" = 1 ]; then
  echo "== peers (../shared/peers), same queries"
  export KB_CORPUS="$work/txt" PEERS_WORK="$work/peers" PEERS_OUT="$work/peers-out" SKIP_COLD=1
  ../shared/peers/run_all.sh "$queries" ${BENCH_PEER_LIST:-fts5 xapian xapian_safe lucene lucene_esc} > "$work/peers.log"
  sum=$(md5sum < "$queries" | cut -c1-8)
  peers_dir="$PEERS_OUT/$(basename "$queries" .jsonl)-$sum"
fi
echo "== table"
python3 bench/eval_table.py "$queries" "$work/kbtriage.run.jsonl,$work/kbtriage-nocache.run.jsonl" $peers_dir
