#!/usr/bin/env bash
# Full raw-text archive into a cold store: wall and CPU time, peak RSS, store
# size, articles/s; then parse-only throughput on one core; then, when the
# peers' tools are installed, the reference indexers on the same files in the
# same run. Usage: bench/index.sh [BUILD_DIR]   (default build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
work=${BENCH_WORK:-/tmp/kbtriage-bench}
archive=../shared/kbarchive
mkdir -p "$work"
if [ ! -d "$work/txt" ]; then
  tar -C "$work" --zstd -xf "$archive/txt.tar.zst"
fi
ninja -C "$build" kbtriage parse_bench >/dev/null
rm -rf "$work/store"
sync
echo "== kbtriage index (cold store, $(nproc) cores)"
/usr/bin/time -f 'wall %e s, user %U s, sys %S s, peak RSS %M KB' \
  "$build/app/kbtriage" index --quiet --db "$work/store" "$work/txt"
du -sh "$work/store/kbtriage.sqlite" "$work/store/xapian" | sed 's/^/store: /'
if command -v xapian-compact >/dev/null; then
  rm -rf "$work/xapian-compact"
  # The shards merged and compacted into one database: the index's size at rest.
  xapian-compact "$work"/store/xapian/* "$work/xapian-compact" >/dev/null
  du -sh "$work/xapian-compact" | sed 's/^/xapian shards merged by xapian-compact: /'
fi
echo "== second run (nothing changed)"
/usr/bin/time -f 'wall %e s' "$build/app/kbtriage" index --quiet --db "$work/store" "$work/txt"
echo "== parse only"
"$build/bench/parse_bench" "$work/txt"
# The reference indexers over the same files, in the same run (3 timed runs
# each, medians): SQLite FTS5, Lucene++, python-xapian. Needs the peers'
# packages (see ../shared/peers/README.md); BENCH_PEERS=0 skips them.
if [ "${BENCH_PEERS:-1}" = 1 ]; then
  echo "== peers (../shared/peers), same files"
  export KB_CORPUS="$work/txt" PEERS_WORK="$work/peers" PEERS_OUT="$work/peers-out"
  [ -x "$PEERS_WORK/bin/kbsearch" ] || ../shared/peers/lucene/build.sh
  for peer in ${BENCH_PEER_LIST:-fts5 lucene xapian}; do
    /usr/bin/python3 ../shared/peers/bench.py index "$peer" --force | grep -E 'run [0-9]'
  done
fi
