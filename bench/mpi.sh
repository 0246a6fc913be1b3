#!/usr/bin/env bash
# ganglion on 1 and 2 MPI ranks (and, for comparison, 1 process of 2 threads), alternating on one
# machine: strong scaling (the same network on 1 and 2 ranks) and weak scaling (N per rank fixed:
# N on 1 rank, 2 N on 2). The spike counts of each network must be the same however it runs (the
# run's summary), or the row is flagged. Prints a markdown table with the host it ran on, the
# loop's median time, the exchange's share on rank 0 and its bytes a step.
#
# usage: bench/mpi.sh [-s "MODEL:N ..."] [-w "MODEL:N ..."] [-T SECONDS] [-r REPEATS]
#   -s strong scaling rows (default "balanced_eif:16000 balanced_eif:32000 coba:64000"),
#   -w weak scaling rows, N per rank (default "coba:32000 balanced_eif:8000"), T 1, repeats 3.
#   Needs build/bin/ganglion built with MPI, and mpirun.
set -euo pipefail
cd "$(dirname "$0")/.."
strong="balanced_eif:16000 balanced_eif:32000 coba:64000"; weak="coba:32000 balanced_eif:8000"
T=1; repeats=3
while getopts "s:w:T:r:h" opt; do
  case $opt in
    s) strong=$OPTARG ;; w) weak=$OPTARG ;; T) T=$OPTARG ;; r) repeats=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done
G=${GANGLION:-build/bin/ganglion}
[ -x "$G" ] || { echo "mpi.sh: no $G (build first)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
source bench/models.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run: kind (strong|weak), model, N per row, how (r1t1 | r2t1 | r1t2), repeat.
one() {
  local kind=$1 m=$2 n=$3 how=$4 rep=$5 size=$3 launch=() t=1
  [ "$kind" = weak ] && [ "$how" = r2t1 ] && size=$((2 * n))
  [ "$how" = r2t1 ] && launch=(mpirun --oversubscribe -np 2)
  [ "$how" = r1t2 ] && t=2
  mapfile -t S < <(sets "$m" "$size")
  echo "mpi.sh: $kind $m N=$size $how repeat $rep" >&2
  "${launch[@]}" "$G" run "$(config "$m")" -o "$tmp/out.h5" -t "$t" --set "simulation.duration=${T} s" \
    "${S[@]}" > "$tmp/summary.txt" 2>&1
  local loop setup share bytes spikes
  loop=$(sed -n 's/.*simulated [0-9.]* ms in \([0-9.e+-]*\) s.*/\1/p' "$tmp/summary.txt")
  setup=$(sed -n 's/.*; setup \([0-9.e+-]*\) s.*/\1/p' "$tmp/summary.txt")
  share=$(sed -n 's/.*spike exchange every .*(\([0-9]*\) %.*/\1/p' "$tmp/summary.txt")
  bytes=$(sed -n 's/.* us and \([0-9]*\) bytes a step.*/\1/p' "$tmp/summary.txt")
  spikes=$(awk '$2 ~ /^(lif|eif|poisson)$/ {gsub(",", "", $4); s = s $1 "=" $4 " "} END {print s}' \
    "$tmp/summary.txt")
  echo "$kind $m $size $how $loop $setup ${share:--} ${bytes:--} $spikes" >> "$tmp/rows"
}

: > "$tmp/rows"
for rep in $(seq "$repeats"); do
  for row in $strong; do
    for how in r1t1 r2t1 r1t2; do one strong "${row%%:*}" "${row##*:}" "$how" "$rep"; done
  done
  for row in $weak; do
    for how in r1t1 r2t1; do one weak "${row%%:*}" "${row##*:}" "$how" "$rep"; done
  done
done

python3 - "$tmp/rows" "$T" "$repeats" <<'PY'
import collections, datetime, os, statistics, sys
rows, T, repeats = sys.argv[1:4]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
runs = collections.defaultdict(list)
spikes = collections.defaultdict(set)
for line in open(rows):
    kind, m, n, how, loop, setup, share, nbytes, *sp = line.split()
    runs[(kind, m, int(n), how)].append((float(loop), float(setup), share, nbytes))
    spikes[(kind, m, int(n))].add(' '.join(sp))
med = lambda xs: statistics.median(xs)
print(f'Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.uname().nodename}, '
      f'{os.cpu_count()} cores ({cpu}), {T} s of biological time, {repeats} alternating runs each; '
      'medians in seconds. "loop": the step loop; "setup": building the network; "exchange": its '
      "share of rank 0's loop (median and range; waiting for the other rank included) and the "
      'bytes every rank received a step.')
print()
print('| scaling | model | N | 1 rank, 1 thread | 2 ranks, 1 thread each | 1 rank, 2 threads | speedup 2 ranks | speedup 2 threads | setup 1 rank / 2 ranks | exchange | same spikes |')
print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
keys = sorted({k[:3] for k in runs}, key=lambda k: (k[0] != 'strong', k[1], k[2]))
for kind, m, n in keys:
    if kind == 'weak' and (kind, m, n, 'r1t1') not in runs:
        continue
    if kind == 'weak':
        one, two = runs[(kind, m, n, 'r1t1')], runs[(kind, m, 2 * n, 'r2t1')]
        label = f'{n} / {2 * n}'
        same = 'n/a'
    else:
        one, two = runs[(kind, m, n, 'r1t1')], runs[(kind, m, n, 'r2t1')]
        label = str(n)
        same = 'yes' if len(spikes[(kind, m, n)]) == 1 else 'NO'
    thr = runs.get((kind, m, n, 'r1t2'), [])
    l1, l2 = med([x[0] for x in one]), med([x[0] for x in two])
    s1, s2 = med([x[1] for x in one]), med([x[1] for x in two])
    lt = med([x[0] for x in thr]) if thr else None
    shares = [float(x[2]) for x in two if x[2] != '-']
    ex = f'{med(shares):.0f} % ({min(shares):.0f}-{max(shares):.0f}), {two[0][3]} B' if shares else '-'
    print(f'| {kind} | {m} | {label} | {l1:.3f} | {l2:.3f} | {lt:.3f} | {l1 / l2:.2f} | {l1 / lt:.2f} | {s1:.2f} / {s2:.2f} | {ex} | {same} |'
          if lt else
          f'| {kind} | {m} | {label} | {l1:.3f} | {l2:.3f} | - | {l1 / l2:.2f} (efficiency) | - | {s1:.2f} / {s2:.2f} | {ex} | {same} |')
PY
