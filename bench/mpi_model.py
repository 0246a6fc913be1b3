"""The cost of one step of ganglion on K MPI ranks, by term (bench/MPI.md, "A model of the
exchange"), for the reference balanced network weak-scaled: n neurons per rank, in-degree C, mean
rate nu. Prints a markdown table of the per-rank times per step and the weak-scaling efficiency.

usage: python3 bench/mpi_model.py [--n 100000] [--indegree 1000] [--rate 7.5]
       [--update-ns 1.4] [--event-ns 11] [--walk-ns 100] [--hop-us 1.5] [--gbps 10]
"""
import argparse
import math

p = argparse.ArgumentParser()
p.add_argument("--n", type=float, default=1e5, help="neurons per rank")
p.add_argument("--indegree", type=float, default=1000)
p.add_argument("--rate", type=float, default=7.5, help="mean rate, Hz")
p.add_argument("--dt", type=float, default=0.1, help="ms")
p.add_argument("--projections-out", type=float, default=2, help="outgoing projections a population has")
p.add_argument("--update-ns", type=float, default=1.4, help="a neuron's step")
p.add_argument("--event-ns", type=float, default=11, help="a synapse event (rows out of cache)")
p.add_argument("--walk-ns", type=float, default=100, help="a spike's row looked up on a rank (a miss)")
p.add_argument("--hop-us", type=float, default=1.5, help="latency of one round of the allgather")
p.add_argument("--gbps", type=float, default=10, help="bytes a rank receives per second, GB/s")
p.add_argument("--ranks", default="1,2,10,100,1000")
a = p.parse_args()

dt_s = a.dt * 1e-3
print("| ranks K | neurons | spikes a step (all ranks) | update | delivery | spike walk | "
      "exchange | step | exchange share | weak-scaling efficiency |")
print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
base = None
for k in [int(x) for x in a.ranks.split(",")]:
    n_total = a.n * k
    spikes = n_total * a.rate * dt_s                      # S, every rank looks at each
    update = a.n * a.update_ns * 1e-3                     # us
    delivery = a.n * a.indegree * a.rate * dt_s * a.event_ns * 1e-3
    walk = spikes * a.projections_out * a.walk_ns * 1e-3 if k > 1 else 0.0
    latency = a.hop_us * math.ceil(math.log2(k)) if k > 1 else 0.0
    exchange = latency + 4 * spikes / (a.gbps * 1e3) if k > 1 else 0.0   # 4 bytes a spike
    step = update + delivery + walk + exchange
    base = base or step
    print(f"| {k} | {n_total:.3g} | {spikes:,.0f} | {update:.0f} us | {delivery:.0f} us | "
          f"{walk:.0f} us | {exchange:.1f} us | {step:.0f} us | {100 * exchange / step:.1f} % | "
          f"{base / step:.2f} |")
