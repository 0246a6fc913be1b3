#!/usr/bin/env bash
# The nonlinear map from X to r of the semi-balanced state (docs/science.md): runs
# configs/semi_balanced.json (E1, E2, I with inputs X1, X2, XI; W = [[0.5, 1.5, -3], [1.5, 0.5, -3],
# [4.5, 4.5, -5]], X = (3.6 r_X1, 3.6 r_X2, 2.7 r_XI) in the O(1) units of docs/science.md), with
# X2's rate swept (--set populations.X2.params.rate=...), and prints per input rate the balanced
# prediction -W^-1 X, the semi-balanced solution (the LCP r >= 0, W r + X <= 0, r (W r + X) = 0)
# and the simulated rates of E1, E2, I, as `ganglion run` prints them beside each other.
#
#   tools/semi_balanced_sweep.sh [-d DURATION_MS] [-s SEED] [-t THREADS] [RATE_HZ ...]
#
# Default rates 0 2 4 6 8 10 12 14 Hz, 500 ms runs (simulated rates over (50, 500] ms: the first
# 10% skipped as transient), seed 1. Below r_X2 = 7.5 Hz the balanced prediction for E2 is negative
# and the semi-balanced state silences E2: the rates are then (9, 0, 13.5) Hz whatever r_X2 is;
# above, every population is active and r follows -W^-1 X linearly. GANGLION names the binary
# (default build/bin/ganglion); the output files go to a temporary folder, removed at the end.
# About 1 s per run on 2 cores.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ganglion="${GANGLION:-$root/build/bin/ganglion}"
config="$root/configs/semi_balanced.json"
duration=500 seed=1 threads=0
while getopts "d:s:t:h" opt; do
  case "$opt" in
    d) duration="$OPTARG" ;;
    s) seed="$OPTARG" ;;
    t) threads="$OPTARG" ;;
    *) sed -n '2,17p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(0 2 4 6 8 10 12 14)

[ -x "$ganglion" ] || { echo "no ganglion binary at $ganglion (build first, or set GANGLION)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

printf 'semi_balanced: X1 = XI = 10 Hz, X2 swept; seed %s, %s ms runs; rates in Hz (E1 E2 I)\n' "$seed" "$duration"
printf '%6s | %-24s | %-24s | %-24s\n' "r_X2" "balanced -W^-1 X" "semi-balanced" "simulated"
for r in "${rates[@]}"; do
  out="$tmp/X2_$r.h5"
  # `ganglion run` prints, after its summary, one row per mean-field population: name, balanced,
  # semi-balanced solution(s), simulated. Several (or no) semi-balanced solutions change the
  # number of columns: then "see ganglion theory" stands in for them.
  "$ganglion" run "$config" -o "$out" -t "$threads" --set "populations.X2.params.rate=$r Hz" \
    --set "simulation.seed=$seed" --set "simulation.duration=$duration ms" >"$tmp/run.txt"
  awk -v r="$r" '
    /^theory: predicted beside simulated/ { on = 1; next }
    on && /^  population/ { next }
    on && /^  (E1|E2|I) / { b = b sprintf("%7.2f ", $2); s = s (NF == 4 ? sprintf("%7.2f ", $3) : "");
                             m = m sprintf("%7.2f ", $NF); several = several || NF != 4; next }
    on { on = 0 }
    END { if (b == "") { printf "%6s | no theory table in the output of ganglion run\n", r; exit }
          printf "%6s | %-24s | %-24s | %-24s\n", r, b, several ? "see ganglion theory" : s, m }
  ' "$tmp/run.txt"
  rm -f "$out"
done
