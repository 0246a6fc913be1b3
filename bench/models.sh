# The benchmark models at size N, as the Brian2 peer scripts (coba.py, balanced_eif.py,
# vogels_istdp.py) build them:
# sourced by bench/peers.sh and bench/threads.sh. Needs $T (biological seconds) for vogels_istdp.

# --set arguments (one word a line) that make a model the peer's at size N: every population
# scales as the peer's does.
sets() {  # model N
  local m=$1 n=$2 ne p k
  case $m in
    coba)  # Ne = int(0.8 N), Ni = N - Ne, p = 80/N on every projection (sources: none)
      ne=$((n * 8 / 10)); p=$(python3 -c "print(80.0/$n)")
      printf '%s\n' --set "populations.E.size=$ne" --set "populations.I.size=$((n - ne))"
      for k in 0 1 2 3; do printf '%s\n' --set "projections.$k.connect.p=$p"; done ;;
    balanced_eif)  # Ne = round(0.8 N), Ni = N - Ne, Nx = round(0.2 N); p = 0.1; J = j/sqrt(E + I) by itself
      ne=$(python3 -c "print(round(0.8*$n))")
      printf '%s\n' --set "populations.E.size=$ne" --set "populations.I.size=$((n - ne))" \
        --set "populations.X.size=$(python3 -c "print(round(0.2*$n))")" ;;
    vogels_istdp)  # NE = round(0.8 N), NI = N - NE, p = 200/N; plasticity off for min(1 s, T/2)
      ne=$(python3 -c "print(round(0.8*$n))"); p=$(python3 -c "print(200.0/$n)")
      printf '%s\n' --set "populations.E.size=$ne" --set "populations.I.size=$((n - ne))"
      for k in 0 1 2 3; do printf '%s\n' --set "projections.$k.connect.p=$p"; done
      printf '%s\n' --set "projections.3.plasticity.active=[[\"$(python3 -c "print(min(1.0, $T/2.0))") s\", \"$T s\"]]" ;;
  esac
}
config() { case $1 in balanced_eif) echo bench/balanced_eif_peer.json ;; *) echo "bench/$1.json" ;; esac; }
