// Micro-benchmark behind the kernel's owner mode (docs/design.md, "One step"): what it costs when
// one core scatters synaptic input into conductances that the other core then steps.
//
// N neurons with COBA's state (V, refractory step, two conductances) are stepped by a loop like
// lif's (phase 1), then S synapses a step are scattered into g_e and S/3 into g_i at fixed random
// targets (phase 2), for 20000 steps. Modes:
//   0  one thread does everything;
//   1  two threads, each stepping half the neurons; in phase 2 one delivers into g_e and the other
//      into g_i, over all targets (as two projections on two threads: half the lines written
//      belong to the other core's half);
//   2  two threads, each delivering only the synapses onto its own half (owner computes);
//   3  two threads, phase 1 only (the barriers and the neuron loop, no delivery).
//
// Build and run (2 cores, 16000 neurons, 2700 synapses a step as COBA at N = 16000):
//   g++ -O3 -march=native -std=c++20 bench/owner_scatter.cpp -o /tmp/owner_scatter -lpthread
//   for m in 0 1 2 3; do /tmp/owner_scatter $m 16000 2700; done
#include <atomic>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

namespace {

struct Barrier {
  std::atomic<int> count{0}, gen{0};
  int n = 1;
  void wait() {
    const int g = gen.load();
    if (count.fetch_add(1) + 1 == n) {
      count = 0;
      gen.fetch_add(1);
    } else {
      while (gen.load() == g) { // spin, as the kernel's pool does between batches
#if defined(__x86_64__)
        __builtin_ia32_pause();
#endif
      }
    }
  }
};

// Phase 1 for neurons [b, e): a loop like lif's with two conductance channels (vectorised, as
// -fopt-info-vec says).
long step_neurons(double *__restrict x, const double *__restrict u, double *__restrict a,
                  double *__restrict c, std::size_t b, std::size_t e, double now) {
  long crossed = 0;
  for (std::size_t i = b; i < e; ++i) {
    const double g1 = a[i], g2 = c[i];
    a[i] = g1 * 0.98;
    c[i] = g2 * 0.99;
    const double input = g1 * (0 - x[i]) + g2 * (-80 - x[i]);
    double v = x[i] * 0.995 - 0.3 + 0.1 * input;
    v = u[i] <= now ? v : -60; // a select, no branch
    x[i] = v;
    // v > -50 from the sign bit of -50 - v: a comparison here would stop the vectoriser.
    crossed += long(std::bit_cast<uint64_t>(-50.0 - v) >> 63);
  }
  return crossed;
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: owner_scatter MODE(0-3) N SYNAPSES_PER_STEP\n");
    return 2;
  }
  const int mode = std::atoi(argv[1]), S = std::atoi(argv[3]), steps = 20000;
  const std::size_t N = std::size_t(std::atoll(argv[2]));
  std::vector<double> V(N, -60), until(N, 0), ge(N, 0.01), gi(N, 0.01);
  // 64 steps' targets, reused cyclically; and the same synapses split by owner (order kept).
  std::vector<uint32_t> target(std::size_t(S) * 64);
  std::mt19937 rng(1);
  for (auto &t : target)
    t = uint32_t(rng() % N);
  std::vector<std::vector<uint32_t>> own(2 * 64);
  for (int s = 0; s < 64; ++s)
    for (int k = 0; k < S; ++k) {
      const uint32_t j = target[std::size_t(s) * std::size_t(S) + std::size_t(k)];
      own[std::size_t(s) * 2 + (j >= N / 2)].push_back(j);
    }
  const int threads = mode == 0 ? 1 : 2;
  Barrier barrier;
  barrier.n = threads;
  const auto phase1 = [&](std::size_t b, std::size_t e, int step) {
    return step_neurons(V.data(), until.data(), ge.data(), gi.data(), b, e, double(step));
  };
  const auto run = [&](int t) {
    long sum = 0;
    for (int s = 0; s < steps; ++s) {
      const std::size_t b = N * std::size_t(t) / std::size_t(threads);
      const std::size_t e = N * std::size_t(t + 1) / std::size_t(threads);
      sum += phase1(b, e, s);
      if (threads > 1) barrier.wait();
      const uint32_t *tg = target.data() + std::size_t(s % 64) * std::size_t(S);
      if (mode == 0) {
        for (int k = 0; k < S; ++k)
          ge[tg[k]] += 0.001;
        for (int k = 0; k < S / 3; ++k)
          gi[tg[k]] += 0.001;
      } else if (mode == 1) {
        if (t == 0)
          for (int k = 0; k < S; ++k)
            ge[tg[k]] += 0.001;
        else
          for (int k = 0; k < S / 3; ++k)
            gi[tg[k]] += 0.001;
      } else if (mode == 2) {
        const auto &mine = own[std::size_t(s % 64) * 2 + std::size_t(t)];
        for (uint32_t j : mine)
          ge[j] += 0.001;
        for (std::size_t k = 0; k < mine.size() / 3; ++k)
          gi[mine[k]] += 0.001;
      }
      if (threads > 1) barrier.wait();
    }
    return sum;
  };
  const auto t0 = std::chrono::steady_clock::now();
  long sum = 0;
  if (threads == 1) {
    sum = run(0);
  } else {
    long other = 0;
    std::thread worker([&] { other = run(1); });
    sum = run(0);
    worker.join();
    sum += other;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("mode %d N %zu synapses %d: %.3f us a step (checksum %ld)\n", mode, N, S,
              s / steps * 1e6, sum);
  return 0;
}
