#!/usr/bin/env bash
# Whittle vs PyTorch on this machine: ROUNDS alternating runs of each, then one comparison table.
#   apt-get install -y python3-torch libopenblas0-pthread
#     (Debian's PyTorch 1.13, as in shared/docs/models.md; without OpenBLAS it runs on the reference BLAS and its
#      batch-1 convolutions take ~20 ms)
#   bench/peers/run.sh  → bench/results/peers/{whittle,pytorch}-<round>*.{json,md}, compare.{json,md}
# PyTorch runs once per thread count with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to it: OpenBLAS otherwise
# starts its own threads beside PyTorch's, and batch-1 latency on one thread rose from ~2 to ~10 ms.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=bench/results/peers
MODELS=${MODELS:-lenet5,vgg_small,resnet20}
THREADS=${THREADS:-1 2}
mkdir -p "$OUT"
for round in $(seq 1 "${ROUNDS:-2}"); do
  ./whittle bench --models "$MODELS" --threads "${THREADS// /,}" --out "$OUT/whittle-$round"
  for t in $THREADS; do
    OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t /usr/bin/python3 bench/peers/pytorch_speed.py \
      --models "$MODELS" --threads "$t" --out "$OUT/pytorch-$round-t$t"
  done
done
python3 bench/peers/compare.py --whittle "$OUT"/whittle-*.json --pytorch "$OUT"/pytorch-*.json --out "$OUT/compare"
