#!/usr/bin/env bash
# The full-scale Potjans-Diesmann microcircuit (configs/microcircuit.json) in ganglion, NEST and
# Brian2 C++ standalone, side by side on one machine, one simulator at a time. In this order:
# ganglion, NEST, Brian2 cpp_standalone, ganglion again (the second ganglion run shows the drift of
# the machine over the half hour the peers take); then a markdown table.
#
# The peers are not part of this repository:
#   NEST_PD14  the executable of a C++ driver of NEST's microcircuit example (NEST's C++ API;
#              `nest_pd14 T_ms THREADS [SEED]`, one JSON line: create/connect/prepare/run times
#              and the 8 rates over (500, T] ms)
#   PEERS      the folder of the Brian2 peer scripts: pd14.py (`pd14.py SCALE T MODE --threads K`,
#              one JSON line: setup_s, compile_s, binary_s, run_s, rates over (0.5 s, T]) and the
#              common.py it imports; run with Debian's python3-brian (/usr/bin/python3)
#
# Recorded per run (each under /usr/bin/time -v): setup (each simulator's own measure of what
# comes before its loop: ganglion's "setup"; NEST create + connect + prepare; Brian2 Python
# network building + code generation and make + the binary's time outside its run loop), loop
# (ganglion's summary; NEST's run; Brian2's run_s), the real-time factor loop / T, the
# whole-process wall time, peak memory and the 8 rates over (500, T] ms (ganglion: `ganglion
# analyze --from 500`). Peak memory: ganglion's and NEST's peak RSS; Brian2's is the largest sum
# of RSS over its process tree (Python holds the network while the compiled binary runs), sampled
# every second by the watchdog below, next to the largest single process (/usr/bin/time -v).
#
# Brian2 runs under a memory watchdog: when its process tree's RSS passes the cap (-M, GB), or the
# machine's available memory falls below 1 GB, or it runs past -L seconds, its process group is
# killed and the table records how far it got (Python building, compiling, or the binary) and the
# memory at that moment instead of times.
#
# usage: bench/microcircuit_peers.sh [options]
#   -T SECONDS   biological time, default 1.5 (rates over (0.5 s, T])
#   -t THREADS   ganglion's threads and Brian2's OpenMP threads, default 2
#   -n THREADS   NEST's threads, default 4 (the full circuit needs at least 3 in NEST: at most
#                134,217,726 connections per thread and synapse model)
#   -M GIB       Brian2's memory cap (RSS of its process tree), GiB, default 18
#   -L SECONDS   Brian2's time limit, default 2700
#   -N           skip NEST        -B   skip Brian2        -G   one ganglion run only
#   -o FILE      write the table there too (default: stdout only)
#   -k DIR       keep raw outputs (summaries, JSON lines, time -v, watchdog log) in DIR
#   -R DIR       run nothing: make the table again from the raw outputs kept in DIR by -k
# Needs build/bin/ganglion (or GANGLION=path), /usr/bin/time, NEST_PD14 and PEERS (unless skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

T=1.5; threads=2; nest_threads=4; cap_gb=18; limit=2700; do_nest=1; do_brian=1; twice=1
out=""; keep=""; remake=""
while getopts "T:t:n:M:L:NBGo:k:R:h" opt; do
  case $opt in
    T) T=$OPTARG ;; t) threads=$OPTARG ;; n) nest_threads=$OPTARG ;; M) cap_gb=$OPTARG ;;
    L) limit=$OPTARG ;; N) do_nest=0 ;; B) do_brian=0 ;; G) twice=0 ;;
    o) out=$OPTARG ;; k) keep=$OPTARG ;; R) remake=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
  esac
done

