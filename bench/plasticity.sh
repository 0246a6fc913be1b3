#!/usr/bin/env bash
# Plasticity timing, side by side and alternating on one machine:
#  1. configs/istdp_balanced.json (N = 5000, 10 s) against the same network without plasticity;
#  2. bench/vogels_istdp.json against Brian2 (C++ standalone, one thread) running the same model
#     (the Brian2 peer script vogels_istdp.py, Brian2's example of the model, N = 10000, 5 s); the
#     rates must agree first.
# Writes bench/PLASTICITY.md. Needs a built tree (build/), Debian's python3-brian, and PEERS: the
# folder of the Brian2 peer scripts (vogels_istdp.py and the common.py it imports), which are not
# part of this repository.
# usage: bench/plasticity.sh [REPEATS]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-2}
G=build/bin/ganglion
[ -n "${PEERS:-}" ] || {
  echo "plasticity.sh: set PEERS to the folder of the Brian2 peer scripts (vogels_istdp.py and the" \
    "common.py it imports), e.g. PEERS=/path/to/peers/brian2 $0" >&2
  exit 1
}
peers=$PEERS
for script in vogels_istdp.py common.py; do
  [ -f "$peers/$script" ] || { echo "plasticity.sh: PEERS=$peers has no $script" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p out

loop_s() { sed -n 's/.*simulated [0-9.]* ms in \([0-9.e+-]*\) s.*/\1/p'; }
rate_of() { awk -v p="$1" '$1 == p && $2 ~ /^(eif|lif)$/ {print $5}'; }

{
  echo "# Plasticity timing"
  echo
  echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), one thread, runs alternating; simulation loop (s), whole process (s)."
  echo
  echo "## istdp_balanced (N = 5000, 10 s of biological time)"
  echo
  echo "| run | with istdp: loop | whole | without: loop | whole | E rate with / without (Hz) |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for r in $(seq "$repeats"); do
    s0=$(date +%s.%N); $G run configs/istdp_balanced.json -t 1 -o "$tmp/a.h5" > "$tmp/a.txt"; s1=$(date +%s.%N)
    $G run configs/istdp_balanced.json -t 1 -o "$tmp/b.h5" --set projections.2.plasticity=null > "$tmp/b.txt"; s2=$(date +%s.%N)
    echo "| $r | $(loop_s < "$tmp/a.txt") | $(echo "$s1 - $s0" | bc | cut -c1-5) | $(loop_s < "$tmp/b.txt") | $(echo "$s2 - $s1" | bc | cut -c1-5) | $(rate_of E < "$tmp/a.txt") / $(rate_of E < "$tmp/b.txt") |"
  done
  echo
  echo "## Vogels et al. 2011 iSTDP (N = 10000, 5 s): ganglion against Brian2 C++ standalone"
  echo
  echo "| run | ganglion loop | ganglion whole | Brian2 loop | Brian2 whole | loop ratio | whole ratio | E rate ganglion / Brian2 (Hz) | I rate (Hz) |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
  for r in $(seq "$repeats"); do
    s0=$(date +%s.%N); $G run bench/vogels_istdp.json -t 1 -o "$tmp/v.h5" > "$tmp/v.txt"; s1=$(date +%s.%N)
    (cd "$peers" && /usr/bin/python3 vogels_istdp.py 10000 5 cpp_standalone) > "$tmp/b.json" 2> "$tmp/b.err"; s2=$(date +%s.%N)
    gl=$(loop_s < "$tmp/v.txt"); gw=$(echo "$s1 - $s0" | bc)
    bl=$(python3 -c "import json;print(json.load(open('$tmp/b.json'))['run_s'])"); bw=$(echo "$s2 - $s1" | bc)
    be=$(python3 -c "import json;d=json.load(open('$tmp/b.json'));print('%.2f / %.2f' % (d['rate_E_Hz'], d['rate_I_Hz']))")
    echo "| $r | $gl | ${gw:0:5} | $bl | ${bw:0:5} | $(echo "scale=2; $bl / $gl" | bc) | $(echo "scale=2; $bw / $gw" | bc) | $(rate_of E < "$tmp/v.txt") / ${be% /*} | $(rate_of I < "$tmp/v.txt") / ${be#*/ } |"
  done
  echo
  echo "A ratio above 1 means ganglion is faster. Brian2's whole process includes code generation and compilation (about 11 s)."
} | tee bench/PLASTICITY.md
