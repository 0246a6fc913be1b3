#!/usr/bin/env bash
# ganglion against Brian2 on the same models, side by side and alternating on one machine
# (issue 6). Models: bench/coba.json (the peer script coba.py, Brian2's COBA example),
# bench/balanced_eif_peer.json (balanced_eif.py), optionally bench/vogels_istdp.json
# (vogels_istdp.py, Brian2's example of Vogels et al. 2011). The Brian2 peer scripts are not part of
# this repository: PEERS must name their folder (the scripts of the chosen models and the
# common.py they import). For each repeat, model and N, in this order: ganglion, Brian2
# cpp_standalone, Brian2 cython; then a table.
#
# Recorded per run:
#   ganglion: loop time (its summary, "simulated X ms in Y s"), whole-process wall time (measured
#     around the command), peak RSS (/usr/bin/time -v), synapse count and rates (summary);
#     bytes per synapse = (peak RSS - peak RSS of the same populations with no projections) /
#     synapses. That is a peak-based estimate: it includes whatever connectivity generation holds
#     transiently at its peak (plus allocator slack), so it bounds the steady storage from above.
#   Brian2: run_s (loop), compile_s, total_in_process_s and rates from the peer's JSON line;
#     whole-process wall time and peak RSS measured around the python command (the RSS is the
#     largest of python and the standalone binary, as getrusage reports children).
# Ratios are Brian2 / ganglion: above 1 means ganglion is faster. The rates must agree before the
# times mean anything: rows where a population's rate differs by more than 10 % are flagged.
#
# usage: bench/peers.sh [options]
#   -m "MODELS"   models, default "coba balanced_eif" (also: vogels_istdp)
#   -n "SIZES"    N list, default "4000 16000 64000"
#   -T SECONDS    biological time, default 1
#   -r REPEATS    repeats of the whole alternation, default 1 (one table row per run)
#   -t THREADS    threads for ganglion and Brian2's standalone OpenMP, default 1
#   -C            skip Brian2 cython          -S   skip Brian2 cpp_standalone
#   -c "SIZES"    run cython only at these N (default: every N)
#   -o FILE       output markdown, default bench/RESULTS.md ("-" for stdout only)
#   -k DIR        keep raw outputs (ganglion summaries, Brian2 JSON, time -v) in DIR
# Needs build/bin/ganglion, /usr/bin/time, Debian's python3-brian (/usr/bin/python3), and
# PEERS=/path/to/brian2 peer scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

models="coba balanced_eif"; sizes="4000 16000 64000"; T=1; repeats=1; threads=1
do_cy=1; do_cpp=1; cy_sizes=""; out=bench/RESULTS.md; keep=""
while getopts "m:n:T:r:t:CSc:o:k:h" opt; do
  case $opt in
    m) models=$OPTARG ;; n) sizes=$OPTARG ;; T) T=$OPTARG ;; r) repeats=$OPTARG ;;
    t) threads=$OPTARG ;; C) do_cy=0 ;; S) do_cpp=0 ;; c) cy_sizes=$OPTARG ;;
    o) out=$OPTARG ;; k) keep=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done

G=${GANGLION:-$root/build/bin/ganglion}
PY=${BRIAN_PYTHON:-/usr/bin/python3}
[ -n "${PEERS:-}" ] || {
  echo "peers.sh: set PEERS to the folder of the Brian2 peer scripts (coba.py, balanced_eif.py," \
    "vogels_istdp.py and the common.py they import), e.g. PEERS=/path/to/peers/brian2 $0" >&2
  exit 1
}
peers=$PEERS
for script in common.py $(for m in $models; do echo "$m.py"; done); do
  [ -f "$peers/$script" ] || { echo "peers.sh: PEERS=$peers has no $script" >&2; exit 1; }
