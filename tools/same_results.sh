#!/usr/bin/env bash
# Proves a change preserves behaviour: runs every experiment of configs/ and bench/ (but the
# full-scale microcircuit) with two ganglion binaries (before and after the change), at 1 and at 2
# threads, and compares the two output files of each run with h5diff (every dataset and
# attribute, bit for bit). Of the root
# attributes, those both files have are compared, the plugins' library paths and ABI versions
# aside: they name each binary's own build.
#
# usage: tools/same_results.sh OLD_GANGLION NEW_GANGLION [THREADS...]    (THREADS: 1 2 by default)
# e.g.   git worktree add /tmp/old HEAD~3 && cmake -S /tmp/old -B /tmp/old/build && \
#        cmake --build /tmp/old/build -j2 && tools/same_results.sh /tmp/old/build/bin/ganglion build/bin/ganglion
# Exit 0 when every pair of files is identical; prints one line per run.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { sed -n 2,11p "$0"; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
for b in "$old" "$new"; do [ -x "$b" ] || { echo "not an executable: $b" >&2; exit 2; }; done
command -v h5diff >/dev/null || { echo "h5diff is missing: apt-get install hdf5-tools" >&2; exit 2; }

# The root attributes FILE has among the provenance ganglion writes, one per line; library paths
# reduced to their file names, ABI versions left out.
root_attributes() {
  local name
  for name in experiment seed version backends status plugins host threads recorded_ms rng; do
    h5dump -a "/$name" "$1" >/dev/null 2>&1 || continue
    echo "$name: $(h5dump -a "/$name" "$1" | sed -n '/DATA {/,/}/p' | tr -d '\n' |
      sed -E 's#("path": ?")[^"]*/#\1#g; s#"abi": ?"[0-9.]*"#"abi"#g')"
  done
}

# Lines of root_attributes both files have, the first file's version; then the second's.
common_root_attributes() {
  local a b
  a=$(root_attributes "$1") b=$(root_attributes "$2")
  local names
  names=$(comm -12 <(cut -d: -f1 <<<"$a" | sort) <(cut -d: -f1 <<<"$b" | sort))
  for n in $names; do grep "^$n:" <<<"$a"; done
  echo ---
  for n in $names; do grep "^$n:" <<<"$b"; done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old" "$work/new"
root=$PWD
failed=0
for config in configs/*.json bench/*.json; do
  # The full-scale microcircuit needs minutes and 2.5 GB a run; its scaled variant stands for it.
  [ "$config" = configs/microcircuit.json ] && continue
  for t in "${threads[@]}"; do
    name="$(basename "$config" .json) -t $t"
    # The same relative output path in each folder: the resolved experiment, stored in the file,
    # names it, so it must not differ between the two runs.
    for side in old new; do
      bin=$old
      [ $side = new ] && bin=$new
      (cd "$work/$side" && "$bin" run "$root/$config" -t "$t" -o out.h5 >run.log 2>&1)
      echo $? >"$work/$side/rc"
    done
    if [ "$(cat "$work/old/rc")" != "$(cat "$work/new/rc")" ]; then
      echo "DIFFERENT exit codes ($(cat "$work/old/rc") and $(cat "$work/new/rc")): $name"
      failed=1
    # h5diff skips datasets of different shapes ("not comparable", exit 0), so the objects and
    # their shapes are compared too (h5ls -r lists both).
    elif ! h5diff --exclude-attribute / "$work/old/out.h5" "$work/new/out.h5" >/dev/null 2>&1 ||
      [ "$(cd "$work/old" && h5ls -r out.h5)" != "$(cd "$work/new" && h5ls -r out.h5)" ]; then
      echo "DIFFERENT output files: $name"
      failed=1
    elif ! attributes=$(common_root_attributes "$work/old/out.h5" "$work/new/out.h5") ||
      [ "$(sed '/^---$/,$d' <<<"$attributes")" != "$(sed '1,/^---$/d' <<<"$attributes")" ]; then
      echo "DIFFERENT root attributes: $name"
      failed=1
    else
      echo "same: $name"
    fi
    rm -f "$work"/old/out.h5 "$work"/new/out.h5
  done
done
exit $failed
