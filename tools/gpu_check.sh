#!/usr/bin/env bash
# The GPU tests on a lent device machine, where the project's own dependencies (Boost, HDF5) are
# not installed: builds the CUDA sources, the plugins' CUDA companions and the GPU tests standalone
# with nvcc (sm_90 machine code and compute_90 PTX) and runs them, failing where a test fails or
# skips; and runs the real `ganglion`, built here and carried over with the libraries it needs.
#
# usage: tools/gpu_check.sh --prepare   here, after `cmake --build build`: copies doctest and
#                                        installs the build (ganglion, its plugins and their CUDA
#                                        companions) with the shared libraries a CUDA image lacks
#                                        (Boost, HDF5 and theirs; not glibc or libstdc++, which the
#                                        device's newer system has) into .gpucheck/ (add
#                                        "/.gpucheck/" to .git/info/exclude), which the device call
#                                        must carry (about 30 MiB)
#        tools/gpu_check.sh             there: build and run; logs and table.md (each GPU test, its
#                                       result and seconds) under $OUT (or /tmp/gpu_check)
set -o pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = --prepare ]; then
  rm -rf .gpucheck && mkdir -p .gpucheck/doctest .gpucheck/ganglion/deps || exit 1
  cp /usr/include/doctest/doctest.h .gpucheck/doctest/ || exit 1
  cmake --install build --prefix .gpucheck/ganglion >/dev/null || exit 1
  rm -rf .gpucheck/ganglion/include .gpucheck/ganglion/lib/cmake
  find .gpucheck/ganglion -name '*.so*' -type f -o -name ganglion -type f | xargs ldd |
    awk '/=> \// {print $3}' | sort -u |
    grep -v -E '/(libc|libm|libstdc\+\+|libgcc_s|libpthread|libdl|librt|libresolv|libcudart|libganglion)[.-]' |
    xargs -I{} cp -L {} .gpucheck/ganglion/deps/ || exit 1
  du -sh .gpucheck
  exit 0
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
# The real ganglion carried over: its libraries resolve here and it runs a config (on the CPU
# until the device engine runs "cuda").
g=.gpucheck/ganglion
if [ -x "$g/bin/ganglion" ]; then
  LD_LIBRARY_PATH=$g/deps "$g/bin/ganglion" describe lif 2>&1 | head -3 | tee "$OUT/ganglion.log"
  LD_LIBRARY_PATH=$g/deps "$g/bin/ganglion" run configs/balanced_eif.json --set \
    simulation.duration="200 ms" -o "$OUT/balanced_eif.h5" 2>&1 | tail -3 | tee -a "$OUT/ganglion.log"
  echo "| the carried ganglion runs configs/balanced_eif.json (200 ms, cpu) | $([ -s "$OUT/balanced_eif.h5" ] && echo passed || echo FAILED) | |" >>"$OUT/table.md"
  [ -s "$OUT/balanced_eif.h5" ] || rc=1
else
  echo "| the carried ganglion (tools/gpu_check.sh --prepare) | not carried | |" >>"$OUT/table.md"
fi
tail -1 "$OUT/table.md"
if grep -q "GPU TEST SKIPPED" "$OUT/test.log"; then echo "a GPU test skipped itself"; exit 1; fi
exit $rc