done
[ -x "$G" ] || { echo "peers.sh: no $G (build first)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "peers.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The peers' folder may be read-only and Brian2 writes build folders: run copies.
mkdir -p "$tmp/peers" && cp "$peers"/*.py "$tmp/peers/"
raw=${keep:-$tmp/raw}; mkdir -p "$raw"
records=$raw/records.jsonl; : > "$records"

now() { date +%s.%N; }
rss_kb() { sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\).*/\1/p' "$1"; }
cpu_s() { awk -F': ' '/User time|System time/ {s += $2} END {printf "%.3f", s}' "$1"; }

source bench/models.sh # sets (a model's --set arguments at size N) and config
peer_script() { echo "$1.py"; }

run_ganglion() {  # model N tag [extra --set...]
  local m=$1 n=$2 tag=$3; shift 3
  local s0 s1 rc=0 S
  mapfile -t S < <(sets "$m" "$n")
  s0=$(now)
  /usr/bin/time -v -o "$raw/$tag.time" "$G" run "$(config "$m")" -o "$tmp/$tag.h5" -t "$threads" \
    --set "simulation.duration=${T} s" "${S[@]}" "$@" > "$raw/$tag.txt" 2> "$raw/$tag.err" || rc=$?
  s1=$(now)
  rm -f "$tmp/$tag.h5"
  echo "$rc $(python3 -c "print(round($s1 - $s0, 3))")"
}

run_brian() {  # model N mode tag
  local m=$1 n=$2 mode=$3 tag=$4 s0 s1 rc=0 extra=""
  [ "$mode" = cpp_standalone ] && [ "$threads" -gt 1 ] && extra="--threads $threads"
  s0=$(now)
  # shellcheck disable=SC2086
  (cd "$tmp/peers" && /usr/bin/time -v -o "$raw/$tag.time" "$PY" "$(peer_script "$m")" "$n" "$T" "$mode" $extra) \
    > "$raw/$tag.json" 2> "$raw/$tag.err" || rc=$?
  s1=$(now)
  echo "$rc $(python3 -c "print(round($s1 - $s0, 3))")"
}

log() { echo "peers.sh: $*" >&2; }

declare -A base_rss
for r in $(seq "$repeats"); do
  for m in $models; do
    for n in $sizes; do
      # The no-projection baseline for bytes per synapse (not timed; once per model and N).
      if [ -z "${base_rss[$m.$n]:-}" ]; then
        read -r rc _ < <(run_ganglion "$m" "$n" "base_${m}_$n" --set 'projections=[]' --set 'recorders=[]')
        base_rss[$m.$n]=$( [ "$rc" = 0 ] && rss_kb "$raw/base_${m}_$n.time" || echo "")
      fi
      tag="g_${m}_${n}_$r"; log "$tag"
      read -r g_rc g_wall < <(run_ganglion "$m" "$n" "$tag")
      b_rc=skip; b_wall=""; c_rc=skip; c_wall=""
      if [ $do_cpp = 1 ]; then
        log "b_${m}_${n}_$r (cpp_standalone)"
        read -r b_rc b_wall < <(run_brian "$m" "$n" cpp_standalone "b_${m}_${n}_$r")
      fi
      if [ $do_cy = 1 ] && { [ -z "$cy_sizes" ] || [[ " $cy_sizes " == *" $n "* ]]; }; then
        log "c_${m}_${n}_$r (cython)"
        read -r c_rc c_wall < <(run_brian "$m" "$n" cython "c_${m}_${n}_$r")
      fi
      python3 - "$raw" "$m" "$n" "$r" "$g_rc" "$g_wall" "${base_rss[$m.$n]}" "$b_rc" "$b_wall" "$c_rc" "$c_wall" \
        "$(cpu_s "$raw/$tag.time")" "$(cut -d' ' -f1 /proc/loadavg)" >> "$records" <<'EOF'
import json, os, re, sys
raw, m, n, r, g_rc, g_wall, base, b_rc, b_wall, c_rc, c_wall, g_cpu, load = sys.argv[1:]
def rss(path):
    try:
        t = open(path).read()
    except OSError:
        return None
    x = re.search(r'Maximum resident set size \(kbytes\): (\d+)', t)
    return int(x.group(1)) if x else None
rec = dict(model=m, N=int(n), repeat=int(r), load1=float(load))
g = dict(rc=int(g_rc), whole_s=float(g_wall), cpu_s=float(g_cpu))
tag = f'g_{m}_{n}_{r}'
txt = open(os.path.join(raw, tag + '.txt')).read()
x = re.search(r'simulated ([0-9.]+) ms in ([0-9.e+-]+) s', txt)
g['loop_s'] = float(x.group(2)) if x else None
x = re.search(r'setup ([0-9.e+-]+) s', txt)
g['setup_s'] = float(x.group(1)) if x else None
x = re.search(r'synapses: ([0-9,]+)', txt)
g['synapses'] = int(x.group(1).replace(',', '')) if x else None
g['rates'] = {p: float(v) for p, v in
              re.findall(r'^\s+(\S+)\s+(?:lif|eif)\s+[0-9,]+\s+[0-9,]+\s+([0-9.]+)\s*$', txt, re.M)}
g['peak_kb'] = rss(os.path.join(raw, tag + '.time'))
g['base_kb'] = int(base) if base else None
if g['peak_kb'] and g['base_kb'] and g['synapses']:
    g['bytes_per_syn'] = (g['peak_kb'] - g['base_kb']) * 1024 / g['synapses']
rec['ganglion'] = g
for key, rc, wall, pre in (('cpp', b_rc, b_wall, 'b'), ('cython', c_rc, c_wall, 'c')):
    if rc == 'skip':
        continue
    b = dict(rc=int(rc), whole_s=float(wall))
    try:
        line = [l for l in open(os.path.join(raw, f'{pre}_{m}_{n}_{r}.json')) if l.startswith('{')][-1]
        b.update(json.loads(line))
    except (OSError, IndexError, ValueError):
        pass
    b['peak_kb'] = rss(os.path.join(raw, f'{pre}_{m}_{n}_{r}.time'))
    rec['brian2_' + key] = b
print(json.dumps(rec))
EOF
    done
  done
done

python3 - "$records" "$T" "$threads" "$models" "$sizes" "$repeats" > "$tmp/table.md" <<'EOF'
import json, sys, subprocess, datetime, os
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
T, threads, models, sizes, repeats = sys.argv[2:]
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
def f(x, d=3):
    return '—' if x is None else (f'{x:.{d}f}' if isinstance(x, float) else str(x))
def ratio(b, g):
    return f'{b / g:.2f}' if b and g else '—'
def runs(r):  # a row's ganglion, Brian2 cpp_standalone and cython records ({} where none ran)
    return r['ganglion'], r.get('brian2_cpp') or {}, r.get('brian2_cython') or {}
def peak_mb(x):
    return f(x['peak_kb'] / 1024, 1) if x.get('peak_kb') else '—'
out = []
w = out.append
def header(columns, align):  # a table's first two lines; align: 'l' or 'r' per column
    w('| ' + ' | '.join(columns) + ' |')
    w('| ' + ' | '.join('---' if a == 'l' else '---:' for a in align) + ' |')
w('# ganglion against Brian2, side by side')
w('')
w('**The rates must agree before the times are compared**: a row whose rates differ by more than '
  '10 % in any population (ganglion against Brian2 C++ standalone, else cython) is flagged ⚠ and its '
  'times compare different dynamics.')
w('')
w(f'Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores '
  f'({cpu}), {threads} thread(s), {T} s of biological time, dt = 0.1 ms; made by `bench/peers.sh` '
  f'(models: {models}; N: {sizes}; repeats: {repeats}), runs alternating ganglion, Brian2 cpp_standalone, '
  'Brian2 cython per row. Times in seconds; ratios are Brian2 / ganglion (above 1: ganglion faster). '
  '"loop" is the simulation loop alone (ganglion: its summary; Brian2: `run_s`, its own measure of the run '
  'loop); "whole" is the wall time of the whole process (ganglion: setup, connectivity, loop, output; '
  'Brian2: import, code generation, compilation, binary). Rates in Hz, ganglion / Brian2. Peak MB is '
  "ganglion's peak RSS; bytes/synapse = (peak RSS - peak RSS of the same populations without projections) "
  '/ synapses, a peak-based estimate (it includes what connectivity generation holds at its peak).')
w('')
header(['model', 'N', 'ganglion loop', 'Brian2 cpp loop', 'ratio', 'cython loop', 'ratio',
        'ganglion whole', 'Brian2 cpp whole', 'ratio', 'rates E, I (ganglion / Brian2)', 'peak MB',
        'bytes/synapse'], 'lrrrrrrrrrlrr')
for r in recs:
    g, b, c = runs(r)
    ref = b if b.get('rate_E_Hz') is not None else c
    rates, flag = [], ''
    for p in ('E', 'I'):
        gv, bv = g['rates'].get(p), ref.get(f'rate_{p}_Hz')
        rates.append(f'{p} {f(gv, 2)} / {f(bv, 2)}')
        if gv is None or bv is None or (bv > 0 and abs(gv - bv) / bv > 0.10) or (bv == 0 and gv):
            flag = ' ⚠'
    bad = [k for k, v in (('ganglion', g), ('cpp', b), ('cython', c)) if v and v.get('rc') not in (0, None)]
    if bad:
        flag += ' (failed: ' + ', '.join(bad) + ')'
    w(f"| {r['model']}{flag} | {r['N']} | {f(g.get('loop_s'))} | {f(b.get('run_s'))} | "
      f"{ratio(b.get('run_s'), g.get('loop_s'))} | {f(c.get('run_s'))} | {ratio(c.get('run_s'), g.get('loop_s'))} | "
      f"{f(g.get('whole_s'))} | {f(b.get('whole_s'))} | {ratio(b.get('whole_s'), g.get('whole_s'))} | "
      f"{'; '.join(rates)} | {peak_mb(g)} | "
      f"{f(g.get('bytes_per_syn'), 1)} |")
if int(repeats) > 1:  # one row per model and N: medians over the repeats, and the ratios' spread
    from statistics import median
    w('')
    w(f'Medians over the {repeats} repeats (one row per model and N): median loop and whole-process '
      'times, the ratio of the medians, and the lowest and highest of the runs\' own ratios.')
    w('')
    header(['model', 'N', 'ganglion loop', 'Brian2 cpp loop', 'ratio', 'runs\' ratios',
            'ganglion whole', 'Brian2 cpp whole', 'ratio', 'runs\' ratios'], 'lrrrrlrrrl')
    keys = []
    for r in recs:
        if (r['model'], r['N']) not in keys:
            keys.append((r['model'], r['N']))
    for m, n in keys:
        rows = [runs(r) for r in recs if (r['model'], r['N']) == (m, n)]
        cells = []
        for gk, bk in (('loop_s', 'run_s'), ('whole_s', 'whole_s')):
            gs = [g.get(gk) for g, b, _ in rows if g.get(gk) and b.get(bk)]
            bs = [b.get(bk) for g, b, _ in rows if g.get(gk) and b.get(bk)]
            each = sorted(bv / gv for gv, bv in zip(gs, bs))
            gm, bm = (median(gs), median(bs)) if gs else (None, None)
            cells += [f(gm), f(bm), ratio(bm, gm),
                      f'{each[0]:.2f} to {each[-1]:.2f}' if each else '—']
        w(f'| {m} | {n} | ' + ' | '.join(cells) + ' |')
w('')
w('Details: synapses (ganglion / Brian2), ganglion setup (connectivity) and CPU time (user + system) of '
  "the whole process, Brian2's compile_s (code generation + make) and total_in_process_s, "
  "Brian2's peak RSS, cython's whole process, the 1-minute load average before the row.")
w('')
header(['model', 'N', 'synapses ganglion / Brian2', 'ganglion setup', 'ganglion CPU',
        'Brian2 cpp compile', 'Brian2 cpp total in process', 'Brian2 cpp peak MB', 'cython whole',
        'cython compile', 'load'], 'lrlrrrrrrrr')
for r in recs:
    g, b, c = runs(r)
    syn_b = b.get('synapses', c.get('synapses'))
    w(f"| {r['model']} | {r['N']} | {f(g.get('synapses'))} / {f(syn_b)} | {f(g.get('setup_s'))} | "
      f"{f(g.get('cpu_s'))} | {f(b.get('compile_s'))} | {f(b.get('total_in_process_s'))} | "
      f"{peak_mb(b)} | {f(c.get('whole_s'))} | "
      f"{f(c.get('compile_s'))} | {r['load1']:.2f} |")
print('\n'.join(out))
EOF

if [ "$out" = - ]; then cat "$tmp/table.md"; else cp "$tmp/table.md" "$out"; cat "$out"; fi
