#!/usr/bin/env bash
# Pruning results on LeNet-5, starting from the committed 30-epoch dense model. Every number in the
# resulting bench/results/prune/*.json|md files is produced by these commands.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
DENSE=bench/results/lenet5_30ep.whittle
[[ -f "$DENSE" ]] || ./whittle train --model lenet5 --epochs 30 --out "$DENSE"
for method in ${METHODS:-l1 greg1}; do
  ./whittle prune --model lenet5 --method "$method" --target-macs 0.25 --from "$DENSE" \
    --reg-epochs 3 --epochs 5 --out "bench/results/prune/lenet5-$method-macs0.25"
done
for method in ${WEIGHT_METHODS:-l0}; do
  ./whittle prune --model lenet5 --method "$method" --sparsity 0.9 --from "$DENSE" \
    --reg-epochs 3 --epochs 5 --out "bench/results/prune/lenet5-$method-sparsity0.9"
done
