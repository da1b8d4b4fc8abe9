#!/usr/bin/env bash
# Alternating A/B: direct stride-1 convolution (default) vs -Dwhittle.conv.direct=false (im2col + GEMM), same jar.
set -euo pipefail
cd /work/main
J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
OUT=bench/results/ab-direct-2026-11-26
run() { # $1 = label, $2 = direct flag
  $J -Dwhittle.conv.direct=$2 --add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    -jar java/target/whittle.jar bench --models vgg_small,resnet20 --threads 1,2 --out "$OUT/$1" 2>&1 | grep -v WARNING
}
run direct-1 true; run im2col-1 false; run direct-2 true; run im2col-2 false
