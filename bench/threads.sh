#!/usr/bin/env bash
# ganglion with 1 and with 2 threads on the benchmark models (issue 6: 2 threads >= 1.7x one),
# alternating on one machine; the spike counts must be the same for both thread counts (the run's
# summary), or the row is flagged. Writes a markdown table.
#
# usage: bench/threads.sh [-m "MODELS"] [-n "SIZES"] [-T SECONDS] [-r REPEATS] [-o FILE]
#   defaults: models "coba balanced_eif vogels_istdp", sizes "16000 64000", T 1, repeats 3,
#   output bench/THREADS.md ("-" for stdout only). Needs build/bin/ganglion.
set -euo pipefail
cd "$(dirname "$0")/.."
models="coba balanced_eif vogels_istdp"; sizes="16000 64000"; T=1; repeats=3; out=bench/THREADS.md
while getopts "m:n:T:r:o:h" opt; do
  case $opt in
    m) models=$OPTARG ;; n) sizes=$OPTARG ;; T) T=$OPTARG ;; r) repeats=$OPTARG ;; o) out=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done
G=${GANGLION:-build/bin/ganglion}
[ -x "$G" ] || { echo "threads.sh: no $G (build first)" >&2; exit 1; }
source bench/models.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rows=$tmp/rows; : > "$rows"
for m in $models; do
  for n in $sizes; do
    mapfile -t S < <(sets "$m" "$n")
    for r in $(seq "$repeats"); do
      for t in 1 2; do
        echo "threads.sh: $m N=$n threads=$t repeat $r" >&2
        "$G" run "$(config "$m")" -o "$tmp/out.h5" -t "$t" --set "simulation.duration=${T} s" "${S[@]}" \
          > "$tmp/summary.txt" 2>&1
        loop=$(sed -n 's/.*simulated [0-9.]* ms in \([0-9.e+-]*\) s.*/\1/p' "$tmp/summary.txt")
        spikes=$(awk '$2 ~ /^(lif|eif|poisson)$/ {gsub(",", "", $4); s = s $1 "=" $4 " "} END {print s}' \
          "$tmp/summary.txt")
        echo "$m $n $r $t $loop $spikes" >> "$rows"
      done
    done
  done
done

python3 - "$rows" "$T" "$repeats" > "$tmp/table.md" <<'PY'
import sys, os, datetime, collections
rows, T, repeats = sys.argv[1], sys.argv[2], sys.argv[3]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
runs = collections.defaultdict(lambda: {1: [], 2: []})
spikes = collections.defaultdict(set)
for line in open(rows):
    m, n, r, t, loop, *sp = line.split()
    runs[(m, int(n))][int(t)].append(float(loop))
    spikes[(m, int(n))].add(' '.join(sp))
print('# ganglion: 2 threads against 1')
print()
print(f'Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores '
      f'({cpu}), {T} s of biological time, {repeats} alternating runs per thread count; made by '
      '`bench/threads.sh`. Loop times (the run summary) in seconds, the best of the runs; speedup = '
      'best 1-thread loop / best 2-thread loop. "same spikes": the spike counts of every population '
      'agree between all runs of both thread counts.')
print()
print('| model | N | 1 thread | 2 threads | speedup | same spikes |')
print('| --- | ---: | ---: | ---: | ---: | --- |')
for (m, n), t in runs.items():
    one, two = min(t[1]), min(t[2])
    same = 'yes' if len(spikes[(m, n)]) == 1 else '⚠ no'
    print(f'| {m} | {n} | {one:.3f} | {two:.3f} | {one / two:.2f} | {same} |')
PY
if [ "$out" = "-" ]; then cat "$tmp/table.md"; else cp "$tmp/table.md" "$out"; cat "$out"; fi
