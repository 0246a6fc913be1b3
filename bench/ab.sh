#!/usr/bin/env bash
# Two ganglion binaries side by side (a change's before and after): the benchmark models at 1 and 2
# threads, the two binaries alternating run by run on one machine, the loop time (the summary's
# "simulated ... in X s") of each run. Prints a markdown table of the medians and their ratio
# (new / old: below 1 is faster), and flags a row whose spike counts differ between the binaries.
#
# usage: bench/ab.sh OLD_GANGLION NEW_GANGLION [-m "MODELS"] [-n N] [-t "THREADS"] [-r REPEATS]
#   defaults: models "coba balanced_eif vogels_istdp", N each model's file size (the peers'
#   N = 4000 for coba, 10000 for the others), threads "1 2", 7 repeats.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2; }
old=$1 new=$2
shift 2
models="coba balanced_eif vogels_istdp"; n=""; threads="1 2"; repeats=7
while getopts "m:n:t:r:" opt; do
  case $opt in
    m) models=$OPTARG ;; n) n=$OPTARG ;; t) threads=$OPTARG ;; r) repeats=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done
for b in "$old" "$new"; do [ -x "$b" ] || { echo "ab.sh: not an executable: $b" >&2; exit 2; }; done
T=1
source bench/models.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "| model | threads | old (s) | new (s) | new / old | spikes |"
echo "|---|---|---|---|---|---|"
for m in $models; do
  sets_args=()
  [ -z "$n" ] || mapfile -t sets_args < <(sets "$m" "$n")
  for t in $threads; do
    : > "$tmp/old.t"; : > "$tmp/new.t"; : > "$tmp/old.s"; : > "$tmp/new.s"
    for r in $(seq "$repeats"); do
      for side in old new; do
        bin=$old; [ $side = new ] && bin=$new
        echo "ab.sh: $m -t $t repeat $r $side" >&2
        "$bin" run "$(config "$m")" -o "$tmp/out.h5" -t "$t" "${sets_args[@]}" > "$tmp/summary.txt" 2>&1
        sed -n 's/.*simulated [0-9.]* ms in \([0-9.e+-]*\) s.*/\1/p' "$tmp/summary.txt" >> "$tmp/$side.t"
        awk '$2 ~ /^(lif|eif|poisson)$/ {gsub(",", "", $4); s = s $1 "=" $4 " "} END {print s}' \
          "$tmp/summary.txt" >> "$tmp/$side.s"
      done
    done
    mo=$(median < "$tmp/old.t") mn=$(median < "$tmp/new.t")
    same=same
    [ "$(sort -u "$tmp/old.s" "$tmp/new.s" | wc -l)" = 1 ] || same=DIFFERENT
    echo "| $m | $t | $mo | $mn | $(awk -v a="$mo" -v b="$mn" 'BEGIN {printf "%.3f", b / a}') | $same |"
  done
done
