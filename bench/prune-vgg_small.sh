#!/usr/bin/env bash
# VGG-small on Fashion-MNIST pruned to 1/4 of its MACs: dense training (models.md recipe, 10 epochs, seed SEED),
# then every structured method in METHODS from that same dense model (3 regularization epochs where the method
# has a regularization phase, 5 fine-tune epochs), and one-shot L1 again at equal total epochs (the 3
# regularization epochs given to it as extra fine-tuning). PRUNE_SEEDS lists the seeds of the pruning and
# fine-tuning runs (data order, gates); each run writes bench/results/prune/vgg_small-<method>-macs0.25[-equal-epochs]-s<seed>.*
# `./whittle prune-table --dir bench/results/prune` aggregates them (mean ± spread over seeds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SEED=${SEED:-42}
METHODS=${METHODS:-l1 greg1 greg2 increg progressive slimming l0-filter}
PRUNE_SEEDS=${PRUNE_SEEDS:-$SEED}
DENSE=runs/vgg_small_10ep_s$SEED.whittle
[[ -f "$DENSE" ]] || ./whittle train --model vgg_small --epochs 10 --seed "$SEED" --out "$DENSE"
cp "${DENSE%.whittle}.json" "bench/results/vgg_small_10ep_s$SEED.json"
for s in $PRUNE_SEEDS; do
  common=(--model vgg_small --target-macs 0.25 --from "$DENSE" --seed "$s")
  for method in $METHODS; do
    out="bench/results/prune/vgg_small-$method-macs0.25-s$s"
    [[ -f "$out.json" && -z "${FORCE:-}" ]] && continue   # resumable: a finished run is not repeated
    ./whittle prune "${common[@]}" --method "$method" --reg-epochs 3 --epochs 5 --out "$out"
  done
  out="bench/results/prune/vgg_small-l1-macs0.25-equal-epochs-s$s"
  [[ -f "$out.json" && -z "${FORCE:-}" ]] || ./whittle prune "${common[@]}" --method l1 --epochs 8 --out "$out"
done
