#!/usr/bin/env bash
# ganglion with 1 thread, 2 threads and threads 0 (auto: it times one thread against all and keeps
# the faster) on the benchmark models, alternating on one machine; the spike counts must be the
# same for every thread count (the run's summary), or the row is flagged. Writes a markdown table
# with the host it ran on.
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
      for t in 1 2 0; do
        echo "threads.sh: $m N=$n threads=$t repeat $r" >&2
        "$G" run "$(config "$m")" -o "$tmp/out.h5" -t "$t" --set "simulation.duration=${T} s" "${S[@]}" \
          > "$tmp/summary.txt" 2>&1
        loop=$(sed -n 's/.*simulated [0-9.]* ms in \([0-9.e+-]*\) s.*/\1/p' "$tmp/summary.txt")
        spikes=$(awk '$2 ~ /^(lif|eif|poisson)$/ {gsub(",", "", $4); s = s $1 "=" $4 " "} END {print s}' \
          "$tmp/summary.txt")
        chose=$(sed -n 's/.*threads 0 (auto) chose \(1 thread\|all threads\).*/\1/p' "$tmp/summary.txt" |
          tr ' ' '_')
        echo "$m $n $r $t ${chose:--} $loop $spikes" >> "$rows"
      done
    done
  done
done

python3 - "$rows" "$T" "$repeats" > "$tmp/table.md" <<'PY'
import sys, os, datetime, collections
rows, T, repeats = sys.argv[1], sys.argv[2], sys.argv[3]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
runs = collections.defaultdict(lambda: {1: [], 2: [], 0: []})
chose = collections.defaultdict(collections.Counter)
spikes = collections.defaultdict(set)
for line in open(rows):
    m, n, r, t, c, loop, *sp = line.split()
    runs[(m, int(n))][int(t)].append(float(loop))
    if int(t) == 0:
        chose[(m, int(n))][c.replace('_', ' ')] += 1
    spikes[(m, int(n))].add(' '.join(sp))
print('# ganglion: 1 thread, 2 threads and threads 0 (auto)')
print()
print(f'Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on host '
      f'{os.uname().nodename}, {os.cpu_count()} cores ({cpu}), {T} s of biological time, {repeats} '
      'alternating runs per thread count; made by `bench/threads.sh`. Loop times (the run summary) '
      'in seconds, the best of the runs; 2 / 1 = best 1-thread loop / best 2-thread loop, auto / 1 = '
      'best 1-thread loop / best auto loop ("auto chose": what its runs\' summaries said, "-" where '
      'the run was too short to time). "same spikes": the spike counts of every population agree '
      'between all runs of every thread count.')
print()
print('| model | N | 1 thread | 2 threads | 2 / 1 | auto | auto / 1 | auto chose | same spikes |')
print('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
for (m, n), t in runs.items():
    one, two, auto = min(t[1]), min(t[2]), min(t[0])
    same = 'yes' if len(spikes[(m, n)]) == 1 else '⚠ no'
    ch = ', '.join(f'{k} x{v}' for k, v in sorted(chose[(m, n)].items()))
    print(f'| {m} | {n} | {one:.3f} | {two:.3f} | {one / two:.2f} | {auto:.3f} | {one / auto:.2f} '
          f'| {ch} | {same} |')
PY
if [ "$out" = "-" ]; then cat "$tmp/table.md"; else cp "$tmp/table.md" "$out"; cat "$out"; fi
