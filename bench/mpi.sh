#!/usr/bin/env bash
# ganglion on 1 and 2 MPI ranks (and, for comparison, 1 process of 2 threads), alternating on one
# machine: strong scaling (the same network on 1 and 2 ranks, the 2 ranks' exchange overlapped and
# blocking: GANGLION_EXCHANGE) and weak scaling (N per rank fixed: N on 1 rank, 2 N on 2). The spike counts of each network must be the same however it runs (the
# run's summary), or the row is flagged. Prints a markdown table with the host it ran on, the
# loop's median time, the exchange's share on rank 0 and its bytes a step.
#
# usage: bench/mpi.sh [-s "MODEL:N ..."] [-w "MODEL:N ..."] [-T SECONDS] [-r REPEATS] [-d MS]
#   -s strong scaling rows (default "balanced_eif:16000 balanced_eif:32000 coba:64000"),
#   -w weak scaling rows, N per rank (default "coba:32000 balanced_eif:8000"), T 1, repeats 3;
#   -d every projection's delay in ms (default: the models' one step, which leaves nothing to
#   overlap: the ranks exchange every step).
#   Needs build/bin/ganglion built with MPI, and mpirun.
set -euo pipefail
cd "$(dirname "$0")/.."
strong="balanced_eif:16000 balanced_eif:32000 coba:64000"; weak="coba:32000 balanced_eif:8000"
T=1; repeats=3; delay=
while getopts "s:w:T:r:d:h" opt; do
  case $opt in
    s) strong=$OPTARG ;; w) weak=$OPTARG ;; T) T=$OPTARG ;; r) repeats=$OPTARG ;; d) delay=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done
G=${GANGLION:-build/bin/ganglion}
[ -x "$G" ] || { echo "mpi.sh: no $G (build first)" >&2; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
source bench/models.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run: kind (strong|weak), model, N per row, how (r1t1 | r2t1 | r2b: blocking | r1t2), repeat.
one() {
  local kind=$1 m=$2 n=$3 how=$4 rep=$5 size=$3 launch=() t=1 exchange=overlapped
  [ "$kind" = weak ] && [ "$how" = r2t1 ] && size=$((2 * n))
  case $how in r2t1 | r2b) launch=(mpirun --oversubscribe -np 2) ;; esac
  [ "$how" = r2b ] && exchange=blocking
  [ "$how" = r1t2 ] && t=2
  mapfile -t S < <(sets "$m" "$size")
  if [ -n "$delay" ]; then
    local q
    for q in $(seq 0 $(($(python3 -c "import json; print(len(json.load(open('$(config "$m")'))['projections']))") - 1))); do
      S+=(--set "projections.$q.delay=$delay ms")
    done
  fi
  echo "mpi.sh: $kind $m N=$size $how repeat $rep" >&2
  GANGLION_EXCHANGE=$exchange "${launch[@]}" "$G" run "$(config "$m")" -o "$tmp/out.h5" -t "$t" --set "simulation.duration=${T} s" \
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
    for how in r1t1 r2t1 r2b r1t2; do one strong "${row%%:*}" "${row##*:}" "$how" "$rep"; done
  done
  for row in $weak; do
    for how in r1t1 r2t1; do one weak "${row%%:*}" "${row##*:}" "$how" "$rep"; done
  done
done

python3 - "$tmp/rows" "$T" "$repeats" "${delay:+$delay ms}" <<'PY'
import collections, datetime, os, statistics, sys
rows, T, repeats, delay = sys.argv[1:5]
delay = delay or "of one step"
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
runs = collections.defaultdict(list)
spikes = collections.defaultdict(set)
for line in open(rows):
    kind, m, n, how, loop, setup, share, nbytes, *sp = line.split()
    runs[(kind, m, int(n), how)].append((float(loop), float(setup), share, nbytes))
    spikes[(kind, m, int(n))].add(' '.join(sp))
med = lambda xs: statistics.median(xs)
print(f'Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.uname().nodename}, '
      f'{os.cpu_count()} cores ({cpu}), {T} s of biological time, delays {delay}, {repeats} alternating '
      'runs each; medians in seconds. "loop": the step loop; "setup": building the network; '
      '"exchange": its share of rank 0\'s loop, overlapped and blocking (median and range; waiting '
      'for the other rank included) and the bytes every rank received a step.')
print()
print('| scaling | model | N | 1 rank, 1 thread | 2 ranks, 1 thread each | 2 ranks, blocking exchange | 1 rank, 2 threads | speedup 2 ranks | overlapped / blocking | speedup 2 threads | setup 1 rank / 2 ranks | exchange, overlapped / blocking | same spikes |')
print('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |')
keys = sorted({k[:3] for k in runs}, key=lambda k: (k[0] != 'strong', k[1], k[2]))

def share(rs):
    xs = [float(x[2]) for x in rs if x[2] != '-']
    return f'{med(xs):.0f} % ({min(xs):.0f}-{max(xs):.0f})' if xs else '-'

def loop(key):
    rs = runs.get(key, [])
    return med([x[0] for x in rs]) if rs else None

for kind, m, n in keys:
    if kind == 'weak' and (kind, m, n, 'r1t1') not in runs:
        continue
    if kind == 'weak':
        one, two = runs[(kind, m, n, 'r1t1')], runs[(kind, m, 2 * n, 'r2t1')]
        label, same = f'{n} / {2 * n}', 'n/a'
    else:
        one, two = runs[(kind, m, n, 'r1t1')], runs[(kind, m, n, 'r2t1')]
        label = str(n)
        same = 'yes' if len(spikes[(kind, m, n)]) == 1 else 'NO'
    l1, l2 = med([x[0] for x in one]), med([x[0] for x in two])
    s1, s2 = med([x[1] for x in one]), med([x[1] for x in two])
    lb, lt = loop((kind, m, n, 'r2b')), loop((kind, m, n, 'r1t2'))
    f = lambda x: f'{x:.3f}' if x else '-'
    ex = f'{share(two)} / {share(runs.get((kind, m, n, "r2b"), []))}, {two[0][3]} B'
    print(f'| {kind} | {m} | {label} | {l1:.3f} | {l2:.3f} | {f(lb)} | {f(lt)} | {l1 / l2:.2f}'
          f'{" (efficiency)" if kind == "weak" else ""} | {f"{lb / l2:.2f}" if lb else "-"} | '
          f'{f"{l1 / lt:.2f}" if lt else "-"} | {s1:.2f} / {s2:.2f} | {ex} | {same} |')
PY
