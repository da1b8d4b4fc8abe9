#!/usr/bin/env bash
# Whittle vs its peers on this machine: ROUNDS alternating runs of each, then one comparison table.
#   PyTorch (training and inference):
#     apt-get install -y python3-torch libopenblas0-pthread
#     (Debian's PyTorch 1.13, as in shared/docs/models.md; without OpenBLAS it runs on the reference BLAS and its
#      batch-1 convolutions take ~20 ms)
#   ONNX Runtime (inference; the peer a JVM service would embed): dev.whittle.bench.OrtSpeed in
#     bench/target/benchmarks.jar (ORT's Java API with its CPU provider comes from Maven; built here if missing)
#   bench/peers/run.sh  → bench/results/peers/{whittle,pytorch,ort}-<round>*.{json,md}, compare.{json,md}
# Knobs: ROUNDS (2), MODELS, THREADS ("1 2"), PEERS ("whittle pytorch ort"; e.g. PEERS="whittle ort" where
# python3-torch is not installed), OUT (bench/results/peers), WHITTLE_JAVA_HOME (JDK 25 for ORT and the build),
# TIMING (extra timing options for all three, same names everywhere, e.g. TIMING="--trials 2 --trial-seconds 0.2
# --warmup-seconds 0.5" for a quick check of the script; leave it empty for a real measurement).
# PyTorch runs once per thread count with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to it: OpenBLAS otherwise
# starts its own threads beside PyTorch's, and batch-1 latency on one thread rose from ~2 to ~10 ms. ORT takes its
# thread count per session (intra-op threads), so one process covers every thread count.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=${OUT:-bench/results/peers}
MODELS=${MODELS:-lenet5,vgg_small,resnet20}
THREADS=${THREADS:-1 2}
PEERS=" ${PEERS:-whittle pytorch ort} "
JDK=${WHITTLE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=bench/target/benchmarks.jar
read -r -a TIMING_ARGS <<< "${TIMING:-}"
for p in $PEERS; do
  case $p in whittle|pytorch|ort) ;; *) echo "run.sh: unknown peer '$p' in PEERS (whittle, pytorch, ort)" >&2; exit 2 ;; esac
done
if [[ $PEERS == *" ort "* && ( ! -f $JAR || -n "$(find bench/src/main/java/dev/whittle/bench/OrtSpeed.java \
      bench/pom.xml -newer "$JAR" -print -quit)" ) ]]; then
  echo "run.sh: building $JAR (mvn package)..." >&2
  JAVA_HOME=$JDK mvn -B -q -pl bench -am package -DskipTests
fi
mkdir -p "$OUT"
W=() P=() O=() # this run's files only: a stale file from an earlier run in $OUT must not enter the table
for round in $(seq 1 "${ROUNDS:-2}"); do
  if [[ $PEERS == *" whittle "* ]]; then
    ./whittle bench --models "$MODELS" --threads "${THREADS// /,}" --out "$OUT/whittle-$round" ${TIMING_ARGS[@]+"${TIMING_ARGS[@]}"}
    W+=("$OUT/whittle-$round.json")
  fi
  if [[ $PEERS == *" pytorch "* ]]; then
    for t in $THREADS; do
      OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 bench/peers/pytorch_speed.py \
        --models "$MODELS" --threads "$t" --out "$OUT/pytorch-$round-t$t" ${TIMING_ARGS[@]+"${TIMING_ARGS[@]}"}
      P+=("$OUT/pytorch-$round-t$t.json")
    done
  fi
  if [[ $PEERS == *" ort "* ]]; then
    "$JDK/bin/java" --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -cp "$JAR" \
      dev.whittle.bench.OrtSpeed --models "$MODELS" --threads "${THREADS// /,}" --out "$OUT/ort-$round" \
      ${TIMING_ARGS[@]+"${TIMING_ARGS[@]}"} \
      2> >(grep -v '^WARNING: Using incubator modules' >&2)
    O+=("$OUT/ort-$round.json")
  fi
done
if (( ${#W[@]} > 0 && ${#P[@]} + ${#O[@]} > 0 )); then
  args=(--whittle "${W[@]}")
  (( ${#P[@]} > 0 )) && args+=(--pytorch "${P[@]}")
  (( ${#O[@]} > 0 )) && args+=(--ort "${O[@]}")
  python3 bench/peers/compare.py "${args[@]}" --out "$OUT/compare"
else
  echo "run.sh: no comparison (PEERS=\"$(echo $PEERS)\" needs whittle and at least one peer)" >&2
fi
