#!/usr/bin/env bash
# KernelAB: one conv forward shape (3×3, pad 1, BN+ReLU epilogue) on two builds of the kernels in one JVM.
# KERNEL=1: 1×1, pad 0; RESIDUAL=true: BN + residual add, no ReLU (ResNet's shortcuts).
#   [STRIDE=2] [KERNEL=1] [RESIDUAL=true] bench/ab/kernel.sh OLD NEW BATCH CHANNELS FILTERS MAP [rounds=25] [reps=3]
# OLD and NEW are kernels jars or class directories (e.g. kernels/target/classes, or the classes unzipped from an
# older benchmarks.jar: unzip OLD.jar 'dev/whittle/kernels/*' -d /tmp/old). A/B > 1 means NEW is faster.
set -euo pipefail
A=$1 B=$2 N=$3 C=$4 K=$5 HW=$6 ROUNDS=${7:-25} REPS=${8:-3}
JDK=${WHITTLE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$JDK/bin/javac" -nowarn --add-modules jdk.incubator.vector -cp "$B" -d "$OUT/call" "$DIR/ConvCall.java" 2>/dev/null
"$JDK/bin/javac" -nowarn -d "$OUT/ab" "$DIR/KernelAB.java"
"$JDK/bin/java" -Dab.stride="${STRIDE:-1}" -Dab.kernel="${KERNEL:-3}" -Dab.residual="${RESIDUAL:-false}" --add-modules jdk.incubator.vector -cp "$OUT/ab" KernelAB "$N" "$C" "$K" "$HW" "$ROUNDS" "$REPS" \
    "$A" "$B" "$OUT/call/" 2>/dev/null
