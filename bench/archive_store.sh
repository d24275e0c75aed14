# Sourced by bench/eval.sh and bench/match.sh: the raw-text archive unpacked
# under $work (once), the kbtriage binary built, and a store of the archive
# in $work/store brought up to date (a store of an older schema is refused,
# so it is started again). Sets: build, queries, work, kbt.
build=${1:-build}
queries=$(readlink -f "${2:-../shared/eval/dev-queries.jsonl}")
work=${BENCH_WORK:-/tmp/kbtriage-bench}
mkdir -p "$work"
if [ ! -d "$work/txt" ]; then
  tar -C "$work" --zstd -xf ../shared/kbarchive/txt.tar.zst
fi
ninja -C "$build" kbtriage >/dev/null
kbt="$build/app/kbtriage"
if [ -d "$work/store" ] && ! "$kbt" check --db "$work/store" >/dev/null 2>&1; then rm -rf "$work/store"; fi
echo "== index $work/txt -> $work/store"
"$kbt" index --quiet --db "$work/store" "$work/txt"