[ -n "$remake" ] && { do_nest=0; do_brian=0; }
G=${GANGLION:-$root/build/bin/ganglion}
PY=${BRIAN_PYTHON:-/usr/bin/python3}
[ -n "$remake" ] || [ -x "$G" ] || { echo "microcircuit_peers.sh: no $G (build first, or set GANGLION)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "microcircuit_peers.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
if [ $do_nest = 1 ]; then
  [ -n "${NEST_PD14:-}" ] && [ -x "${NEST_PD14}" ] || {
    echo "microcircuit_peers.sh: set NEST_PD14 to the nest_pd14 executable (a C++ driver of NEST's" \
      "microcircuit example, built against NEST), e.g. NEST_PD14=/path/to/nest_pd14 $0; or -N to skip NEST" >&2
    exit 1
  }
fi
if [ $do_brian = 1 ]; then
  [ -n "${PEERS:-}" ] && [ -f "$PEERS/pd14.py" ] && [ -f "$PEERS/common.py" ] || {
    echo "microcircuit_peers.sh: set PEERS to the folder of the Brian2 peer scripts (pd14.py and the" \
      "common.py it imports), e.g. PEERS=/path/to/peers/brian2 $0; or -B to skip Brian2" >&2
    exit 1
  }
  "$PY" -c 'import brian2' 2>/dev/null || {
    echo "microcircuit_peers.sh: $PY cannot import brian2 (apt-get install python3-brian)" >&2; exit 1; }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
raw=${remake:-${keep:-$tmp/raw}}; mkdir -p "$raw"
T_ms=$(python3 -c "print(round($T * 1000, 6))")
log() { echo "microcircuit_peers.sh: $(date -u +%H:%M:%S) $*" >&2; }
now() { date +%s.%N; }
since() { python3 -c "print(round($(now) - $1, 3))"; }
load() { cut -d' ' -f1 /proc/loadavg; }

run_ganglion() {  # tag
  local tag=$1 s0 rc=0
  log "$tag: ganglion, $threads threads"
  echo "load1 $(load)" > "$raw/$tag.meta"
  s0=$(now)
  /usr/bin/time -v -o "$raw/$tag.time" "$G" run configs/microcircuit.json -o "$tmp/$tag.h5" -t "$threads" \
    --set "simulation.duration=$T_ms ms" > "$raw/$tag.txt" 2> "$raw/$tag.err" || rc=$?
  echo "rc $rc" >> "$raw/$tag.meta"; echo "whole_s $(since "$s0")" >> "$raw/$tag.meta"
  [ $rc = 0 ] && "$G" analyze "$tmp/$tag.h5" --from 500 > "$raw/$tag.analyze" 2>&1 || true
  rm -f "$tmp/$tag.h5"
}

run_nest() {
  local s0 rc=0
  log "nest: $nest_threads threads"
  echo "load1 $(load)" > "$raw/nest.meta"
  s0=$(now)
  /usr/bin/time -v -o "$raw/nest.time" "$NEST_PD14" "$T_ms" "$nest_threads" > "$raw/nest.json" 2> "$raw/nest.err" || rc=$?
  echo "rc $rc" >> "$raw/nest.meta"; echo "whole_s $(since "$s0")" >> "$raw/nest.meta"
}

run_brian() {
  local s0 rc=0 pid sid cap_kb=$((cap_gb * 1024 * 1024)) peak=0 phase="" last="" why="" sum avail t0
  log "brian2: cpp_standalone, $threads threads, cap ${cap_gb} GiB, limit ${limit} s"
  echo "load1 $(load)" > "$raw/brian2.meta"
  # The peers' folder may be read-only and Brian2 writes there: run a copy.
  mkdir -p "$tmp/peers" && cp "$PEERS"/*.py "$tmp/peers/"
  s0=$(now); t0=$SECONDS
  mkdir -p "$tmp/b2tmp"  # Brian2's build folder (tempfile), removed with $tmp even when killed
  # brian2_alone.py runs pd14.py unchanged but lets go of Python's copy of the network before the
  # compiled binary loads its own: both at once do not fit in 24 GB.
  (cd "$tmp/peers" && TMPDIR=$tmp/b2tmp exec setsid /usr/bin/time -v -o "$raw/brian2.time" "$PY" "$root/bench/brian2_alone.py" pd14.py 1 "$T" cpp_standalone \
    --threads "$threads" > "$raw/brian2.json" 2> "$raw/brian2.err") &
  pid=$!
  sleep 0.2; sid=$(ps -o sid= -p "$pid" | tr -d ' ' || true)
  : > "$raw/brian2.watch"
  while kill -0 "$pid" 2>/dev/null; do
    # the tree: time, python, then make/cc1plus (compiling) or main (the compiled binary)
    read -r sum phase < <(ps -e -o sid=,rss=,comm= | awk -v s="$sid" '$1 == s {
        r += $2; if ($3 == "main") b = 1; else if ($3 ~ /^(make|cc1plus|g\+\+|c\+\+|as|ld|collect2)$/) c = 1 }
      END { print r + 0, (b ? "binary" : (c ? "compiling" : "python")) }')
    [ "$sum" -gt "$peak" ] && peak=$sum
    [ "$phase" != "$last" ] && { echo "$((SECONDS - t0)) s: $phase" >> "$raw/brian2.watch"; last=$phase; }
    avail=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
    if [ "$sum" -gt "$cap_kb" ]; then why="memory cap (${cap_gb} GiB) passed"; fi
    if [ "$avail" -lt 1048576 ]; then why="machine's available memory below 1 GB"; fi
    if [ $((SECONDS - t0)) -gt "$limit" ]; then why="time limit (${limit} s) passed"; fi
    if [ -n "$why" ]; then
      echo "$((SECONDS - t0)) s: killed, $why, during $phase, tree RSS $sum kB, available $avail kB" >> "$raw/brian2.watch"
      log "brian2: killed: $why during $phase (tree RSS $((sum / 1024)) MB)"
      kill -KILL -- "-$sid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 1
  done
  wait "$pid" || rc=$?
  { echo "rc $rc"; echo "whole_s $(since "$s0")"; echo "tree_peak_kb $peak"; echo "phase $last";
    echo "killed ${why:-}"; } >> "$raw/brian2.meta"
  rm -rf "$tmp/b2tmp"
}

if [ -z "$remake" ]; then
  run_ganglion ganglion1
  [ $do_nest = 1 ] && run_nest
  [ $do_brian = 1 ] && run_brian
  [ $twice = 1 ] && run_ganglion ganglion2
  date -u '+%Y-%m-%d %H:%M' > "$raw/end"
fi

python3 - "$raw" "$T" "$threads" "$nest_threads" "$cap_gb" > "$tmp/table.md" <<'EOF'
import datetime, json, os, re, sys
raw, T, threads, nest_threads, cap = sys.argv[1:]
T = float(T)
pops = ['L23E', 'L23I', 'L4E', 'L4I', 'L5E', 'L5I', 'L6E', 'L6I']
def read(name):
    try:
        return open(os.path.join(raw, name)).read()
    except OSError:
        return ''
def meta(tag):
    return dict(l.split(' ', 1) for l in read(tag + '.meta').splitlines() if ' ' in l)
def cpu_pct(tag):
    x = re.search(r'Percent of CPU this job got: (\d+)%', read(tag + '.time'))
    return x.group(1) if x else None
def rss_kb(tag):
    x = re.search(r'Maximum resident set size \(kbytes\): (\d+)', read(tag + '.time'))
    return int(x.group(1)) if x else None
def jline(tag):
    lines = [l for l in read(tag + '.json').splitlines() if l.startswith('{')]
    return json.loads(lines[-1]) if lines else {}
runs = []
for tag in ('ganglion1', 'nest', 'brian2', 'ganglion2'):
    m = meta(tag)
    if not m:
        continue
    r = dict(tag=tag, rc=int(m.get('rc', -1)), whole=float(m.get('whole_s', 'nan')), load=m.get('load1'),
             peak_kb=rss_kb(tag), cpu=cpu_pct(tag), setup=None, loop=None, rates=None, note='')
    if tag.startswith('ganglion'):
        r['name'] = f'ganglion ({threads} threads)'
        txt = read(tag + '.txt')
        x = re.search(r'simulated ([0-9.]+) ms in ([0-9.e+-]+) s', txt)
        r['loop'] = float(x.group(2)) if x else None
        x = re.search(r'setup ([0-9.e+-]+) s', txt)
        r['setup'] = float(x.group(1)) if x else None
        a = read(tag + '.analyze')
        a = a[a.find('spike statistics'):]
        got = dict(re.findall(r'^\s+(L\d+[EI])\s+[0-9,]+\s+[0-9,]+\s+([0-9.]+)', a, re.M))
        r['rates'] = [float(got[p]) if p in got else None for p in pops]
        x = re.search(r'synapses: ([0-9,]+)', txt)
        r['note'] = f"{x.group(1)} synapses" if x else ''
    elif tag == 'nest':
        r['name'] = f'NEST ({nest_threads} threads)'
        j = jline(tag)
        if j:
            r['setup'] = j['create_s'] + j['connect_s'] + j['prepare_s']
            r['loop'] = j['run_s']
            r['rates'] = j['rates']
            r['note'] = f"create {j['create_s']:.1f}, connect {j['connect_s']:.1f}, prepare {j['prepare_s']:.1f} s; {j['synapses']:,} synapses"
    else:
        r['name'] = f'Brian2 cpp_standalone ({threads} threads)'
        j = jline(tag)
        r['tree_kb'] = int(m.get('tree_peak_kb', 0)) or None
        if j:
            r['setup'] = j['setup_s'] + j['compile_s'] + (j['binary_s'] - j['run_s'])
            r['loop'] = j['run_s']
            r['rates'] = j['rates_Hz']
            r['note'] = (f"import {j['import_s']:.1f}, Python network {j['setup_s']:.1f}, code generation + make "
                         f"{j['compile_s']:.1f}, binary {j['binary_s']:.1f} s (of it the loop {j['run_s']:.1f}); "
                         f"{j['synapses']:,} synapses")
            alone = re.search(r'brian2_alone: (.*)', read('brian2.err'))
            if alone:
                r['note'] += '; ' + alone.group(1)
        if m.get('killed', '').strip():
            r['note'] = f"killed: {m['killed'].strip()} during {m.get('phase', '?')}"
        elif r['rc'] != 0:
            r['note'] = f"failed (exit {r['rc']}) during {m.get('phase', '?')}: " + (read('brian2.err').strip().splitlines() or [''])[-1][:200]
    runs.append(r)

def f(x, d=1):
    return '—' if x is None else f'{x:.{d}f}'
def gb(kb):
    return '—' if not kb else f'{kb / 1e6:.2f}'
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')
g = [r for r in runs if r['tag'].startswith('ganglion') and r['loop']]
def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None
g_loop, g_whole = mean([r['loop'] for r in g]), mean([r['whole'] for r in g])
g_rates = [mean([r['rates'][i] for r in g if r['rates']]) for i in range(8)] if g else [None] * 8
w = []
end = read('end').strip() or f'{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}'
w.append(f"Measured {end} UTC (the end of the runs) on "
         f"{os.cpu_count()} cores ({cpu}); T = {T:g} s of biological time, dt = 0.1 ms; runs one at a time in "
         "the order of the rows. Times in seconds; the real-time factor is loop / T (above 1: slower than real "
         "time). CPU: the share of a core the whole process got (/usr/bin/time; 200 % = both cores). Memory: peak RSS, GB (10^9 bytes); for Brian2 the largest sum over its process tree (Python and the "
         "compiled binary together), the largest single process in brackets. Rates in Hz over (0.5 s, T].")
w.append('')
w.append('| run | setup | loop | real-time factor | whole process | CPU | peak memory | ' + ' | '.join(pops) + ' | load before |')
w.append('|---|' + '---:|' * 6 + '---:|' * 8 + '---:|')
for r in runs:
    mem = gb(r['peak_kb'])
    if r['tag'] == 'brian2':
        mem = f"{gb(r.get('tree_kb'))} ({gb(r['peak_kb'])})"
    rates = r['rates'] or [None] * 8
    name = r['name'] + ('' if r['rc'] == 0 else ' ⚠ ' + ('killed' if 'killed' in r['note'] else 'failed'))
    rtf = r['loop'] / T if r['loop'] else None
    w.append(f"| {name} | {f(r['setup'])} | {f(r['loop'])} | {f(rtf)} | {f(r['whole'])} | {r['cpu'] + ' %' if r['cpu'] else '—'} | {mem} | "
             + ' | '.join(f(x, 2) for x in rates) + f" | {r['load'] or '—'} |")
w.append('')
w.append(f"Ratios to ganglion (the mean of its {len(g)} run(s): loop {f(g_loop)} s, whole {f(g_whole)} s); "
         "above 1: ganglion faster.")
w.append('')
w.append('| peer | loop / ganglion loop | whole / ganglion whole | populations whose rate differs from ganglion\'s by more than 10 % |')
w.append('|---|---:|---:|---|')
for r in runs:
    if r['tag'] in ('nest', 'brian2'):
        lr = f"{r['loop'] / g_loop:.1f}" if r['loop'] and g_loop else '—'
        wr = f"{r['whole'] / g_whole:.1f}" if r['rc'] == 0 and g_whole else '—'
        off = []
        if r['rates']:
            for p, x, y in zip(pops, r['rates'], g_rates):
                if x is not None and y and abs(x - y) / y > 0.10:
                    off.append(f'{p} ({x:.2f} against {y:.2f}, {100 * (x - y) / y:+.0f} %)')
        w.append(f"| {r['name']} | {lr} | {wr} | {', '.join(off) if r['rates'] else '—'}{'' if off or not r['rates'] else 'none'} |")
notes = [r for r in runs if r['note']]
if notes:
    w.append('')
    for r in notes:
        w.append(f"- {r['name']}: {r['note']}")
watch = read('brian2.watch').strip()
if watch:
    w.append(f"- Brian2's phases (seconds from its start): " + '; '.join(watch.splitlines()))
print('\n'.join(w))
EOF

[ -n "$out" ] && cp "$tmp/table.md" "$out"
cat "$tmp/table.md"
