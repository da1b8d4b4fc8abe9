#!/usr/bin/env bash
# VGG-small on Fashion-MNIST pruned to 1/4 of its MACs: dense training (models.md recipe, 10 epochs), then
# GReg-1 and one-shot L1 from the same dense model, and L1 again at equal total epochs (the 3 regularization
# epochs given to it as extra fine-tuning). One seed; pass SEED=... for more.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEED=${SEED:-42}
DENSE=runs/vgg_small_10ep_s$SEED.whittle
[[ -f "$DENSE" ]] || ./whittle train --model vgg_small --epochs 10 --seed "$SEED" --out "$DENSE"
cp "${DENSE%.whittle}.json" "bench/results/vgg_small_10ep_s$SEED.json"
common=(--model vgg_small --target-macs 0.25 --from "$DENSE" --seed "$SEED")
./whittle prune "${common[@]}" --method greg1 --reg-epochs 3 --epochs 5 --out "bench/results/prune/vgg_small-greg1-macs0.25-s$SEED"
./whittle prune "${common[@]}" --method l1 --epochs 5 --out "bench/results/prune/vgg_small-l1-macs0.25-s$SEED"
./whittle prune "${common[@]}" --method l1 --epochs 8 --out "bench/results/prune/vgg_small-l1-macs0.25-equal-epochs-s$SEED"
