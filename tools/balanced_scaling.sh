#!/usr/bin/env bash
# The balanced state's large-N limit (docs/science.md): runs configs/balanced_scaling.json (the
# reference network, sizes N_e : N_i : N_x = 4 : 1 : 1, p = 0.1, weights j/sqrt(N)) at
# N = N_e + N_i = 2500, 5000, 10000, 20000, 40000 and prints the simulated rates beside the
# balanced-state prediction -W^-1 X = (99/17, 270/17) = (5.824, 15.882) Hz, the gap
# |r - r*| (Euclidean, Hz) and gap * sqrt(N), which stays roughly constant if the gap shrinks
# like 1/sqrt(N).
#
#   tools/balanced_scaling.sh [-d DURATION_MS] [-f FROM_MS] [-s SEED] [-t THREADS] [N ...]
#
# Rates are over (FROM, DURATION] ms (defaults 1000 and 200: the first 200 ms are the transient
# from the uniform initial voltages). GANGLION names the binary (default build/bin/ganglion);
# the output files go to a temporary folder, removed at the end. N = 40000 has 192 million
# synapses (about 2 GB of memory); on 2 cores the whole sweep takes a few minutes.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ganglion="${GANGLION:-$root/build/bin/ganglion}"
config="$root/configs/balanced_scaling.json"
duration=1000 from=200 seed=1 threads=0
while getopts "d:f:s:t:h" opt; do
  case "$opt" in
    d) duration="$OPTARG" ;;
    f) from="$OPTARG" ;;
    s) seed="$OPTARG" ;;
    t) threads="$OPTARG" ;;
    *) sed -n '2,15p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(2500 5000 10000 20000 40000)

[ -x "$ganglion" ] || { echo "no ganglion binary at $ganglion (build first, or set GANGLION)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

printf 'balanced_scaling: seed %s, rates over (%s, %s] ms; prediction -W^-1 X = (5.824, 15.882) Hz\n' \
  "$seed" "$from" "$duration"
printf '%8s %10s %10s %10s %10s %10s %12s %10s\n' N r_E r_I "r_E - r*E" "r_I - r*I" gap "gap*sqrt(N)" wall_s
for n in "${sizes[@]}"; do
  if [ $((n % 5)) -ne 0 ]; then echo "N = $n is not a multiple of 5 (N_e = 4N/5, N_i = N_x = N/5)" >&2; exit 2; fi
  ne=$((n * 4 / 5)) ni=$((n / 5))
  out="$tmp/N$n.h5"
  start=$(date +%s%N)
  "$ganglion" run "$config" -o "$out" -t "$threads" \
    --set "populations.E.size=$ne" --set "populations.I.size=$ni" --set "populations.X.size=$ni" \
    --set "simulation.seed=$seed" --set "simulation.duration=$duration ms" >/dev/null
  wall=$(( ($(date +%s%N) - start) / 1000000 ))  # ms
  # `ganglion analyze` prints one row per population: name, neurons, spikes, rate (Hz), ...
  rates=$("$ganglion" analyze --from "$from" "$out" | awk '$1 == "E" && !e {e = $4} $1 == "I" && !i {i = $4} END {print e, i}')
  read -r re ri <<<"$rates"
  awk -v n="$n" -v re="$re" -v ri="$ri" -v w="$wall" 'BEGIN {
    pe = 99 / 17; pi = 270 / 17; de = re - pe; di = ri - pi; gap = sqrt(de * de + di * di)
    printf "%8d %10.3f %10.3f %10.3f %10.3f %10.3f %12.1f %10.1f\n", n, re, ri, de, di, gap, gap * sqrt(n), w / 1000 }'
  rm -f "$out"
done
