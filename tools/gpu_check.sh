#!/usr/bin/env bash
# The GPU tests on a lent device machine, where the project's own dependencies (Boost, HDF5) are
# not installed: builds the CUDA sources, the plugins' CUDA companions and the GPU tests standalone
# with nvcc (sm_90 machine code and compute_90 PTX) and runs them, failing where a test fails or
# skips.
#
# usage: tools/gpu_check.sh --prepare   here: copies doctest into .gpucheck/ (add "/.gpucheck/" to
#                                        .git/info/exclude), which the device call must carry
#        tools/gpu_check.sh             there: build and run; logs and table.md (each GPU test, its
#                                       result and seconds) under $OUT (or /tmp/gpu_check)
set -o pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --prepare ]; then
  mkdir -p .gpucheck/doctest && cp /usr/include/doctest/doctest.h .gpucheck/doctest/ && exit 0
  exit 1
fi
OUT=${OUT:-/tmp/gpu_check}
mkdir -p "$OUT"
export PATH=/usr/local/cuda/bin:$PATH
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | tee "$OUT/gpu.txt"
nvcc --version | tail -1
work=$(mktemp -d /tmp/gg_check.XXXXXX) # this run's objects, companions and test binary
printf '#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN\n#include <doctest/doctest.h>\n' >"$work/main.cpp"
flags="-std=c++20 -O2 -fmad=false --expt-relaxed-constexpr -Xcompiler -ffp-contract=off"
flags="$flags -DGANGLION_HAVE_CUDA -I framework/include"
flags="$flags -I framework/src -I plugins -I gpu -I tests/gpu -I .gpucheck"
objs=()
for cu in $(find gpu -name '*.cu'); do
  o=$work/$(basename "$cu" .cu).o
  nvcc $flags -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
    -c "$cu" -o "$o" 2>&1 | tee -a "$OUT/build.log" || { echo "BUILD FAILED: $cu"; exit 1; }
  objs+=("$o")
done
# The plugins' CUDA companions, as ganglion_add_plugin builds them, for the tests that open them.
export GANGLION_COMPANION_DIR=$work/companions
mkdir -p "$GANGLION_COMPANION_DIR"
for cu in $(find plugins -name '*.cu'); do
  name=$(basename "$(dirname "$cu")")
  nvcc $flags -cudart shared -shared -Xcompiler -fPIC,-fvisibility=hidden \
    -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90 \
    "$cu" -o "$GANGLION_COMPANION_DIR/libganglion_${name}_cuda.so" 2>&1 |
    tee -a "$OUT/build.log" || { echo "BUILD FAILED: $cu"; exit 1; }
done
nvcc $flags -cudart shared tests/gpu/test_*.cpp "$work/main.cpp" "${objs[@]}" -ldl \
  -o "$work/gpu_tests" 2>&1 | tee -a "$OUT/build.log" || { echo "BUILD FAILED: tests"; exit 1; }
"$work/gpu_tests" -s 2>&1 | tee "$OUT/test.log"
rc=$?
# The table: each GPU test alone, its result and wall time (the first run above has the detail; a
# test's name holds no comma, which doctest's -tc would take for two filters).
{
  echo "| GPU test | result | seconds |"
  echo "|---|---|---:|"
  "$work/gpu_tests" -ltc --no-version 2>/dev/null | grep -E '^gpu: ' | while IFS= read -r name; do
    t0=$(date +%s.%N)
    out=$("$work/gpu_tests" -tc="$name" 2>&1)
    t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    if ! grep -qE "test cases: +1 " <<<"$out"; then r="not run (the name as a filter)"
    elif grep -q "GPU TEST SKIPPED" <<<"$out"; then r=skipped
    elif grep -q "Status: SUCCESS" <<<"$out"; then r=passed
    else r=FAILED; fi
    printf '| %s | %s | %.2f |\n' "$name" "$r" "$t"
  done
} > "$OUT/table.md"
cat "$OUT/table.md"
if grep -q "GPU TEST SKIPPED" "$OUT/test.log"; then echo "a GPU test skipped itself"; exit 1; fi
exit $rc
