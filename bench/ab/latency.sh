#!/usr/bin/env bash
# Batch-1 latency percentiles of two Whittle jars in one JVM, blocks of calls alternating (LatencyAB).
#   bench/ab/latency.sh OLD.jar NEW.jar [model=vgg_small] [threads=2] [blocks=40] [calls=100]
set -euo pipefail
A=$1 B=$2 MODEL=${3:-vgg_small} THREADS=${4:-2} BLOCKS=${5:-40} CALLS=${6:-100}
JDK=${WHITTLE_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$JDK/bin/javac" -nowarn -cp "$B" -d "$OUT/step" "$DIR/InferenceStep.java"
"$JDK/bin/javac" -nowarn -d "$OUT/ab" "$DIR/LatencyAB.java" "$DIR/Jars.java"
"$JDK/bin/java" --add-modules jdk.incubator.vector -cp "$OUT/ab" LatencyAB "$MODEL" "$THREADS" "$BLOCKS" "$CALLS" \
    "$A" "$B" "$OUT/step/" 2>/dev/null
